/**
 * How a finished stream leaves its connection, over real HTTP/1.1 and HTTP/2 servers whose answers
 * end a moment after their `[DONE]`, as a busy server's do.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { createServer as createH2Server, type Http2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { OpenAiHttp } from "./openai-http.ts";
import { until } from "../testing/until.ts";

const END_AFTER_DONE_MS = 50;
const EVENTS = ["one", "two", "[DONE]"];

async function readAll(http: OpenAiHttp, stopAfter = Infinity): Promise<string[]> {
  const seen: string[] = [];
  for await (const data of http.streamEvents("chat/completions", { stream: true }, new AbortController().signal, (data) => data)) {
    seen.push(data);
    if (seen.length >= stopAfter) break;
  }
  return seen;
}

describe("OpenAiHttp over HTTP/1.1", () => {
  let server: Server;
  let http: OpenAiHttp;
  let connections = 0;
  const cut: boolean[] = [];
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const e of EVENTS) res.write(`data: ${e}\n\n`);
      setTimeout(() => res.end(), END_AFTER_DONE_MS);
      res.on("close", () => cut.push(!res.writableFinished));
    });
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    http = new OpenAiHttp({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, apiKey: undefined });
  });
  after(async () => {
    http.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test("streams that end after their [DONE] leave the connection open for the next request", async () => {
    connections = 0;
    assert.deepEqual(await readAll(http), ["one", "two"]);
    await until(() => cut.length === 1, "the server saw answer 1 close");
    // The client frees the socket when it reads the answer's end, a moment after the server's
    // close; on a loaded machine the next request could otherwise open a second connection.
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await readAll(http), ["one", "two"]);
    await until(() => cut.length === 2, "the server saw answer 2 close");
    assert.deepEqual(cut, [false, false], "neither answer was cut");
    assert.equal(connections, 1);
  });

  test("a consumer that stops early cancels the request", async () => {
    cut.length = 0;
    assert.deepEqual(await readAll(http, 1), ["one"]);
    await until(() => cut.length === 1, "the server saw answer 1 close");
    assert.deepEqual(cut, [true]);
  });
});

describe("OpenAiHttp over HTTP/2", () => {
  let server: Http2Server;
  let http: OpenAiHttp;
  let sessions = 0;
  let endsAfterDone = true;
  /** Per stream: whether the client reset it (RST_STREAM) before it ended. */
  const reset: boolean[] = [];
  before(async () => {
    server = createH2Server();
    server.on("session", () => sessions++);
    server.on("stream", (stream) => {
      stream.resume();
      stream.respond({ ":status": 200, "content-type": "text/event-stream" });
      for (const e of EVENTS) stream.write(`data: ${e}\n\n`);
      if (endsAfterDone) setTimeout(() => { if (!stream.destroyed) stream.end(); }, END_AFTER_DONE_MS);
      stream.on("close", () => reset.push(stream.aborted));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    http = new OpenAiHttp({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, apiKey: undefined, http2: true, drainTimeoutMs: 200 });
  });
  after(async () => {
    http.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test("streams that end after their [DONE] close without a reset, so servers that limit resets keep the connection", async () => {
    sessions = 0;
    assert.deepEqual(await readAll(http), ["one", "two"]);
    assert.deepEqual(await readAll(http), ["one", "two"]);
    await until(() => reset.length === 2, "the server saw 2 stream(s) close");
    assert.deepEqual(reset, [false, false]);
    assert.equal(sessions, 1);
  });

  test("a consumer that stops early resets its stream", async () => {
    reset.length = 0;
    assert.deepEqual(await readAll(http, 1), ["one"]);
    await until(() => reset.length === 1, "the server saw 1 stream(s) close");
    assert.deepEqual(reset, [true]);
  });

  test("a reader that throws resets its stream, and the error reaches the consumer", async () => {
    reset.length = 0;
    const read = (): never => { throw new Error("unreadable event"); };
    await assert.rejects(async () => {
      for await (const _ of http.streamEvents("chat/completions", { stream: true }, new AbortController().signal, read)) { /* none */ }
    }, /unreadable event/);
    await until(() => reset.length === 1, "the server saw 1 stream(s) close");
    assert.deepEqual(reset, [true]);
  });

  test("a stream that never ends after its [DONE] is reset once the drain time is up, so it holds no stream slot", async () => {
    reset.length = 0;
    endsAfterDone = false;
    try {
      assert.deepEqual(await readAll(http), ["one", "two"], "the reply itself does not wait for the end");
      await until(() => reset.length === 1, "the server saw 1 stream(s) close");
      assert.deepEqual(reset, [true]);
    } finally {
      endsAfterDone = true;
    }
  });
});
