/**
 * Persistence end to end against the real Redis and the real PostgreSQL + pgvector of this machine:
 * the context window in Redis, its rebuild from the chat logs, every turn logged, memories recalled.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import pg from "pg";
import { startSimOpenAI, type SimOpenAI } from "../loadtest/sim-openai/server.ts";
import { startTestServer, type TestServer } from "./testing/test-server.ts";
import { TestPlayer } from "./testing/test-player.ts";
import { until } from "./testing/until.ts";

const REDIS_URL = process.env.PARLEY_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const ADMIN_URL = process.env.PARLEY_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/parley_test";
const schema = `parley_storage_${process.pid}`;
const DATABASE_URL = `${ADMIN_URL}${ADMIN_URL.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema},public`)}`;
const WINDOW = 6;

let sim: SimOpenAI;
let server: TestServer;
let redis: Redis;
let admin: pg.Pool;
const user = `player-${randomUUID().slice(0, 8)}`;

async function chatAndWait(player: TestPlayer, content: string) {
  const seen = new Set(player.of("ai_end").map((e) => e.reply_id));
  player.send("chat", { content });
  return player.waitFor("ai_end", (e) => !seen.has(e.reply_id) && !e.reply_id.startsWith("greeting-"));
}

/** The last reply request the model received: a session past its window also asks for summaries. */
function lastChatRequest() {
  return sim.stats.lastRequests.findLast((r) => !/running summary of a conversation/.test(String(r.body.messages[0]!.content)))!;
}

async function startServer(): Promise<TestServer> {
  return startTestServer({
    OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim", REDIS_URL, DATABASE_URL,
    CONTEXT_WINDOW_MESSAGES: String(WINDOW), RECONNECT_SECONDS: "0", CHAT_BURST: "100",
    MODERATION_HOLDBACK: "false", EMBEDDINGS: "local", MEMORY_TIMEOUT_MS: "1000",
  });
}

before(async () => {
  sim = await startSimOpenAI({ firstTokenMs: 0, tokensPerSecond: 0, replyTokens: 5, log: "silent" });
  redis = new Redis(REDIS_URL);
  admin = new pg.Pool({ connectionString: ADMIN_URL, max: 1 });
  await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  server = await startServer();
});

after(async () => {
  await server.close();
  await sim.close();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
  await redis.quit();
});

describe("persistence with Redis and PostgreSQL", () => {
  const sessionId = `storage-${randomUUID()}`;
  const key = `chat:context:${sessionId}`;

  it("keeps the context window as a trimmed Redis List of stored messages with a 30-minute TTL", async () => {
    const player = await TestPlayer.join(server.wsUrl, await server.tokenFor(user), { character_id: 1, session_id: sessionId });
    for (let i = 1; i <= 5; i++) await chatAndWait(player, `[[say:Answer ${i}.]] Question ${i}`);
    await player.leave();
    await until(async () => (await redis.lindex(key, -1))?.includes('"Answer 5."') ?? false, "the last answer in the window");

    assert.equal(await redis.type(key), "list");
    const ttl = await redis.ttl(key);
    assert.ok(ttl > 0 && ttl <= 1800, `ttl ${ttl}`);
    const entries = (await redis.lrange(key, 0, -1)).map((e) => JSON.parse(e) as { type: string; data: { content: string } });
    assert.equal(entries.length, WINDOW);
    assert.deepEqual(entries.map((e) => e.type), ["human", "ai", "human", "ai", "human", "ai"]);
    assert.equal(entries.at(-1)!.data.content, "Answer 5.");
  });

  it("stores every turn with the seed's fields, in order", async () => {
    const records = await server.services.storage.chatLog.recent(sessionId, 100);
    assert.equal(records.length, 10);
    assert.deepEqual(records.map((r) => r.role), ["user", "ai", "user", "ai", "user", "ai", "user", "ai", "user", "ai"]);
    assert.deepEqual(records.filter((r) => r.role === "ai").map((r) => r.content), [1, 2, 3, 4, 5].map((i) => `Answer ${i}.`));
    for (const r of records) {
      assert.equal(r.session_id, sessionId);
      assert.equal(r.user_id, user);
      assert.equal(r.character_id, "1");
      assert.equal(r.action_type, null);
      assert.ok(r.created_at instanceof Date);
      assert.ok(r.metadata && typeof r.metadata.reply_id === "string");
    }
    const ai = records.find((r) => r.role === "ai")!;
    assert.equal(ai.metadata!.end_reason, "complete");
    assert.equal(ai.metadata!.model, "gpt-4o-mini");
  });

  it("rebuilds a deleted context window from the chat logs when the session is joined again", async () => {
    await redis.del(key);
    const player = await TestPlayer.join(server.wsUrl, await server.tokenFor(user), { character_id: 1, session_id: sessionId });
    await chatAndWait(player, "[[say:Fine.]] And now?");
    await player.leave();
    const sent = lastChatRequest().body.messages.map((m) => m.content);
    assert.ok(sent.includes("Answer 5."), "the prompt carries the conversation rebuilt from the logs");
    assert.ok(!sent.includes("Answer 1."), "only the window, not the whole history");
    await until(async () => (await redis.lindex(key, -1))?.includes('"Fine."') ?? false, "the new answer in the window");
    assert.equal(await redis.llen(key), WINDOW);
  });

  it("remembers exchanges and recalls the relevant one for this player in a later session", async () => {
    const first = await TestPlayer.join(server.wsUrl, await server.tokenFor(user), { character_id: 1, session_id: `${sessionId}-a` });
    await chatAndWait(first, "[[say:Noted.]] My horse is named Thunderhoof and he fears bridges");
    await chatAndWait(first, "[[say:Good.]] I practiced the low guard every morning");
    await first.leave();
    const stored = async () => (await admin.query(`SELECT count(*)::int AS n FROM ${schema}.memories WHERE session_id = $1`, [`${sessionId}-a`])).rows[0].n as number;
    await until(async () => (await stored()) === 2, "both exchanges stored as memories");

    const later = await TestPlayer.join(server.wsUrl, await server.tokenFor(user), { character_id: 1, session_id: `${sessionId}-b` });
    await chatAndWait(later, "What was my horse named, the one that fears bridges?");
    await later.leave();
    const system = String(lastChatRequest().body.messages[0]!.content);
    assert.match(system, /Thunderhoof/);
    assert.equal(await stored(), 2);
  });

  it("records game actions with their action type", async () => {
    const actionSession = `${sessionId}-action`;
    const player = await TestPlayer.join(server.wsUrl, await server.tokenFor(user), { character_id: 1, session_id: actionSession });
    player.send("action", { action_id: "inspect_item", target_id: "sword_001" });
    await player.waitFor("game_event");
    await player.leave();
    await server.services.storage.chatLog.flush(2000);
    const records = await server.services.storage.chatLog.recent(actionSession, 10);
    assert.deepEqual(records.map((r) => [r.role, r.action_type]), [["user", "inspect_item"]]);
  });
});
