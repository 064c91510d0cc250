/**
 * Two real Parley processes behind the real Redis: rooms are found wherever they live, the
 * operators' routes answer, and SIGTERM drains replies, stores every turn and exits 0.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import pg from "pg";
import { startSimOpenAI, type SimOpenAI } from "../../loadtest/sim-openai/server.ts";
import { TestPlayer } from "../testing/test-player.ts";
import { testTokenSigner } from "../testing/test-tokens.ts";
import { freePort, startParleyProcess, type ParleyProcess } from "../testing/process-cluster.ts";

const REDIS_URL = `${process.env.PARLEY_TEST_REDIS_URL ?? "redis://127.0.0.1:6379"}/3`;
const ADMIN_URL = process.env.PARLEY_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/parley_test";
const schema = `parley_cluster_${process.pid}`;
const DATABASE_URL = `${ADMIN_URL}?options=${encodeURIComponent(`-c search_path=${schema},public`)}`;
const SECRET = "cluster-test-secret-cluster-test-secret";

let sim: SimOpenAI;
let admin: pg.Pool;
let a: ParleyProcess;
let b: ParleyProcess;

const tokenFor = testTokenSigner(SECRET);
const ws = (p: ParleyProcess) => `ws://127.0.0.1:${p.port}`;

async function startNode(name: string, extra: Record<string, string> = {}): Promise<ParleyProcess> {
  const port = await freePort();
  return startParleyProcess({
    name, port,
    env: {
      LOG_LEVEL: "info", NODE_ENV: "development", AUTH_SECRET: SECRET, REDIS_URL, DATABASE_URL,
      PUBLIC_ADDRESS: `127.0.0.1:${port}`, OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim",
      MONITOR_PASSWORD: "s3cret", RECONNECT_SECONDS: "0", MODERATION_HOLDBACK: "false",
      SHUTDOWN_DEADLINE_MS: "4000", ...extra,
    },
  });
}

before(async () => {
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  await redis.quit();
  admin = new pg.Pool({ connectionString: ADMIN_URL, max: 1 });
  await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  sim = await startSimOpenAI({ firstTokenMs: 0, tokensPerSecond: 100, log: "silent" });
  [a, b] = await Promise.all([startNode("a"), startNode("b")]);
});

after(async () => {
  await Promise.all([a?.stop("SIGKILL"), b?.stop("SIGKILL")]);
  await sim.close();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

describe("two processes behind one Redis", () => {
  it("a session created through A is joined through B, both get the whole stream, a third lands there too", async () => {
    const sessionId = `cluster-${randomUUID()}`;
    const first = await TestPlayer.join(ws(a), await tokenFor("ann"), { character_id: 1, session_id: sessionId });
    const second = await TestPlayer.join(ws(b), await tokenFor("ben"), { character_id: 1, session_id: sessionId });
    assert.equal(second.room.roomId, first.room.roomId);

    first.send("chat", { content: "[[say:One|, two|, three.]]" });
    const [endA, endB] = await Promise.all([
      first.waitFor("ai_end", (e) => !e.reply_id.startsWith("greeting-")),
      second.waitFor("ai_end", (e) => !e.reply_id.startsWith("greeting-")),
    ]);
    assert.deepEqual(endA, endB);
    assert.equal(endB.full_content, "One, two, three.");
    assert.deepEqual(second.chunksOf(endB.reply_id).map((c) => c.seq), [1, 2, 3]);

    const third = await TestPlayer.join(ws(b), await tokenFor("cai"), { character_id: 1, session_id: sessionId });
    assert.equal(third.room.roomId, first.room.roomId);
    await Promise.all([first.leave(), second.leave(), third.leave()]);
  });

  it("serves the monitor behind basic auth, metrics after a conversation, and readiness", async () => {
    const player = await TestPlayer.join(ws(a), await tokenFor("dee"), { character_id: 1, session_id: `ops-${randomUUID()}` });
    player.send("chat", { content: "[[say:Hm.]]" });
    await player.waitFor("ai_end", (e) => !e.reply_id.startsWith("greeting-"));

    assert.equal((await fetch(`${a.url}/monitor/api`)).status, 401);
    const auth = { authorization: `Basic ${Buffer.from("admin:s3cret").toString("base64")}` };
    const rooms = await fetch(`${a.url}/monitor/api`, { headers: auth });
    assert.equal(rooms.status, 200);
    assert.match(await rooms.text(), /ai_character/);

    // Matchmaking may have put the room on either process: read both.
    const metrics = (await Promise.all([a, b].map(async (p) => (await fetch(`${p.url}/metrics`)).text()))).join("\n");
    assert.match(metrics, /parley_first_chunk_seconds_count \d+/);
    assert.match(metrics, /parley_replies_total\{reason="complete"\} [1-9]/);
    assert.match(metrics, /parley_rooms [1-9]/);

    const ready = await fetch(`${a.url}/readyz`);
    assert.equal(ready.status, 200);
    await player.leave();
  });
});

describe("SIGTERM", () => {
  it("during a reply: the players get the rest or ai_end shutdown, every turn is stored, exit 0 in time", async () => {
    const sessionId = `sigterm-${randomUUID()}`;
    const node = await startNode("c", { SHUTDOWN_DEADLINE_MS: "3000" });
    const player = await TestPlayer.join(ws(node), await tokenFor("eve"), { character_id: 1, session_id: sessionId });
    player.send("chat", { content: "[[slow]] tell me a long story" });
    const first = await player.waitFor("ai_chunk", (c) => !c.reply_id.startsWith("greeting-"));
    const stopped = node.stop("SIGTERM");
    await node.waitForLog((e) => typeof e?.msg === "string" && e.msg.startsWith("shutting down: new chats refused"), 5_000);
    player.send("chat", { content: "one more?" });
    await player.waitFor("error", (e) => e.code === "server/shutting_down");
    const end = await player.waitFor("ai_end", (e) => e.reply_id === first.reply_id, 10_000);
    assert.ok(end.reason === "complete" || end.reason === "shutdown", end.reason);
    assert.equal(end.full_content, player.chunksOf(first.reply_id).map((c) => c.content).join(""));
    const exit = await stopped;
    assert.equal(exit.code, 0);
    assert.ok(exit.ms < 3000 + 1500, `exited after ${exit.ms} ms`);

    const { rows } = await admin.query(
      `SELECT role, content FROM ${schema}.chat_logs WHERE session_id = $1 ORDER BY seq`, [sessionId]);
    assert.deepEqual(rows.map((r: { role: string }) => r.role), ["user", "ai"]);
    assert.equal(rows[1].content, end.full_content);
  });
});
