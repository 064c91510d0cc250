import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { OpenAIEmbeddingsEmbedder } from "./openai-embeddings-embedder.ts";
import { until } from "../testing/until.ts";

interface SeenRequest {
  path: string;
  authorization: string | undefined;
  body: { model: string; input: string[]; dimensions?: number; encoding_format?: string };
}

/** The vector the fake server gives a text: recognisable, and of the requested size. */
const fakeVector = (text: string, dimensions: number): number[] =>
  Array.from({ length: dimensions }, (_, i) => (i === 0 ? text.length : i / 4));

describe("OpenAIEmbeddingsEmbedder", () => {
  let server: Server;
  let baseURL: string;
  let seen: SeenRequest[];
  /** Lets a test change what the server answers. */
  let answer: (req: SeenRequest, res: ServerResponse) => void;

  const defaultAnswer = (req: SeenRequest, res: ServerResponse): void => {
    const dimensions = req.body.dimensions ?? 3;
    const data = req.body.input.map((text, index) => {
      const vector = fakeVector(text, dimensions);
      const embedding =
        req.body.encoding_format === "base64"
          ? Buffer.from(new Float32Array(vector).buffer).toString("base64")
          : vector;
      return { object: "embedding", index, embedding };
    });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ object: "list", data, model: req.body.model, usage: { prompt_tokens: 1, total_tokens: 1 } }));
  };

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        if (req.method !== "POST" || req.url !== "/v1/embeddings") {
          res.writeHead(404).end();
          return;
        }
        const request: SeenRequest = {
          path: req.url,
          authorization: req.headers.authorization,
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as SeenRequest["body"],
        };
        seen.push(request);
        answer(request, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  beforeEach(() => {
    seen = [];
    answer = defaultAnswer;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const embedder = (dimensions = 8, encoding?: "base64" | "float"): OpenAIEmbeddingsEmbedder =>
    new OpenAIEmbeddingsEmbedder({ apiKey: "sk-test", baseURL, model: "test-embed", dimensions, encoding });

  test("sends the texts, model, size and key, and returns one vector per text in order", async () => {
    const vectors = await embedder(8).embed(["hello", "a longer text", "你好"]);
    assert.deepEqual(vectors, [fakeVector("hello", 8), fakeVector("a longer text", 8), fakeVector("你好", 8)]);
    for (const v of vectors) assert.ok(Array.isArray(v));
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.authorization, "Bearer sk-test");
    assert.equal(seen[0]!.body.model, "test-embed");
    assert.equal(seen[0]!.body.dimensions, 8);
    assert.deepEqual(seen[0]!.body.input, ["hello", "a longer text", "你好"]);
  });

  test("asks for base64 float32 vectors by default, and JSON numbers when told to", async () => {
    assert.deepEqual(await embedder(4).embed(["base64 it"]), [fakeVector("base64 it", 4)]);
    assert.deepEqual(await embedder(4, "float").embed(["plain"]), [fakeVector("plain", 4)]);
    assert.deepEqual(seen.map((r) => r.body.encoding_format), ["base64", "float"]);
  });

  test("reads JSON numbers from a server that ignores the encoding asked for", async () => {
    answer = (req, res) => defaultAnswer({ ...req, body: { ...req.body, encoding_format: "float" } }, res);
    assert.deepEqual(await embedder(4).embed(["old server"]), [fakeVector("old server", 4)]);
  });

  test("makes no request for no texts", async () => {
    assert.deepEqual(await embedder().embed([]), []);
    assert.equal(seen.length, 0);
  });

  test("rejects vectors of the wrong size", async () => {
    answer = (req, res) => defaultAnswer({ ...req, body: { ...req.body, dimensions: 5 } }, res);
    await assert.rejects(embedder(8).embed(["x"]), /expected 8 dimensions, got 5/);
  });

  test("rejects when the server answers with an error", async () => {
    answer = (_req, res) => {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "bad key", type: "invalid_request_error" } }));
    };
    await assert.rejects(embedder().embed(["x"]));
  });

  test("stops waiting when the signal aborts", async () => {
    let held: ServerResponse | undefined;
    answer = (_req, res) => {
      held = res;
    };
    const controller = new AbortController();
    const pending = embedder().embed(["slow"], controller.signal);
    await until(() => seen.length > 0, "the request at the server");
    controller.abort();
    await assert.rejects(pending, { name: "AbortError" });
    held?.destroy();
    await assert.rejects(embedder().embed(["x"], AbortSignal.abort()), { name: "AbortError" });
  });
});
