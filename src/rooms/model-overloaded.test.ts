/**
 * What a player sees when the model endpoint is busy (429 with Retry-After), behind a real Parley
 * server and real WebSockets: a short wait is invisible but for the delay, a long one ends the reply
 * at once with `model/overloaded`.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, it } from "node:test";
import { startTestServer, type TestServer } from "../testing/test-server.ts";
import { TestPlayer } from "../testing/test-player.ts";

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

/** `busy:<seconds>` is answered 429 with that Retry-After on its first try; everything else streams. */
async function startBusyServer(): Promise<{ url: string; tries: Map<string, number>; server: Server }> {
  const tries = new Map<string, number>();
  const server = createServer((req, res) => {
    // The start-up probe of the endpoint (GET /models).
    if (req.method === "GET") return void res.writeHead(200, { "content-type": "application/json" }).end('{"data":[]}');
    let body = "";
    req.setEncoding("utf8").on("data", (part: string) => { body += part; }).on("end", () => {
      const last = ((JSON.parse(body) as { messages?: Array<{ content: string }> }).messages ?? []).at(-1)?.content ?? "";
      const n = (tries.get(last) ?? 0) + 1;
      tries.set(last, n);
      const busy = /^busy:(\d+)$/.exec(last);
      if (busy && n === 1) {
        res.writeHead(429, { "content-type": "application/json", "retry-after": busy[1] }).end(JSON.stringify({ error: { message: "rate limited" } }));
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(`${chunk({ content: "At your service." })}${chunk({}, "stop")}data: [DONE]\n\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, tries, server };
}

let model: Awaited<ReturnType<typeof startBusyServer>>;
let server: TestServer;
before(async () => {
  model = await startBusyServer();
  server = await startTestServer({
    OPENAI_BASE_URL: model.url, OPENAI_API_KEY: "test", MODEL_CLIENT: "direct", MODERATION_HOLDBACK: "false", EMBEDDINGS: "local",
    MODEL_RETRY_AFTER_MAX_MS: "2000",
  });
});
after(async () => {
  await server.close();
  model.server.closeAllConnections();
  model.server.close();
});

it("a 429 asking for 1 s: the reply comes a second later, whole, with no error", { timeout: 15_000 }, async () => {
  const player = await TestPlayer.join(server.wsUrl, await server.tokenFor("p-short"), { character_id: 1, session_id: "busy-short" });
  await player.waitFor("ai_end", (e) => e.reply_id.startsWith("greeting-"));
  const started = Date.now();
  player.send("chat", { content: "busy:1" });
  const end = await player.waitFor("ai_end", (e) => !e.reply_id.startsWith("greeting-"), 5_000);
  const ms = Date.now() - started;
  assert.equal(end.reason, "complete");
  assert.equal(end.full_content, "At your service.");
  assert.ok(ms >= 1_000 && ms < 3_000, `answered after ${ms} ms`);
  assert.equal(model.tries.get("busy:1"), 2);
  await player.leave();
});

it("a 429 asking for 60 s: the reply ends at once with model/overloaded, and is not tried again", { timeout: 15_000 }, async () => {
  const player = await TestPlayer.join(server.wsUrl, await server.tokenFor("p-long"), { character_id: 1, session_id: "busy-long" });
  await player.waitFor("ai_end", (e) => e.reply_id.startsWith("greeting-"));
  const started = Date.now();
  player.send("chat", { content: "busy:60" });
  const error = await player.waitFor("error", undefined, 5_000);
  const end = await player.waitFor("ai_end", (e) => !e.reply_id.startsWith("greeting-"), 5_000);
  const ms = Date.now() - started;
  assert.equal(error.code, "model/overloaded");
  assert.equal(end.reason, "error");
  assert.equal(end.full_content, "");
  assert.ok(ms < 1_000, `ended after ${ms} ms`);
  assert.equal(model.tries.get("busy:60"), 1);
  await player.leave();
});
