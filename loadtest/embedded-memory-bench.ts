/**
 * The embedded database's hot paths, as the server uses them: memories written one row per
 * statement and recalled by player, on a fresh folder. Compares settings of the embedded database
 * (shared buffers, WASM tier-up) by their cost in time.
 * Run: node loadtest/embedded-memory-bench.ts [--players 20 --memories 200 --recalls 400]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { HashingEmbedder } from "../src/memory/hashing-embedder.ts";
import { migrateLongTermMemory } from "../src/memory/pg-memory-schema.ts";
import { PgLongTermMemory } from "../src/memory/pg-long-term-memory.ts";
import { openEmbeddedPostgresInWorker } from "../src/store/embedded-postgres-thread.ts";
import { percentiles } from "./stats.ts";

const { values } = parseArgs({
  options: {
    players: { type: "string", default: "20" },
    memories: { type: "string", default: "200" },
    recalls: { type: "string", default: "400" },
  },
});
const players = Number(values.players);
const perPlayer = Number(values.memories);
const recalls = Number(values.recalls);

const dir = mkdtempSync(join(tmpdir(), "parley-memory-bench-"));
const sql = await openEmbeddedPostgresInWorker(dir);
try {
  const embedder = new HashingEmbedder({ dimensions: 256 });
  await migrateLongTermMemory(sql, { dimensions: 256 });
  const memory = new PgLongTermMemory({ sql, embedder, rowsPerInsert: 1 });
  const words = ["sword", "shield", "river", "castle", "dragon", "bread", "lantern", "oath", "storm", "garden"];
  const text = (i: number): string => `${words[i % 10]} and ${words[(i * 7) % 10]}: exchange number ${i}`;

  const writes: number[] = [];
  for (let i = 0; i < perPlayer; i++) {
    const entries = Array.from({ length: players }, (_, p) => ({
      user_id: `player-${p}`, character_id: "1", session_id: "s", content: text(i * players + p), importance: 0.5, created_at: new Date(),
    }));
    const t = performance.now();
    await memory.rememberAll(entries);
    writes.push((performance.now() - t) / players);
  }
  const reads: number[] = [];
  for (let i = 0; i < recalls; i++) {
    const t = performance.now();
    await memory.recall({ user_id: `player-${i % players}`, character_id: "1", text: text(i), limit: 5 });
    reads.push(performance.now() - t);
  }
  const w = percentiles(writes, [50, 95]);
  const r = percentiles(reads, [50, 95]);
  console.log(`${players * perPlayer} memories of 256 dimensions, ${players} players; ${recalls} recalls`);
  console.log(`write one memory: p50 ${w[50]!.toFixed(2)} ms  p95 ${w[95]!.toFixed(2)} ms`);
  console.log(`recall:           p50 ${r[50]!.toFixed(2)} ms  p95 ${r[95]!.toFixed(2)} ms`);
} finally {
  await sql.close();
  rmSync(dir, { recursive: true, force: true });
}
