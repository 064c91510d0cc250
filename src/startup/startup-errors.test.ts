/**
 * Each misconfiguration an operator met, run as the real process: it must exit non-zero within
 * seconds, with one line on stderr that names the setting, and no stack trace.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { freePort, startParleyProcess } from "../testing/process-cluster.ts";
import { TEST_DATABASE_URL } from "../testing/pg-schema.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NODE_BIN = fileURLToPath(new URL("../../node_modules/.bin/node", import.meta.url));
/** Loading the code takes 1-3 s on this machine; every check at start is bounded by 5 s. */
const EXIT_WITHIN_MS = 10_000;

interface Failure { code: number | null; stderr: string; stdout: string; ms: number }

/** Runs `src/index.ts` with the given settings (over a clean environment) until it exits. */
async function startExpectingFailure(env: Record<string, string>, uid?: number): Promise<Failure> {
  const started = performance.now();
  const dataDir = mkdtempSync(join(tmpdir(), "parley-start-"));
  const child = spawn(NODE_BIN, ["src/index.ts"], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, LOG_LEVEL: "warn", DATA_DIR: dataDir, PORT: String(await freePort()), ...env },
    stdio: ["ignore", "pipe", "pipe"],
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (s: string) => { stdout += s; });
  child.stderr!.setEncoding("utf8").on("data", (s: string) => { stderr += s; });
  const timer = setTimeout(() => child.kill("SIGKILL"), EXIT_WITHIN_MS + 5_000);
  const code = await new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c)));
  clearTimeout(timer);
  rmSync(dataDir, { recursive: true, force: true });
  return { code, stderr, stdout, ms: Math.round(performance.now() - started) };
}

function assertOneLine(run: Failure, setting: string, says?: RegExp): void {
  const lines = run.stderr.split("\n").filter((l) => l.trim() !== "");
  const output = `\n--- stderr ---\n${run.stderr}\n--- stdout ---\n${run.stdout}`;
  assert.notEqual(run.code, 0, `exits non-zero${output}`);
  assert.notEqual(run.code, null, `exits by itself, not killed after ${run.ms} ms${output}`);
  assert.equal(lines.length, 1, `one line on stderr${output}`);
  assert.match(lines[0]!, new RegExp(`^parley: cannot start: ${setting}: `), output);
  if (says) assert.match(lines[0]!, says, output);
  assert.doesNotMatch(run.stderr + run.stdout, /^\s+at /m, `no stack trace${output}`);
  assert.ok(run.ms < EXIT_WITHIN_MS, `exits within ${EXIT_WITHIN_MS} ms, took ${run.ms}`);
}

const cases: { name: string; env: Record<string, string>; setting: string; says?: RegExp }[] = [
  { name: "a base URL without a scheme (every chat would fail)", env: { OPENAI_BASE_URL: "localhost:11434/v1" }, setting: "OPENAI_BASE_URL", says: /http:\/\/localhost:11434\/v1/ },
  { name: "a base URL that is not a URL", env: { OPENAI_BASE_URL: "not-a-url" }, setting: "OPENAI_BASE_URL" },
  { name: "a port that is not a number", env: { PORT: "abc" }, setting: "PORT" },
  { name: "production without AUTH_SECRET", env: { NODE_ENV: "production" }, setting: "AUTH_SECRET" },
  { name: "a flood limit of 0 (every player disconnected)", env: { FLOOD_MESSAGES_PER_SECOND: "0" }, setting: "FLOOD_MESSAGES_PER_SECOND" },
  { name: "a chat burst of 0 (every chat refused)", env: { CHAT_BURST: "0" }, setting: "CHAT_BURST" },
  { name: "a longest chat of 0 characters", env: { CHAT_MAX_CHARS: "0" }, setting: "CHAT_MAX_CHARS" },
  { name: "a missing characters folder", env: { CHARACTERS_DIR: "/nonexistent/characters" }, setting: "CHARACTERS_DIR" },
  { name: "a missing blocklist", env: { MODERATION_BLOCKLIST: "/nonexistent/blocklist.txt" }, setting: "MODERATION_BLOCKLIST", says: /set it to off/ },
  { name: "a DATA_DIR that cannot be a folder", env: { DATA_DIR: "/etc/hostname/parley" }, setting: "DATA_DIR", says: /DATABASE_URL/ },
  { name: "Redis on a closed port", env: { REDIS_URL: "redis://127.0.0.1:1" }, setting: "REDIS_URL", says: /ECONNREFUSED/ },
  { name: "PostgreSQL on a closed port, its password kept out of the line", env: { DATABASE_URL: "postgres://parley:s3cret@127.0.0.1:1/parley" }, setting: "DATABASE_URL", says: /^(?!.*s3cret).*ECONNREFUSED/ },
];

for (const c of cases) {
  test(`start-up refuses ${c.name}: one line naming ${c.setting}`, async (t) => {
    const run = await startExpectingFailure(c.env);
    t.diagnostic(`exit ${run.code} in ${run.ms} ms: ${run.stderr.trim()}`);
    assertOneLine(run, c.setting, c.says);
  });
}

test("a port another process listens on is one line, not a stack and a server that serves nothing", async (t) => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "0.0.0.0", resolve));
  t.after(() => taken.close());
  const port = (taken.address() as { port: number }).port;
  const run = await startExpectingFailure({ PORT: String(port) });
  t.diagnostic(`exit ${run.code} in ${run.ms} ms: ${run.stderr.trim()}`);
  assertOneLine(run, "PORT", /EADDRINUSE/);
});

test("a DATA_DIR the server's user cannot write is refused at once, not after a hang", { skip: process.getuid?.() !== 0 && "needs root to run the server as another user" }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "parley-readonly-"));
  // Owned by root, mode 0700 from mkdtemp: `nobody` can neither list nor write it.
  const run = await startExpectingFailure({ DATA_DIR: dir }, 65534);
  t.diagnostic(`exit ${run.code} in ${run.ms} ms: ${run.stderr.trim()}`);
  assertOneLine(run, "DATA_DIR", /EACCES/);
});

test("a second process on a busy embedded data folder is told to set DATA_DIR or DATABASE_URL; a changed EMBEDDING_DIMENSIONS over that table is refused", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "parley-shared-"));
  const first = await startParleyProcess({ name: "first", baseEnv: { PATH: process.env.PATH }, env: { DATA_DIR: dataDir, LOG_LEVEL: "info" } });
  t.after(async () => { await first.stop("SIGKILL"); });

  const busy = await startExpectingFailure({ DATA_DIR: dataDir });
  t.diagnostic(`busy: exit ${busy.code} in ${busy.ms} ms: ${busy.stderr.trim()}`);
  assertOneLine(busy, "DATA_DIR", /in use by another Parley process.*DATA_DIR.*DATABASE_URL/);

  const stopped = await first.stop();
  assert.equal(stopped.code, 0, "the first process stops cleanly");
  const resized = await startExpectingFailure({ DATA_DIR: dataDir, EMBEDDING_DIMENSIONS: "128" });
  t.diagnostic(`resized: exit ${resized.code} in ${resized.ms} ms: ${resized.stderr.trim()}`);
  assertOneLine(resized, "EMBEDDING_DIMENSIONS", /holds vectors of 256 dimensions.*EMBEDDING_DIMENSIONS=256/);
});

test("a malformed character file is named in the one line", async () => {
  const dir = mkdtempSync(join(tmpdir(), "parley-chars-"));
  writeFileSync(join(dir, "broken.json"), "{}");
  const run = await startExpectingFailure({ CHARACTERS_DIR: dir });
  assertOneLine(run, "CHARACTERS_DIR", /broken\.json/);
});

/** The test PostgreSQL server (src/testing/pg-schema.ts), or undefined when none runs here. */
async function testPostgres(): Promise<pg.Client | undefined> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return client;
  } catch {
    return undefined;
  }
}

test("a PostgreSQL that refuses CREATE EXTENSION vector is one line saying what to run", async (t) => {
  const admin = await testPostgres();
  if (!admin) return t.skip(`no PostgreSQL at ${TEST_DATABASE_URL}`);
  // A database whose owner is no superuser: pgvector is not a trusted extension, so it is refused.
  const name = `parley_noext_${process.pid}_${Date.now()}`;
  await admin.query(`CREATE ROLE ${name} LOGIN`);
  await admin.query(`CREATE DATABASE ${name} OWNER ${name}`);
  t.after(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`DROP ROLE IF EXISTS ${name}`);
    await admin.end();
  });
  const url = new URL(TEST_DATABASE_URL);
  url.username = name;
  url.pathname = `/${name}`;
  const run = await startExpectingFailure({ DATABASE_URL: url.toString() });
  t.diagnostic(`exit ${run.code} in ${run.ms} ms: ${run.stderr.trim()}`);
  assertOneLine(run, "DATABASE_URL", /refused CREATE EXTENSION vector \(.*permission denied.*\).*CREATE EXTENSION vector;/);
});
