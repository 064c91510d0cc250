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
  /**
   * The chats sent in the window, by the chat's moment rather than the reply's end: a reply that
   * ends early in the window answers a chat sent during the ramp, while sessions still join, and
   * one that ends after it would be missed when the bots stop.
   */
  firstChunkMs: Pcts;
  /** First chunk minus the model's configured first-token time. */
  parleyShareMs: Pcts;
  /** The same share over consecutive slices of the window, to show drift as conversations grow. */
  parleyShareBySlice: Array<{ fromSecond: number; replies: number } & Pcts>;
  /** Chat to `ai_end`, for the chats sent in the window whose replies ended before the bots stopped. */
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

/** Seconds per slice of `parleyShareBySlice`. */
export const SHARE_SLICE_SECONDS = 10;

export function aggregate(samples: Iterable<BotSample>, window: Window, simFirstTokenMs: number): BotMetrics {
  const inWindow = (at: number) => at >= window.from && at <= window.to;
  const seconds = (window.to - window.from) / 1000;
  const slices: number[][] = [];
  const lastSlice = Math.max(0, Math.ceil(seconds / SHARE_SLICE_SECONDS) - 1);
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
      case "first_chunk":
        if (!inWindow(s.sent_at)) break;
        firstChunk.push(s.ms);
        // The window's last moment belongs to its last slice, not to a slice of its own.
        (slices[Math.min(Math.floor((s.sent_at - window.from) / 1000 / SHARE_SLICE_SECONDS), lastSlice)] ??= []).push(s.ms - simFirstTokenMs);
        break;
      case "reply": {
        // Only the player who chatted knows when the chat went out.
        const sentAt = s.speaker && s.end_ms !== null ? s.at - s.end_ms : null;
        if (sentAt !== null && inWindow(sentAt)) end.push(s.end_ms!);
        if (!inWindow(s.at)) break;
        chunks += s.chunks;
        seqFaults += s.seq_faults;
        if (!s.content_ok) mismatches += 1;
        for (const g of s.gaps_ms) gaps.push(g);
        if (!s.speaker) break;
        replies += 1;
        if (s.reason !== "complete") notComplete += 1;
        break;
      }
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
    parleyShareBySlice: Array.from(slices, (slice = [], i) => ({ fromSecond: i * SHARE_SLICE_SECONDS, replies: slice.length, ...toPcts(slice) })),
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
