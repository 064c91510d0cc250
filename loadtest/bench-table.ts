/** The benchmark's printed table: one row per run, fixed-width columns. */
import { availableParallelism } from "node:os";
import type { Pcts } from "./bench-metrics.ts";

export interface BenchRow {
  /**
   * `embedded` (PGlite, in-process cache) or `services` (PostgreSQL with pgvector, Redis), or
   * `relay`, the plain Colyseus baseline (loadtest/plain-relay.ts).
   */
  store: string;
  tokensPerSecond: number;
  sessions: number;
  players: number;
  playersJoined: number;
  chatsPerSecond: number;
  firstChunk: Pcts;
  parleyShare: Pcts;
  /** Parley's own part, as it measures it (bucket bounds, ms): the share less the shared machine. */
  ownShare: Pcts;
  chunkGapP99: number;
  chunksPerSecond: number;
  parleyCpu: number;
  parleyRssMb: number;
  kbPerSession: number;
  errors: number;
  seqFaults: number;
  botsCpu: number;
  simCpu: number;
  /** Every process on the machine (PostgreSQL and Redis too); 100 per core. */
  machineCpu: number;
  /** PostgreSQL and Redis; 100 per core. */
  databasesCpu: number;
  /** Steal: CPU the hypervisor gave other guests while this one wanted it (counted in machineCpu). */
  stolenCpu: number;
  /**
   * The machine's speed just before and just after the run (cpu-reference.ts): a shared host's
   * speed drifts, and a row whose two differ was measured on a machine that changed under it.
   */
  cpuReferenceMs: { before: number; after: number };
}

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "-");
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "-");
const fOwn = (n: number) => (Number.isFinite(n) ? (n < 1 ? String(n) : n.toFixed(0)) : "-");
const triple = (p: Pcts) => `${f0(p.p50)}/${f0(p.p95)}/${f0(p.p99)}`;
// Tenths: the share is held against goals of 5 and 20 ms, and a rounded 4.6 would read as 5.
const tripleTenths = (p: Pcts) => `${f1(p.p50)}/${f1(p.p95)}/${f1(p.p99)}`;

const COLUMNS: Array<[string, (r: BenchRow) => string]> = [
  ["store", (r) => r.store],
  ["tok/s", (r) => f0(r.tokensPerSecond)],
  ["sessions", (r) => f0(r.sessions)],
  ["players joined", (r) => `${f0(r.playersJoined)}/${f0(r.players)}`],
  ["chats/s", (r) => f1(r.chatsPerSecond)],
  ["1st chunk p50/95/99 ms", (r) => triple(r.firstChunk)],
  ["Parley share p50/95/99 ms", (r) => tripleTenths(r.parleyShare)],
  ["own ≤ p50/95/99 ms", (r) => `${fOwn(r.ownShare.p50)}/${fOwn(r.ownShare.p95)}/${fOwn(r.ownShare.p99)}`],
  ["gap p99 ms", (r) => f0(r.chunkGapP99)],
  ["chunks/s", (r) => f0(r.chunksPerSecond)],
  ["Parley CPU%", (r) => f0(r.parleyCpu)],
  // CPU per unit of work holds up where latency does not: on a host whose speed drifts, or past the knee.
  ["CPU ms/chat", (r) => f1(cpuMsPerChat(r))],
  ["Parley RSS MB", (r) => f0(r.parleyRssMb)],
  ["heap KB/session", (r) => f0(r.kbPerSession)],
  ["errors", (r) => f0(r.errors)],
  ["seq faults", (r) => f0(r.seqFaults)],
  ["bots CPU%", (r) => f0(r.botsCpu)],
  ["sim CPU%", (r) => f0(r.simCpu)],
  ["DB CPU%", (r) => f0(r.databasesCpu)],
  ["machine CPU%", (r) => `${f0(r.machineCpu)}/${f0(100 * availableParallelism())}`],
  // A shared host's other guests: when they take the cores, the tail is theirs, not Parley's.
  ["stolen CPU%", (r) => f0(r.stolenCpu)],
  ["CPU ref ms", (r) => `${f0(r.cpuReferenceMs.before)}→${f0(r.cpuReferenceMs.after)}`],
];

export function formatTable(rows: readonly BenchRow[], baseline: { p50: number; p95: number; p99: number } | null): string {
  const cells = rows.map((r) => COLUMNS.map(([, cell]) => cell(r)));
  const widths = COLUMNS.map(([head], i) => Math.max(head.length, ...cells.map((c) => c[i]!.length)));
  const line = (parts: readonly string[]) => `| ${parts.map((p, i) => p.padStart(widths[i]!)).join(" | ")} |`;
  const out = [line(COLUMNS.map(([head]) => head)), `|${widths.map((w) => "-".repeat(w + 1) + ":").join("|")}|`, ...cells.map(line)];
  if (baseline) {
    out.push("");
    out.push(`baseline, bare WebSocket echo round trip: p50 ${baseline.p50.toFixed(3)} ms, p95 ${baseline.p95.toFixed(3)} ms, p99 ${baseline.p99.toFixed(3)} ms`);
  }
  return out.join("\n");
}

const cpuMsPerChat = (r: BenchRow) => (r.parleyCpu * 10) / r.chatsPerSecond;
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `×${(a / b).toFixed(2)}` : "-");

/**
 * Each Parley row divided by the relay row of the same token rate and session count, measured in
 * the same run: ratios survive a noisy host where absolute milliseconds do not. The first chunk
 * includes the model's own wait (the same for both), so its ratio is the end-to-end cost a player
 * sees; the share (first chunk less that wait) and the CPU per chat compare the servers' own work.
 * Empty when the run has no relay rows.
 */
export function formatRatios(rows: readonly BenchRow[]): string {
  const relayOf = (r: BenchRow) => rows.find((x) => x.store === "relay" && x.tokensPerSecond === r.tokensPerSecond && x.sessions === r.sessions);
  const lines = rows.filter((r) => r.store !== "relay" && relayOf(r)).map((r) => {
    const relay = relayOf(r)!;
    return `| ${r.store} | ${r.tokensPerSecond} | ${r.sessions} | ${ratio(r.firstChunk.p50, relay.firstChunk.p50)} / ${ratio(r.firstChunk.p99, relay.firstChunk.p99)} | ` +
      `${ratio(r.parleyShare.p50, relay.parleyShare.p50)} / ${ratio(r.parleyShare.p99, relay.parleyShare.p99)} | ${ratio(cpuMsPerChat(r), cpuMsPerChat(relay))} | ${ratio(r.parleyRssMb, relay.parleyRssMb)} |`;
  });
  if (lines.length === 0) return "";
  return ["Parley ÷ plain relay, same run:", "| store | tok/s | sessions | 1st chunk p50 / p99 | share p50 / p99 | CPU ms/chat | RSS |", "|---|---:|---:|---:|---:|---:|---:|", ...lines].join("\n");
}
