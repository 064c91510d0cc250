/**
 * With real Parley processes, on PostgreSQL and on the embedded store: a turn whose ai_end a player
 * received survives a `kill -9` right after it; and a chat holding U+0000 is stored (cleaned) and
 * blocks none of the turns after it.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { startSimOpenAI, type SimOpenAI } from "../../loadtest/sim-openai/server.ts";
import { startParleyProcess, type ParleyProcess } from "../testing/process-cluster.ts";
import { TestPlayer } from "../testing/test-player.ts";
import { testTokenSigner } from "../testing/test-tokens.ts";
import { openEmbeddedPostgresInWorker } from "./embedded-postgres-thread.ts";
import type { SqlClient } from "./sql.ts";

const ADMIN_URL = process.env.PARLEY_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
/** The embedded database's first start can take this long on a busy machine. */
const READY_MS = 90_000;
const SECRET = "durability-test-secret-durability-test";
const PLAYERS = 5;
const CHATS_EACH = 6;

let sim: SimOpenAI;
let admin: pg.Pool;
const schemas: string[] = [];
const dirs: string[] = [];

const tokenFor = testTokenSigner(SECRET);

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "parley-durability-"));
  dirs.push(dir);
  return dir;
}

const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean, ms: number): Promise<T> => {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
};

/** A Parley on PostgreSQL needs pgvector for its memories; without it only the embedded store runs. */
const pgvector = await (async () => {
  const probe = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await probe.connect();
    return (await probe.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")).rowCount === 1;
  } catch {
    return false;
  } finally {
    await probe.end().catch(() => undefined);
  }
})();

interface Backend {
  name: string;
  skip?: string | false;
  env(dataDir: string): Promise<Record<string, string>>;
  /** Answers queries on the backend's chat_logs and memories once no Parley has it open. */
  query(dataDir: string): Promise<{ sql: SqlClient; close(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: "PostgreSQL",
    skip: !pgvector && `pgvector is not installed at ${ADMIN_URL}`,
    async env() {
      // One schema for every test: the first Parley creates pgvector in it, and the others find it there.
      const schema = schemas[0] ?? `parley_durability_${randomUUID().replaceAll("-", "")}`;
      if (schemas.length === 0) {
        await admin.query(`CREATE SCHEMA ${schema}`);
        schemas.push(schema);
      }
      const url = new URL(ADMIN_URL);
      url.searchParams.set("options", `-c search_path=${schema},public`);
      return { DATABASE_URL: url.toString(), REDIS_URL: "redis://127.0.0.1:6379", PARLEY_TEST_SCHEMA: schema };
    },
    async query() {
      const schema = schemas.at(-1)!;
      const pool = new pg.Pool({ connectionString: ADMIN_URL, options: `-c search_path=${schema},public`, max: 1 });
      return { sql: pool, close: () => pool.end() };
    },
  },
  {
    name: "embedded PGlite",
    async env() {
      return { DATABASE_URL: "", REDIS_URL: "" };
    },
    async query(dataDir) {
      const db = await openEmbeddedPostgresInWorker(join(dataDir, "pglite"));
      return { sql: db, close: () => db.close() };
    },
  },
];

before(async () => {
  sim = await startSimOpenAI({ firstTokenMs: 0, tokensPerSecond: 400, replyTokens: 8, log: "silent" });
  admin = new pg.Pool({ connectionString: ADMIN_URL, max: 1 });
});

after(async () => {
  await sim.close();
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

for (const backend of backends.filter((b) => !process.env.ONLY || b.name.includes(process.env.ONLY))) {
  describe(`turns on ${backend.name}`, { skip: backend.skip ?? false }, () => {
    const baseEnv = async (dataDir: string) => ({
      AUTH_SECRET: SECRET, DATA_DIR: dataDir, OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim", EMBEDDINGS: "local",
      RECONNECT_SECONDS: "0", CHAT_BURST: "50", LOG_LEVEL: "info", MONGODB_URL: "", ...(await backend.env(dataDir)),
    });

    /**
     * Starts again on the same data and port (the spool file is the port's), waits for the spool to
     * be written, stops, and reads the store.
     */
    const storedAfterRestart = async (env: Record<string, string>, dataDir: string, port: number, sessionPrefix: string) => {
      const second = await startParleyProcess({ name: `${backend.name}-after`, env, port, readyTimeoutMs: READY_MS });
      const spooled = await until(async () => (await readdir(dataDir)).some((f) => f.includes("spool") && statSync(join(dataDir, f)).size > 0), (any) => !any, 10_000);
      assert.equal(spooled, false, "the spool was written to the store");
      await second.stop("SIGTERM");
      const db = await backend.query(dataDir);
      try {
        const { rows } = await db.sql.query<{ id: string; role: string; content: string; session_id: string }>(
          "SELECT id, role, content, session_id FROM chat_logs WHERE session_id LIKE $1 ORDER BY seq", [`${sessionPrefix}%`]);
        const memories = (await db.sql.query<{ content: string }>("SELECT content FROM memories WHERE session_id LIKE $1", [`${sessionPrefix}%`])).rows;
        return { rows, memories, logs: second.logs };
      } finally {
        await db.close();
      }
    };

    it("keeps every turn whose ai_end was received when the process is killed right after the last one", async (t) => {
      const dataDir = tempDir();
      const env = await baseEnv(dataDir);
      const prefix = `kill-${randomUUID()}`;
      const first: ParleyProcess = await startParleyProcess({ name: `${backend.name}-killed`, env, readyTimeoutMs: READY_MS });
      const players = await Promise.all(Array.from({ length: PLAYERS }, async (_, i) =>
        TestPlayer.join(`ws://127.0.0.1:${first.port}`, await tokenFor(`p${i}`), { character_id: 1, session_id: `${prefix}-${i}` })));
      const ended: string[] = [];
      let killed: Promise<unknown> | undefined;
      await Promise.all(players.map(async (player, i) => {
        for (let n = 0; n < CHATS_EACH && !killed; n++) {
          const end = await player.say(`[[say:Reply ${i}.${n}.]] chat ${n}`).catch(() => null);
          if (!end || killed) return;
          ended.push(end.reply_id);
          // No waiting at all: the process dies the moment the last reply is known to have ended.
          if (ended.length === PLAYERS * CHATS_EACH) killed = first.stop("SIGKILL");
        }
      }));
      assert.equal((await killed) && ended.length, PLAYERS * CHATS_EACH);
      assert.equal(first.child.signalCode, "SIGKILL");

      const { rows, logs } = await storedAfterRestart(env, dataDir, first.port, prefix);
      const storedAi = new Set(rows.filter((r) => r.role === "ai").map((r) => r.id));
      const missing = ended.filter((id) => !storedAi.has(`${id}:ai`));
      assert.deepEqual(missing, [], `${missing.length} of ${ended.length} turns whose ai_end was received are missing; stored ${rows.map((r) => r.id).join(" ")}`);
      assert.equal(rows.filter((r) => r.role === "user").length, ended.length, "and the player's side of each");
      t.diagnostic(logs.some((l) => l.includes("replaying chat logs spooled")) ? "some turns came back from the spool" : "every turn had reached the store");
    });

    it("stores a chat holding U+0000 cleaned, and every turn after it", async () => {
      const dataDir = tempDir();
      const env = await baseEnv(dataDir);
      const session = `nul-${randomUUID()}`;
      const first = await startParleyProcess({ name: `${backend.name}-nul`, env, readyTimeoutMs: READY_MS });
      const player = await TestPlayer.join(`ws://127.0.0.1:${first.port}`, await tokenFor("nul"), { character_id: 1, session_id: session });
      await player.say("[[say:Odd.]] my name is Zed\u0000Zed");
      await player.say("[[say:Later.]] a later turn");
      // No wait for the memory writer's batch: a SIGTERM writes what waits before the process exits.
      await first.stop("SIGTERM");
      const second = await startParleyProcess({ name: `${backend.name}-nul-2`, env, port: first.port, readyTimeoutMs: READY_MS });
      const again = await TestPlayer.join(`ws://127.0.0.1:${second.port}`, await tokenFor("nul"), { character_id: 1, session_id: session });
      await again.say("[[say:After restart.]] after a restart");
      await second.stop("SIGTERM");

      const { rows, memories, logs } = await storedAfterRestart(env, dataDir, first.port, session);
      assert.deepEqual(rows.map((r) => r.content), [
        "[[say:Odd.]] my name is Zed\uFFFDZed", "Odd.", "[[say:Later.]] a later turn", "Later.",
        "[[say:After restart.]] after a restart", "After restart.",
      ]);
      assert.ok(memories.some((m) => m.content.includes("Zed\uFFFDZed")), "the memory is stored, cleaned");
      const problems = [...first.logs, ...second.logs, ...logs].filter((l) => /write failed|writes failing|dead-letter|context window write failed/.test(l));
      assert.deepEqual(problems, []);
      assert.equal(existsSync(join(dataDir, "chat-log-dead-letter.jsonl")), false);
    });
  });
}
