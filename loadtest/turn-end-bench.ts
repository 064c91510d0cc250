/**
 * What a reply's end costs: the time from its last ai_chunk to its ai_end, as a player sees it.
 * Since ai_end waits for the turn to be synced to the chat-log spool file, this is that fsync plus
 * a frame; before, ai_end followed the last chunk in the same tick. Players chat in sessions of
 * their own, all at once, so turns end together as they do under load.
 *
 *   node loadtest/turn-end-bench.ts [--root <a Parley checkout>] [--players 20] [--chats 10]
 *
 * `--root` runs another checkout (e.g. the commit before) against the same simulated model.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { SignJWT } from "jose";
import pg from "pg";
import { freePort } from "../src/testing/process-cluster.ts";
import { TestPlayer } from "../src/testing/test-player.ts";
import { numberAtLeast } from "./cli-numbers.ts";
import { startSimOpenAI } from "./sim-openai/server.ts";

const NODE_BIN = fileURLToPath(new URL("../node_modules/.bin/node", import.meta.url));
const SECRET = "turn-end-bench-secret-turn-end-bench";
const ADMIN_URL = process.env.PARLEY_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const { values } = parseArgs({
  options: {
    root: { type: "string", default: fileURLToPath(new URL("..", import.meta.url)) },
    players: { type: "string", default: "20" },
    chats: { type: "string", default: "10" },
  },
});
const players = numberAtLeast("players", values.players!);
const chats = numberAtLeast("chats", values.chats!);

const sim = await startSimOpenAI({ firstTokenMs: 20, tokensPerSecond: 200, replyTokens: 12, log: "silent" });
const admin = new pg.Pool({ connectionString: ADMIN_URL, max: 1 });
// A database of its own: pgvector lives in one schema per database, and a run killed midway leaves nothing behind in a shared one.
const database = `parley_bench_${randomUUID().replaceAll("-", "")}`;
await admin.query(`CREATE DATABASE ${database}`);
const dataDir = mkdtempSync(join(tmpdir(), "parley-turn-end-"));
const url = new URL(ADMIN_URL);
url.pathname = `/${database}`;
const port = await freePort();
const child = spawn(NODE_BIN, ["src/index.ts"], {
  cwd: resolve(values.root!),
  env: {
    ...process.env, PORT: String(port), AUTH_SECRET: SECRET, DATA_DIR: dataDir, DATABASE_URL: url.toString(), REDIS_URL: "",
    MONGODB_URL: "", OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim", EMBEDDINGS: "local", LOG_LEVEL: "info", RECONNECT_SECONDS: "0", CHAT_BURST: "1000",
  },
  stdio: ["ignore", "pipe", "inherit"],
});
const started = new Promise<void>((ready, fail) => {
  createInterface({ input: child.stdout! }).on("line", (line) => { if (line.includes("Parley listening")) ready(); });
  child.once("exit", (code) => fail(new Error(`Parley exited (${code})`)));
});

const gaps: number[] = [];
try {
  await started;
  await Promise.all(Array.from({ length: players }, async (_, i) => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(`bench-${i}`).setIssuedAt().setExpirationTime("10m")
      .sign(new TextEncoder().encode(SECRET));
    const player = await TestPlayer.join(`ws://127.0.0.1:${port}`, token, { character_id: 1, session_id: `bench-${randomUUID()}` });
    let lastChunkAt = 0;
    player.room.onMessage("ai_chunk", () => { lastChunkAt = performance.now(); });
    for (let n = 0; n < chats; n++) {
      const ended = new Promise<number>((done) => player.room.onMessage("ai_end", (m: { reply_id: string }) => {
        if (!m.reply_id.startsWith("greeting-")) done(performance.now());
      }));
      player.send("chat", { content: `chat ${n} of player ${i}` });
      const endAt = await ended;
      gaps.push(endAt - lastChunkAt);
    }
    await player.leave();
  }));
} finally {
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  await sim.close();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
  rmSync(dataDir, { recursive: true, force: true });
}

gaps.sort((a, b) => a - b);
const at = (q: number) => gaps[Math.min(gaps.length - 1, Math.floor(q * gaps.length))]!.toFixed(2);
console.log(`last ai_chunk -> ai_end, ${gaps.length} replies (${players} players x ${chats} chats), ms: ` +
  `p50 ${at(0.5)}  p90 ${at(0.9)}  p99 ${at(0.99)}  max ${gaps.at(-1)!.toFixed(2)}  mean ${(gaps.reduce((a, b) => a + b, 0) / gaps.length).toFixed(2)}`);
