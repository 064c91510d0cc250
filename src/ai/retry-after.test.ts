/**
 * A busy model endpoint (429, 503) against a real node:http server: its Retry-After is honoured up to
 * the cap an interactive turn allows, and past it the request fails at once as overloaded.
 */
import assert from "node:assert/strict";
import { createServer, type OutgoingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { test, type TestContext } from "node:test";
import { OpenAiHttp, OpenAiHttpError, parseRetryAfter } from "./openai-http.ts";
import { isModelOverloaded } from "./reply-model.ts";

interface Scripted { status: number; headers?: OutgoingHttpHeaders }

/** Answers each request with the next scripted status (then a short stream once they run out), noting when each came. */
async function busyServer(t: TestContext, script: Scripted[]): Promise<{ http: OpenAiHttp; arrivals: number[] }> {
  const arrivals: number[] = [];
  const server = createServer((req, res) => {
    req.resume();
    arrivals.push(performance.now());
    const next = script.shift();
    if (next) {
      res.writeHead(next.status, { "content-type": "application/json", ...next.headers }).end(JSON.stringify({ error: { message: "busy" } }));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" }).end("data: hello\n\ndata: [DONE]\n\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const http = new OpenAiHttp({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, apiKey: undefined, retryAfterMaxMs: 2_000 });
  t.after(() => {
    http.close();
    server.closeAllConnections();
    server.close();
  });
  return { http, arrivals };
}

async function read(http: OpenAiHttp, signal = new AbortController().signal): Promise<string[]> {
  const seen: string[] = [];
  for await (const data of http.streamEvents("chat/completions", {}, signal, (d) => d)) seen.push(data);
  return seen;
}

test("a 429 asking for 1 s is asked again after 1 s, and the reply streams", async (t) => {
  const { http, arrivals } = await busyServer(t, [{ status: 429, headers: { "retry-after": "1" } }]);
  assert.deepEqual(await read(http), ["hello"]);
  assert.equal(arrivals.length, 2);
  const gap = arrivals[1]! - arrivals[0]!;
  assert.ok(gap >= 990 && gap < 1_500, `asked again after ${gap.toFixed(0)} ms`);
});

test("a 503 asking for 30 s fails at once as overloaded, without asking again", async (t) => {
  const { http, arrivals } = await busyServer(t, [{ status: 503, headers: { "retry-after": "30" } }]);
  const started = performance.now();
  const err = await read(http).then(() => undefined, (e: unknown) => e);
  const ms = performance.now() - started;
  assert.ok(err instanceof OpenAiHttpError && err.status === 503, String(err));
  assert.equal(isModelOverloaded(err), true);
  assert.equal(arrivals.length, 1);
  assert.ok(ms < 500, `failed after ${ms.toFixed(0)} ms`);
});

test("still busy after one wait (retry-after-ms), the request fails as overloaded: one retry, never a loop", async (t) => {
  const { http, arrivals } = await busyServer(t, [
    { status: 429, headers: { "retry-after-ms": "300", "retry-after": "1" } },
    { status: 429, headers: { "retry-after-ms": "300" } },
  ]);
  const err = await read(http).then(() => undefined, (e: unknown) => e);
  assert.equal(isModelOverloaded(err), true);
  assert.equal(arrivals.length, 2);
  const gap = arrivals[1]! - arrivals[0]!;
  assert.ok(gap >= 290 && gap < 900, `retry-after-ms wins over retry-after: asked again after ${gap.toFixed(0)} ms`);
});

test("a 429 without Retry-After is asked again after a short pause, not 10 ms later", async (t) => {
  const { http, arrivals } = await busyServer(t, [{ status: 429 }]);
  assert.deepEqual(await read(http), ["hello"]);
  const gap = arrivals[1]! - arrivals[0]!;
  assert.ok(gap >= 240 && gap < 1_000, `asked again after ${gap.toFixed(0)} ms`);
});

test("a 500 is not a busy answer: retried at once, and not overloaded when it fails again", async (t) => {
  const { http, arrivals } = await busyServer(t, [{ status: 500, headers: { "retry-after": "1" } }, { status: 500 }]);
  const err = await read(http).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof OpenAiHttpError && err.status === 500);
  assert.equal(isModelOverloaded(err), false);
  assert.ok(arrivals[1]! - arrivals[0]! < 200);
});

test("a player who stops during the wait cancels it: no second request", async (t) => {
  const { http, arrivals } = await busyServer(t, [{ status: 429, headers: { "retry-after": "2" } }]);
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 100);
  const started = performance.now();
  const err = await read(http, abort.signal).then(() => undefined, (e: unknown) => e);
  assert.equal((err as Error).name, "AbortError");
  assert.ok(performance.now() - started < 500);
  // Deliberately waits past the Retry-After: the aborted read must send no retry.
  await new Promise((r) => setTimeout(r, 2_100));
  assert.equal(arrivals.length, 1);
});

test("Retry-After is read as seconds or as an HTTP date", () => {
  const now = Date.parse("2026-12-05T12:00:00Z");
  assert.equal(parseRetryAfter("2", now), 2_000);
  assert.equal(parseRetryAfter("0.5", now), 500);
  assert.equal(parseRetryAfter("Sat, 05 Dec 2026 12:00:03 GMT", now), 3_000);
  assert.equal(parseRetryAfter("Sat, 05 Dec 2026 11:00:00 GMT", now), 0);
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter(undefined, now), undefined);
});
