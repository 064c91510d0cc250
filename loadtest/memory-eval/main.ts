/**
 * `npm run eval:memory`: how well and how fast Parley recalls a player's memories.
 *
 *   --unrelated N    memories besides the 50 planted facts (default 1000)
 *   --sizes a,b      memories of one player for the latency levels (default 1000,10000,100000)
 *   --lookups N      lookups timed per level (default 200)
 *
 * Quality runs with the local embedder, and with the configured endpoint's too when
 * `EMBEDDINGS=openai` and `OPENAI_BASE_URL` are set. Latency runs in PostgreSQL: `DATABASE_URL`,
 * else the local test database; without either, the embedded database.
 */
import { cpus, hostname } from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { loadConfig } from "../../src/config.ts";
import { createEmbedder, describeEmbedder, embedderIdentity, type EmbedderSettings } from "../../src/memory/embedder-choice.ts";
import { HashingEmbedder } from "../../src/memory/hashing-embedder.ts";
import type { Embedder } from "../../src/memory/long-term-memory.ts";
import { openEmbeddedPostgres } from "../../src/store/embedded-postgres.ts";
import type { SqlClient } from "../../src/store/sql.ts";
import { evalDataset, unrelatedExchanges } from "./dataset.ts";
import { lookupLatencies, loadStore, percentile, scoreQuestions, type EvalStore, type Hits } from "./recall-eval.ts";

const TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/parley_test";
const SCHEMA = "parley_memory_eval";

const { values: args } = parseArgs({
  options: {
    unrelated: { type: "string", default: "1000" },
    sizes: { type: "string", default: "1000,10000,100000" },
    lookups: { type: "string", default: "200" },
  },
});

const config = loadConfig({ ...process.env, NODE_ENV: "development" });
const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(0)}%`;
const line = (label: string, h: Hits) => `${label.padEnd(4)} ${String(h.questions).padStart(3)} questions  hit@1 ${pct(h.hit1, h.questions).padStart(4)}  hit@3 ${pct(h.hit3, h.questions).padStart(4)}`;

async function openDatabase(): Promise<{ sql: SqlClient; where: string; encoding: "binary" | "text"; close(): Promise<void> }> {
  const url = process.env.DATABASE_URL || TEST_DATABASE_URL;
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  try {
    await pool.query("SELECT 1");
    await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await pool.query(`CREATE SCHEMA ${SCHEMA}`);
    const { rows } = await pool.query<{ v: string }>("SELECT split_part(version(), ' ', 2) AS v");
    return {
      sql: pool, where: `PostgreSQL ${rows[0]!.v}`, encoding: "binary",
      close: async () => { await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`); await pool.end(); },
    };
  } catch {
    await pool.end().catch(() => {});
    const dir = mkdtempSync(join(tmpdir(), "parley-memory-eval-"));
    const db = await openEmbeddedPostgres(dir);
    await db.query(`CREATE SCHEMA ${SCHEMA}`);
    return { sql: db, where: "embedded PGlite", encoding: "text", close: async () => { await db.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
}

async function quality(db: Awaited<ReturnType<typeof openDatabase>>, name: string, embedder: Embedder): Promise<void> {
  const dataset = evalDataset({ unrelated: Number(args.unrelated) });
  const store: EvalStore = { sql: db.sql, table: `${SCHEMA}.quality_${name}`, embedder, vectorEncoding: db.encoding, recallLimit: config.memory.recallLimit };
  const handle = await loadStore(store, dataset);
  const result = await scoreQuestions(handle, dataset);
  await handle.close();
  console.log(`\n${name}: 50 facts among ${args.unrelated} other memories of one player, recall limit ${config.memory.recallLimit}`);
  console.log(line("en", result.en));
  console.log(line("zh", result.zh));
  console.log(line("all", result.all));
  for (const miss of result.misses) console.log(`  missed ${miss}`);
}

async function latency(db: Awaited<ReturnType<typeof openDatabase>>, size: number): Promise<void> {
  const dataset = evalDataset({ unrelated: Math.max(0, size - 50) });
  const store: EvalStore = {
    sql: db.sql, table: `${SCHEMA}.latency_${size}`, embedder: new HashingEmbedder({ dimensions: config.memory.dimensions }),
    vectorEncoding: db.encoding, recallLimit: config.memory.recallLimit,
  };
  const loadStart = performance.now();
  const handle = await loadStore(store, dataset);
  const loadMs = performance.now() - loadStart;
  const texts = dataset.questions.map((q) => q.fact.question);
  await lookupLatencies(handle, texts, 20);
  const times = await lookupLatencies(handle, texts, Number(args.lookups));
  await handle.close();
  await db.sql.query(`DROP TABLE ${store.table}`);
  console.log(`${String(size).padStart(7)} memories  p50 ${percentile(times, 50).toFixed(2).padStart(7)} ms  p99 ${percentile(times, 99).toFixed(2).padStart(7)} ms  (loaded in ${(loadMs / 1000).toFixed(1)} s)`);
}

function embedMicros(embedder: HashingEmbedder): number {
  const texts = unrelatedExchanges(2000, 3).map((o) => `${o.said} ${o.answered}`);
  for (const text of texts) embedder.embedOne(text);
  const start = performance.now();
  for (let round = 0; round < 5; round++) for (const text of texts) embedder.embedOne(text);
  return ((performance.now() - start) * 1000) / (5 * texts.length);
}

async function main(): Promise<void> {
  const started = performance.now();
  const db = await openDatabase();
  const local = new HashingEmbedder({ dimensions: config.memory.dimensions });
  console.log(`memory eval on ${cpus()[0]?.model ?? "?"} (${cpus().length} cores, ${hostname()}), ${db.where}, ${new Date().toISOString().slice(0, 10)}`);
  console.log(`local embedder ${describeEmbedder(embedderIdentity({ kind: "local", model: "", dimensions: local.dimensions }))}: ${embedMicros(local).toFixed(1)} µs per embed`);
  try {
    await quality(db, "local", local);
    const settings: EmbedderSettings = {
      kind: "openai", explicit: true, model: config.memory.embeddingModel, dimensions: config.memory.dimensions,
      encoding: config.memory.embeddingEncoding, apiKey: config.model.apiKey, baseUrl: config.model.baseUrl, http2: false,
    };
    if (process.env.EMBEDDINGS === "openai" && process.env.OPENAI_BASE_URL) {
      const remote = createEmbedder(settings);
      try {
        await quality(db, "openai", remote);
      } finally {
        remote.close?.();
      }
    } else {
      console.log("\n(no embeddings endpoint: set EMBEDDINGS=openai and OPENAI_BASE_URL to measure it too)");
    }
    console.log(`\nrecall latency in ${db.where}, one player's memories, single lookups sent at once (embed + query + rank), local embedder:`);
    for (const size of args.sizes.split(",").map(Number).filter((n) => n > 0)) await latency(db, size);
  } finally {
    await db.close();
  }
  console.log(`\ndone in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

await main();
