/**
 * Resident memory of an idle Parley: starts the real server as `npm start` does (`node src/index.ts`
 * with the start script's environment, offline model, a fresh DATA_DIR) and reads its RSS 5 s after
 * start and once it has been idle for `--settle-ms` (V8 gives back its young generation only after
 * some seconds without work), then the same after a player's chats and after a restart, on the
 * embedded store and on PostgreSQL + Redis.
 * Run: npm run bench:idle-rss [-- --store embedded|services|both --chats 20 --detail]
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { TestPlayer } from "../src/testing/test-player.ts";
import { botTokenSigner } from "./bot-token.ts";
import { prepareServices } from "./bench-services.ts";
import { freePorts, spawnTs, stopChild, tailStderr, waitForHttp } from "./child-processes.ts";
import { parseStatusRssKb } from "./proc-stats.ts";

const { values } = parseArgs({
  options: {
    store: { type: "string", default: "both" },
    chats: { type: "string", default: "20" },
    /** How long the process is left alone before it is measured. */
    "settle-ms": { type: "string", default: "30000" },
    /** Also list the largest mappings, to see where the memory is. */
    detail: { type: "boolean", default: false },
    /** NAME=VALUE for the server's environment, repeatable. */
    env: { type: "string", multiple: true, default: [] },
    "database-url": { type: "string", default: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/parley_test" },
    "redis-url": { type: "string", default: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" },
  },
});
const chats = Number(values.chats);
const settleMs = Number(values["settle-ms"]);
const extraEnv = Object.fromEntries(values.env.map((kv) => kv.split(/=(.*)/s, 2) as [string, string]));
const AUTH_SECRET = "idle-rss-secret-idle-rss-secret-0000";
const root = resolve(import.meta.dirname, "..");

interface Reading { rssMb: number; anonMb: number; largest: string[] }
/** Read 5 s after a step, and again once idle for the settle time. */
interface Readings { early: Reading; settled: Reading }
const EARLY_MS = 5000;

/** The environment `npm start` sets before `node` (e.g. `MALLOC_TRIM_THRESHOLD_=131072`). */
function startScriptEnv(): Record<string, string> {
  const { scripts } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: { start: string } };
  return Object.fromEntries([...scripts.start.matchAll(/\b([A-Z_][A-Z0-9_]*)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
}

async function readAfterIdle(pid: number): Promise<Readings> {
  await sleep(EARLY_MS);
  const early = readMemory(pid);
  await sleep(Math.max(0, settleMs - EARLY_MS));
  return { early, settled: readMemory(pid) };
}

function readMemory(pid: number): Reading {
  const rssMb = parseStatusRssKb(readFileSync(`/proc/${pid}/status`, "utf8")) / 1024;
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const anonMb = Number(/^Anonymous:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) / 1024;
  return { rssMb, anonMb, largest: values.detail ? largestMappings(pid, 10) : [] };
}

/** The mappings holding the most resident memory: the WASM heap shows as one large anonymous range. */
function largestMappings(pid: number, count: number): string[] {
  const mappings: { name: string; sizeMb: number; rssMb: number }[] = [];
  let current: { name: string; sizeMb: number; rssMb: number } | undefined;
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const head = /^([0-9a-f]+)-([0-9a-f]+)\s+\S+\s+\S+\s+\S+\s+\S+\s*(.*)$/.exec(line);
    if (head) {
      const size = (Number.parseInt(head[2]!, 16) - Number.parseInt(head[1]!, 16)) / 2 ** 20;
      current = { name: head[3] || "[anon]", sizeMb: size, rssMb: 0 };
      mappings.push(current);
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && current) current.rssMb = Number(rss[1]) / 1024;
  }
  return mappings.sort((a, b) => b.rssMb - a.rssMb).slice(0, count)
    .map((m) => `${m.rssMb.toFixed(0)} MB resident of ${m.sizeMb.toFixed(0)} MB ${m.name}`);
}

interface Steps { started: Readings; chatted: Readings; restarted: Readings }

async function startServer(env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawnTs("src/index.ts", [], env, root);
  const stderr = tailStderr(child);
  try {
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, 60_000, child);
  } catch (err) {
    await stopChild(child);
    throw new Error(`${(err as Error).message}\n${stderr()}`);
  }
  return child;
}

async function chat(port: number): Promise<void> {
  const player = await TestPlayer.join(`ws://127.0.0.1:${port}`, await botTokenSigner(AUTH_SECRET)("idle-rss"),
    { character_id: 1, session_id: `idle-rss-${process.pid}` });
  await player.waitFor("ai_end", (e) => e.reply_id.startsWith("greeting-"), 30_000);
  for (let i = 0; i < chats; i++) {
    const ends = player.of("ai_end").length;
    player.send("chat", { content: `Tell me about the sword, question ${i}?` });
    await player.waitFor("ai_end", () => player.of("ai_end").length > ends, 30_000);
  }
  await player.leave();
}

/** A first start (which creates the embedded database), chats, then a start on the same folder. */
async function measure(store: "embedded" | "services"): Promise<Steps> {
  const [port] = await freePorts(1);
  const dataDir = mkdtempSync(join(tmpdir(), "parley-idle-rss-"));
  const env: Record<string, string> = {
    PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, AUTH_SECRET, LOG_LEVEL: "warn", DEMO: "false",
    OFFLINE_MODEL_TOKEN_MS: "0", CHAT_BURST: "1000", CHAT_PER_SECOND: "1000", ...startScriptEnv(), ...extraEnv,
  };
  if (store === "services") {
    env.DATABASE_URL = values["database-url"];
    env.REDIS_URL = values["redis-url"];
  }
  try {
    let child = await startServer(env, port!);
    let started: Readings;
    let chatted: Readings;
    try {
      started = await readAfterIdle(child.pid!);
      await chat(port!);
      chatted = await readAfterIdle(child.pid!);
    } finally {
      await stopChild(child);
    }
    child = await startServer(env, port!);
    try {
      return { started, chatted, restarted: await readAfterIdle(child.pid!) };
    } finally {
      await stopChild(child);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function cell({ early, settled }: Readings): string {
  return `${early.rssMb.toFixed(0)} → ${settled.rssMb.toFixed(0)} MB (anon ${early.anonMb.toFixed(0)} → ${settled.anonMb.toFixed(0)})`;
}

const stores = values.store === "both" ? (["embedded", "services"] as const) : [values.store as "embedded" | "services"];
const rows: string[] = [];
for (const store of stores) {
  if (store === "services") {
    const reason = await prepareServices(values["database-url"], values["redis-url"]);
    if (reason) { rows.push(`| services | skipped: ${reason} | | |`); continue; }
  }
  const readings = await measure(store);
  rows.push(`| ${store} | ${(["started", "chatted", "restarted"] as const).map((k) => cell(readings[k])).join(" | ")} |`);
  for (const [k, r] of Object.entries(readings)) for (const line of r.settled.largest) console.log(`${store} ${k}: ${line}`);
}
console.log(`\nIdle RSS of node src/index.ts with ${JSON.stringify(startScriptEnv())} (VmRSS; anonymous memory from smaps_rollup), ${EARLY_MS / 1000} s → ${settleMs / 1000} s after each step; a first start also creates the embedded database`);
console.log(`| store | first start | after ${chats} chats | restart on the same data |`);
console.log("|---|---|---|---|");
for (const row of rows) console.log(row);
process.exit(0);
