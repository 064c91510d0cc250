import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { StartupError } from "../startup/startup-error.ts";
import { chooseEmbedder, type EmbedderSettings } from "./embedder-choice.ts";

/** A model server with chat completions only: every other path, /embeddings included, is a 404. */
let server: Server;
let baseUrl: string;
const requests: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on("end", () => {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "404 page not found" } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const settings = (explicit: boolean): EmbedderSettings => ({
  kind: "openai", explicit, model: "text-embedding-3-small", dimensions: 256, encoding: "base64",
  apiKey: "x", baseUrl, http2: false,
});

describe("chooseEmbedder against a server without /embeddings", () => {
  test("by default, falls back to the local embedder after one probe, with one warning that says so", async () => {
    requests.length = 0;
    const decision = await chooseEmbedder(settings(false));
    assert.equal(decision.settings.kind, "local");
    assert.match(decision.warning ?? "", /serves no embeddings.*local embedder/);
    assert.doesNotMatch(decision.warning ?? "", /\n/);
    assert.deepEqual(requests, ["POST /v1/embeddings"]);
  });

  test("with EMBEDDINGS=openai, refuses the start with one line", async () => {
    await assert.rejects(chooseEmbedder(settings(true)), (err: Error) => {
      assert.ok(err instanceof StartupError);
      assert.match(err.message, /^EMBEDDINGS: EMBEDDINGS=openai, but .* serves no embeddings .*EMBEDDINGS=local$/);
      return true;
    });
  });

  test("a server that does not answer keeps the configured embedder, with a warning", async () => {
    const decision = await chooseEmbedder({ ...settings(true), baseUrl: "http://127.0.0.1:9/v1" });
    assert.equal(decision.settings.kind, "openai");
    assert.match(decision.warning ?? "", /probe .* failed/);
  });

  test("local embeddings need no probe", async () => {
    requests.length = 0;
    const decision = await chooseEmbedder({ ...settings(true), kind: "local" });
    assert.equal(decision.settings.kind, "local");
    assert.equal(decision.warning, undefined);
    assert.equal(requests.length, 0);
  });
});
