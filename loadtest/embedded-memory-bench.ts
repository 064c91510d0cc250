/**
 * The embedded database's hot paths, as the server uses them: memories written one row per
 * statement and recalled by player, on a fresh folder. Compares V8's WebAssembly tiers for PGlite
 * (Parley's default, baseline code only, against V8's default, which also optimises hot functions)
 * in one run: each round runs every setting in its own process, alternating, and prints time and
 * resident memory.
 * Run: node loadtest/embedded-memory-bench.ts [--rounds 3 --players 20 --memories 200 --recalls 400]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { HashingEmbedder } from "../src/memory/hashing-embedder.ts";
import { migrateLongTermMemory } from "../src/memory/pg-memory-schema.ts";
import { PgLongTermMemory } from "../src/memory/pg-long-term-memory.ts";
import { EMBEDDED_WASM_FLAGS, openEmbeddedPostgresInWorker } from "../src/store/embedded-postgres-thread.ts";
import { percentiles } from "./stats.ts";

const SETTINGS: Record<string, string> = {
  [`baseline only (${EMBEDDED_WASM_FLAGS}, Parley's)`]: EMBEDDED_WASM_FLAGS,
  "V8's default (baseline, then optimised)": "--no-liftoff-only",
};

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    players: { type: "string", default: "20" },
    memories: { type: "string", default: "200" },
    recalls: { type: "string", default: "400" },
    /** Internal: run one measurement with these V8 flags and print it as JSON. */
    one: { type: "string" },
  },
});

interface Measurement { writeP50: number; writeP95: number; recallP50: number; recallP95: number; rssMb: number }

if (values.one !== undefined) {
  console.log(JSON.stringify(await measure(values.one)));
} else {
  const rows: string[] = [];
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const [name, flags] of Object.entries(SETTINGS)) {
      const out = execFileSync(process.execPath, [import.meta.filename, `--one=${flags}`,
        "--players", values.players, "--memories", values.memories, "--recalls", values.recalls], { encoding: "utf8" });
      const m = JSON.parse(out.trim().split("\n").at(-1)!) as Measurement;
      rows.push(`| ${round} | ${name} | ${m.writeP50.toFixed(2)} / ${m.writeP95.toFixed(2)} | ${m.recallP50.toFixed(2)} / ${m.recallP95.toFixed(2)} | ${m.rssMb.toFixed(0)} |`);
    }
  }
  console.log(`${Number(values.players) * Number(values.memories)} memories of 256 dimensions, ${values.players} players; ${values.recalls} recalls; ms`);
  console.log("| round | WebAssembly tiers | write one memory p50 / p95 | recall p50 / p95 | RSS after, MB |");
  console.log("|---|---|---|---|---|");
  for (const row of rows) console.log(row);
}

async function measure(wasmFlags: string): Promise<Measurement> {
  const players = Number(values.players);
  const perPlayer = Number(values.memories);
  const recalls = Number(values.recalls);
  const dir = mkdtempSync(join(tmpdir(), "parley-memory-bench-"));
  const sql = await openEmbeddedPostgresInWorker(dir, { wasmFlags });
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
    return { writeP50: w[50]!, writeP95: w[95]!, recallP50: r[50]!, recallP95: r[95]!, rssMb: process.memoryUsage().rss / 2 ** 20 };
  } finally {
    await sql.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
