import { test } from "node:test";
import assert from "node:assert/strict";
import { formatRatios, type BenchRow } from "./bench-table.ts";

function row(store: string, sessions: number, firstChunkP50: number, cpu: number): BenchRow {
  const pcts = (p50: number) => ({ p50, p95: p50 * 2, p99: p50 * 3 });
  return {
    store, tokensPerSecond: 20, sessions, players: sessions, playersJoined: sessions, chatsPerSecond: 10,
    firstChunk: pcts(firstChunkP50), parleyShare: pcts(firstChunkP50 - 150), ownShare: pcts(1), chunkGapP99: 60,
    chunksPerSecond: 100, parleyCpu: cpu, parleyRssMb: 200, kbPerSession: 90, errors: 0, seqFaults: 0, botsCpu: 10,
    simCpu: 5, machineCpu: 50, databasesCpu: 0, stolenCpu: 0, cpuReferenceMs: { before: 200, after: 200 },
  };
}

test("each Parley row is divided by the relay row of the same rate and session count", () => {
  const out = formatRatios([row("relay", 100, 160, 10), row("relay", 500, 200, 40), row("services", 100, 170, 15), row("embedded", 500, 250, 60)]);
  const lines = out.split("\n");
  assert.equal(lines.length, 5);
  // 170/160 and (3*170)/(3*160); share 20/10; CPU 15/10.
  assert.equal(lines[3], "| services | 20 | 100 | ×1.06 / ×1.06 | ×2.00 / ×2.00 | ×1.50 | ×1.00 |");
  assert.equal(lines[4], "| embedded | 20 | 500 | ×1.25 / ×1.25 | ×2.00 / ×2.00 | ×1.50 | ×1.00 |");
});

test("no relay rows, no ratios", () => {
  assert.equal(formatRatios([row("services", 100, 170, 15)]), "");
});
