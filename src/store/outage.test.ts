/**
 * Nothing lost, with real Parley processes: the chat-log database goes away mid-conversation,
 * players still get replies, a SIGTERM comes during the outage, and after a restart every turn is
 * stored exactly once. And the embedded default keeps chat logs and memories across restarts.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { startSimOpenAI, type SimOpenAI } from "../../loadtest/sim-openai/server.ts";
import { freePort, startParleyProcess } from "../testing/process-cluster.ts";
import { TestPlayer } from "../testing/test-player.ts";
import { testTokenSigner } from "../testing/test-tokens.ts";
import { TcpProxy } from "../testing/tcp-proxy.ts";

const ADMIN_URL = process.env.PARLEY_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/parley_test";
const SECRET = "outage-test-secret-outage-test-secret";
const schema = `parley_outage_${process.pid}`;

let sim: SimOpenAI;
let admin: pg.Pool;
const dirs: string[] = [];

const tokenFor = testTokenSigner(SECRET);

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "parley-outage-"));
  dirs.push(dir);
  return dir;
}

before(async () => {
  sim = await startSimOpenAI({ firstTokenMs: 0, tokensPerSecond: 0, replyTokens: 4, log: "silent" });
  admin = new pg.Pool({ connectionString: ADMIN_URL, max: 1 });
  await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
});

after(async () => {
  await sim.close();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("a chat-log database outage", () => {
  it("keeps the replies coming, survives SIGTERM, and stores every turn exactly once after restart", async () => {
    const proxy = new TcpProxy("127.0.0.1", 5432);
    await proxy.start();
    const port = await freePort();
    const url = new URL(ADMIN_URL);
    url.port = String(proxy.port);
    url.searchParams.set("options", `-c search_path=${schema},public`);
    const env = {
      AUTH_SECRET: SECRET, DATABASE_URL: url.toString(), DATA_DIR: dataDir(), OPENAI_BASE_URL: sim.url,
      OPENAI_API_KEY: "sim", RECONNECT_SECONDS: "0", CHAT_BURST: "50", SHUTDOWN_DEADLINE_MS: "3000", LOG_LEVEL: "info",
    };
    const sessionId = `outage-${randomUUID()}`;
    const first = await startParleyProcess({ name: "before", port, env });
    const player = await TestPlayer.join(`ws://127.0.0.1:${port}`, await tokenFor("olga"), { character_id: 1, session_id: sessionId });
    const replies = [await player.say("[[say:One.]] first")];

    await proxy.stop();
    const ready = await fetch(`${first.url}/readyz`);
    assert.equal(ready.status, 503, "readiness fails while the database is down");
    assert.match(JSON.stringify(await ready.json()), /chat_logs/);
    for (const n of ["Two.", "Three.", "Four."]) replies.push(await player.say(`[[say:${n}]] during the outage`));
    assert.deepEqual(replies.map((r) => r.full_content), ["One.", "Two.", "Three.", "Four."]);

    const exit = await first.stop("SIGTERM");
    assert.equal(exit.code, 0);

    await proxy.start();
    const second = await startParleyProcess({ name: "after", port, env });
    try {
      const deadline = Date.now() + 10_000;
      let rows: Array<{ role: string; content: string }> = [];
      while (Date.now() < deadline) {
        rows = (await admin.query(`SELECT role, content FROM ${schema}.chat_logs WHERE session_id = $1 ORDER BY seq`, [sessionId])).rows;
        if (rows.length >= 8) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.deepEqual(rows.map((r) => r.role), ["user", "ai", "user", "ai", "user", "ai", "user", "ai"]);
      assert.deepEqual(rows.filter((r) => r.role === "ai").map((r) => r.content), ["One.", "Two.", "Three.", "Four."]);
      assert.ok(second.logs.some((l) => l.includes("replaying chat logs spooled")), "the spool was replayed");
    } finally {
      await second.stop("SIGTERM");
      await proxy.stop();
    }
  });
});

describe("the embedded default", () => {
  it("keeps chat logs and memories across restarts, with no services at all", async () => {
    const env = {
      AUTH_SECRET: SECRET, DATA_DIR: dataDir(), OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim",
      EMBEDDINGS: "local", MEMORY_TIMEOUT_MS: "2000", RECONNECT_SECONDS: "0", LOG_LEVEL: "info",
      REDIS_URL: "", DATABASE_URL: "", MONGODB_URL: "",
    };
    const sessionId = `embedded-${randomUUID()}`;
    const first = await startParleyProcess({ name: "embedded-1", env });
    const player = await TestPlayer.join(`ws://127.0.0.1:${first.port}`, await tokenFor("pia"), { character_id: 1, session_id: sessionId });
    await player.say("[[say:Noted.]] My sister Marguerite taught me to fence with a broom");
    assert.equal((await first.stop("SIGTERM")).code, 0);

    const second = await startParleyProcess({ name: "embedded-2", env });
    try {
      const again = await TestPlayer.join(`ws://127.0.0.1:${second.port}`, await tokenFor("pia"), { character_id: 1, session_id: sessionId });
      await again.say("Who taught me to fence?");
      const sent = sim.stats.lastRequests.at(-1)!.body.messages.map((m) => String(m.content));
      assert.ok(sent.includes("Noted."), "the conversation was rebuilt from the stored chat logs");
      const other = await TestPlayer.join(`ws://127.0.0.1:${second.port}`, await tokenFor("pia"), { character_id: 1, session_id: `${sessionId}-2` });
      await other.say("Do you remember who taught me, my sister?");
      assert.match(String(sim.stats.lastRequests.at(-1)!.body.messages[0]!.content), /Marguerite/, "a memory from before the restart");
    } finally {
      await second.stop("SIGTERM");
    }
  });
});
