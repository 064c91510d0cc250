/** The deadlines of a stream, on a source that waits as told and stops when its signal aborts. */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, test } from "node:test";
import { ModelStallError, withStreamDeadlines } from "./stream-deadlines.ts";
import { until } from "../testing/until.ts";

const DEADLINES = { firstTokenMs: 200, idleMs: 100 };
const isToken = (s: string) => s !== "";

/** Yields each item after its wait in ms; `seen` gets the signal it was opened with. */
function source(steps: Array<[number, string]>, seen: { signal?: AbortSignal } = {}) {
  return async function* (signal: AbortSignal): AsyncGenerator<string> {
    seen.signal = signal;
    for (const [wait, item] of steps) {
      await sleep(wait, undefined, { signal });
      yield item;
    }
  };
}

async function collect(items: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe("withStreamDeadlines", () => {
  test("a stream that keeps each deadline passes whole, though it takes longer than both", async () => {
    const steps: Array<[number, string]> = [[150, "a"], [60, "b"], [60, "c"], [60, "d"]];
    const seen: { signal?: AbortSignal } = {};
    assert.deepEqual(await collect(withStreamDeadlines(source(steps, seen), new AbortController().signal, DEADLINES, isToken)), ["a", "b", "c", "d"]);
    // Deliberately waits past both deadlines: nothing may fire after the end.
    await sleep(250);
    assert.equal(seen.signal!.aborted, false, "no deadline fires after the end");
  });

  test("no first token in time: the request is aborted and the stream fails with the first-token stall", async () => {
    const seen: { signal?: AbortSignal } = {};
    const started = performance.now();
    await assert.rejects(collect(withStreamDeadlines(source([[5_000, "late"]], seen), new AbortController().signal, DEADLINES, isToken)),
      (err: unknown) => err instanceof ModelStallError && err.phase === "first_token");
    assert.ok(performance.now() - started < 1_000);
    assert.ok(seen.signal!.aborted);
  });

  test("deltas without text do not count as the first token", async () => {
    await assert.rejects(collect(withStreamDeadlines(source([[10, ""], [150, ""], [150, "late"]]), new AbortController().signal, DEADLINES, isToken)),
      (err: unknown) => err instanceof ModelStallError && err.phase === "first_token");
  });

  test("silence after tokens: fails with the idle stall, after the tokens that came", async () => {
    const got: string[] = [];
    const started = performance.now();
    await assert.rejects(async () => {
      const deadlines = { firstTokenMs: 1_000, idleMs: 100 };
      for await (const item of withStreamDeadlines(source([[10, "a"], [10, "b"], [5_000, "never"]]), new AbortController().signal, deadlines, isToken)) got.push(item);
    }, (err: unknown) => err instanceof ModelStallError && err.phase === "idle");
    assert.deepEqual(got, ["a", "b"]);
    // The idle deadline (100 ms) applies from the first token, not what was left of the first one (1 s).
    assert.ok(performance.now() - started < 700, "the shorter idle deadline took over at the first token");
  });

  test("a client that ends quietly when aborted still fails with the stall", async () => {
    const quiet = async function* (signal: AbortSignal): AsyncGenerator<string> {
      yield "a";
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    };
    await assert.rejects(collect(withStreamDeadlines(quiet, new AbortController().signal, DEADLINES, isToken)), ModelStallError);
  });

  test("the caller's abort reaches the source, and is not reported as a stall", async () => {
    const caller = new AbortController();
    const seen: { signal?: AbortSignal } = {};
    const run = collect(withStreamDeadlines(source([[10, "a"], [5_000, "b"]], seen), caller.signal, DEADLINES, isToken));
    await until(() => seen.signal !== undefined, "the source opened");
    caller.abort("stopped");
    await assert.rejects(run, (err: unknown) => !(err instanceof ModelStallError));
    assert.equal(seen.signal!.reason, "stopped");
  });
});
