import { test } from "node:test";
import assert from "node:assert/strict";
import { ModelAdmission, ModelOverloadedError, withModelAdmission } from "./model-admission.ts";
import { isModelOverloaded, type ModelDelta, type ReplyModel } from "./reply-model.ts";

const never = () => new AbortController().signal;
const settle = () => new Promise((r) => setImmediate(r));

test("past max, requests wait in arrival order and are told so; a freed slot admits the oldest", async () => {
  const admission = new ModelAdmission({ max: 1, queueMax: 5, waitMs: 10_000 });
  const told: string[] = [];
  const first = await admission.acquire(never());
  const admitted: string[] = [];
  const b = admission.acquire(never(), { waiting: () => told.push("b waits"), admitted: () => told.push("b admitted") }).then((r) => { admitted.push("b"); return r; });
  const c = admission.acquire(never(), { waiting: () => told.push("c waits") }).then((r) => { admitted.push("c"); return r; });
  await settle();
  assert.deepEqual([admission.active, admission.waiting], [1, 2]);
  assert.deepEqual(told, ["b waits", "c waits"]);
  assert.deepEqual(admitted, []);

  first();
  first(); // a second release frees nothing more
  const releaseB = await b;
  await settle();
  assert.deepEqual(admitted, ["b"]);
  assert.deepEqual([admission.active, admission.waiting], [1, 1]);
  assert.deepEqual(told, ["b waits", "c waits", "b admitted"]);
  releaseB();
  (await c)();
  assert.deepEqual([admission.active, admission.waiting], [0, 0]);
});

test("a full queue refuses at once, and a wait past waitMs is refused, both as overloaded", async () => {
  const admission = new ModelAdmission({ max: 1, queueMax: 1, waitMs: 100 });
  await admission.acquire(never());
  const waiting = admission.acquire(never());
  let waitEnded = false;
  waiting.catch(() => undefined).finally(() => { waitEnded = true; });
  await assert.rejects(admission.acquire(never()), (err) => err instanceof ModelOverloadedError && isModelOverloaded(err));
  assert.equal(waitEnded, false, "refused at once, while the queued one still waits");
  assert.equal(admission.waiting, 1);
  await assert.rejects(waiting, (err) => isModelOverloaded(err));
  assert.equal(admission.waiting, 0);
  assert.equal(admission.refused, 2);
});

test("a request stopped while it waits leaves the queue and never takes a slot", async () => {
  const admission = new ModelAdmission({ max: 1, queueMax: 5, waitMs: 10_000 });
  const first = await admission.acquire(never());
  const stop = new AbortController();
  const waiting = admission.acquire(stop.signal);
  stop.abort();
  await assert.rejects(waiting);
  assert.equal(admission.waiting, 0);
  first();
  assert.equal(admission.active, 0);
});

test("max 0 is no limit", async () => {
  const admission = new ModelAdmission({ max: 0, queueMax: 0, waitMs: 1 });
  await Promise.all(Array.from({ length: 50 }, () => admission.acquire(never())));
  assert.equal(admission.active, 50);
});

test("a wrapped model holds its slot for the whole stream and gives it back when the stream ends or fails", async () => {
  const admission = new ModelAdmission({ max: 1, queueMax: 5, waitMs: 10_000 });
  let fail = false;
  const inner: ReplyModel = {
    name: "m",
    async *stream(): AsyncGenerator<ModelDelta> {
      yield { content: "a" };
      if (fail) throw new Error("endpoint broke");
      yield { content: "b" };
    },
  };
  const model = withModelAdmission(inner, admission);
  const seen: number[] = [];
  for await (const _ of model.stream([], never())) seen.push(admission.active);
  assert.deepEqual(seen, [1, 1]);
  assert.equal(admission.active, 0);
  fail = true;
  await assert.rejects(async () => { for await (const _ of model.stream([], never())) { /* read */ } }, /endpoint broke/);
  assert.equal(admission.active, 0);
});
