/** Turns the bots' samples of one run into the numbers of one benchmark row. */
import type { BotSample } from "./bot-samples.ts";
import { percentiles } from "./stats.ts";

export interface Window {
  /** Wall clock, ms since the epoch. */
  from: number;
  to: number;
}

export interface Pcts { p50: number; p95: number; p99: number }

export interface BotMetrics {
  seconds: number;
  chats: number;
  chatsPerSecond: number;
  /** Speaker replies that ended in the window. */
  replies: number;
  /** Replies that ended for another reason than `complete`. */
  repliesNotComplete: number;
  firstChunkMs: Pcts;
  /** First chunk minus the model's configured first-token time. */
  parleyShareMs: Pcts;
  endMs: Pcts;
  chunkGapMs: Pcts & { max: number };
  /** Chunks received by all players, per second. */
  chunksPerSecond: number;
  /** Server `error` messages in the window, by code. */
  errorsByCode: Record<string, number>;
  /** Over the whole run, not only the window: a failed join or a drop is never expected. */
  joinFailures: number;
  disconnects: number;
  joinMs: Pcts;
  /** Chunks out of seq order, chunks or ends of replies already ended or never begun. */
  seqFaults: number;
  contentMismatches: number;
}

const toPcts = (values: readonly number[]): Pcts => {
  const p = percentiles(values, [50, 95, 99]);
  return { p50: p[50]!, p95: p[95]!, p99: p[99]! };
};

export function aggregate(samples: Iterable<BotSample>, window: Window, simFirstTokenMs: number): BotMetrics {
  const inWindow = (at: number) => at >= window.from && at <= window.to;
  const seconds = (window.to - window.from) / 1000;
  const firstChunk: number[] = [];
  const end: number[] = [];
  const gaps: number[] = [];
  const joins: number[] = [];
  const errorsByCode: Record<string, number> = {};
  let chats = 0, replies = 0, notComplete = 0, chunks = 0, joinFailures = 0, disconnects = 0, seqFaults = 0, mismatches = 0;

  for (const s of samples) {
    switch (s.kind) {
      case "chat":
        if (inWindow(s.at)) chats += 1;
        break;
      case "reply":
        if (!inWindow(s.at)) break;
        chunks += s.chunks;
        seqFaults += s.seq_faults;
        if (!s.content_ok) mismatches += 1;
        for (const g of s.gaps_ms) gaps.push(g);
        if (!s.speaker) break;
        replies += 1;
        if (s.reason !== "complete") notComplete += 1;
        if (s.first_chunk_ms !== null) firstChunk.push(s.first_chunk_ms);
        if (s.end_ms !== null) end.push(s.end_ms);
        break;
      case "stray":
        if (inWindow(s.at)) seqFaults += 1;
        break;
      case "error":
        if (inWindow(s.at)) errorsByCode[s.code] = (errorsByCode[s.code] ?? 0) + 1;
        break;
      case "join":
        joins.push(s.ms);
        break;
      case "join_failed":
        joinFailures += 1;
        break;
      case "disconnect":
        if (s.at <= window.to) disconnects += 1;
        break;
    }
  }

  const fc = toPcts(firstChunk);
  return {
    seconds,
    chats,
    chatsPerSecond: chats / seconds,
    replies,
    repliesNotComplete: notComplete,
    firstChunkMs: fc,
    parleyShareMs: { p50: fc.p50 - simFirstTokenMs, p95: fc.p95 - simFirstTokenMs, p99: fc.p99 - simFirstTokenMs },
    endMs: toPcts(end),
    chunkGapMs: { ...toPcts(gaps), max: gaps.reduce((a, b) => Math.max(a, b), 0) },
    chunksPerSecond: chunks / seconds,
    errorsByCode,
    joinFailures,
    disconnects,
    joinMs: toPcts(joins),
    seqFaults,
    contentMismatches: mismatches,
  };
}
