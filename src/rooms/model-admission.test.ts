/**
 * MODEL_CONCURRENCY_MAX behind a real Parley server and real WebSockets: with one model slot and
 * one place in its queue, a second room's chat is told `queued` and answered when the slot frees,
 * and a third is refused at once with `model/overloaded`, as the metrics show.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { startSimOpenAI, type SimOpenAI } from "../../loadtest/sim-openai/server.ts";
import { startTestServer, type TestServer } from "../testing/test-server.ts";
import { TestPlayer } from "../testing/test-player.ts";

let sim: SimOpenAI;
let server: TestServer;

before(async () => {
  // 60 tokens at 30 a second: a reply streams for about 2 s.
  sim = await startSimOpenAI({ firstTokenMs: 0, tokensPerSecond: 30, log: "silent" });
  server = await startTestServer({
    OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim", MODERATION_HOLDBACK: "false",
    MODEL_CONCURRENCY_MAX: "1", MODEL_QUEUE_MAX: "1", MODEL_QUEUE_TIMEOUT_MS: "10000",
  });
});

after(async () => {
  await server.close();
  await sim.close();
});

async function gauge(name: string): Promise<number> {
  const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.split(" ")[1]);
}

it("one slot: the second chat is told queued and answered after the first; the third is refused at once", { timeout: 30_000 }, async () => {
  const join = async (name: string) => {
    const player = await TestPlayer.join(server.wsUrl, await server.tokenFor(name), { character_id: 1, session_id: `admission-${name}` });
    await player.waitFor("ai_end", (e) => e.reply_id.startsWith("greeting-"));
    return player;
  };
  const [a, b, c] = await Promise.all([join("a"), join("b"), join("c")]);
  const notGreeting = (e: { reply_id?: string }) => !e.reply_id?.startsWith("greeting-");

  a.send("chat", { content: "Tell me of the blade." });
  await a.waitFor("ai_chunk", notGreeting);
  b.send("chat", { content: "And the shield?" });
  const queued = await b.waitFor("ai_status", (s) => s.status === "queued" && notGreeting(s));
  assert.deepEqual([await gauge("parley_model_requests_active"), await gauge("parley_model_requests_waiting")], [1, 1]);

  const refusedAt = Date.now();
  c.send("chat", { content: "And the bow?" });
  const error = await c.waitFor("error", undefined, 2_000);
  const cEnd = await c.waitFor("ai_end", notGreeting, 2_000);
  assert.equal(error.code, "model/overloaded");
  assert.equal(cEnd.reason, "error");
  assert.ok(Date.now() - refusedAt < 1_000, `refused in ${Date.now() - refusedAt} ms`);

  const aEnd = await a.waitFor("ai_end", notGreeting, 10_000);
  assert.equal(aEnd.reason, "complete");
  const bEnd = await b.waitFor("ai_end", (e) => e.reply_id === queued.reply_id, 10_000);
  assert.equal(bEnd.reason, "complete");
  assert.ok(bEnd.full_content.length > 0);
  const statuses = b.of("ai_status").filter((s) => s.reply_id === queued.reply_id).map((s) => s.status);
  assert.deepEqual(statuses.slice(statuses.indexOf("queued")), ["queued", "thinking", "streaming"], "thinking again once admitted");
  assert.ok(/parley_errors_total\{code="model\/overloaded"\} 1/.test(await (await fetch(`${server.httpUrl}/metrics`)).text()));
  assert.deepEqual([await gauge("parley_model_requests_active"), await gauge("parley_model_requests_waiting")], [0, 0]);
  await Promise.all([a.leave(), b.leave(), c.leave()]);
});
