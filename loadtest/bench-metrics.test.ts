import { test } from "node:test";
import assert from "node:assert/strict";
import { aggregate } from "./bench-metrics.ts";
import type { BotSample, FirstChunkSample, ReplySample } from "./bot-samples.ts";

const reply = (at: number, first: number, extra: Partial<ReplySample> = {}): ReplySample => ({
  kind: "reply", at, session: "s", speaker: true, reply_id: `r${at}`, first_chunk_ms: first, end_ms: first + 100,
  chunks: 3, gaps_ms: [50, 50], seq_faults: 0, content_ok: true, reason: "complete", ...extra,
});

const firstChunk = (sentAt: number, ms: number): FirstChunkSample => ({
  kind: "first_chunk", at: sentAt + ms, session: "s", reply_id: `f${sentAt}`, sent_at: sentAt, ms,
});

test("keeps only the window's samples, and counts listeners' chunks but not their timings", () => {
  const samples: BotSample[] = [
    { kind: "chat", at: 500, session: "s" },
    { kind: "chat", at: 1500, session: "s" },
    { kind: "chat", at: 2500, session: "s" },
    reply(900, 9999),
    reply(1400, 160),
    reply(1300, 170, { speaker: false, first_chunk_ms: null, end_ms: null, seq_faults: 2, content_ok: false }),
    reply(2900, 180, { reason: "error" }),
    // Chats sent in the window whose replies end after it: timed, but their chunks are not the window's.
    reply(3100, 170),
    firstChunk(500, 9999),
    firstChunk(1240, 160),
    firstChunk(2620, 180),
    firstChunk(2930, 170),
    firstChunk(3500, 999),
    { kind: "error", at: 1400, session: "s", code: "busy", message: "" },
    { kind: "error", at: 4000, session: "s", code: "busy", message: "" },
    { kind: "join_failed", at: 10, session: "s", message: "nope" },
    { kind: "disconnect", at: 2000, session: "s", code: 1006, reason: "" },
    { kind: "disconnect", at: 5000, session: "s", code: 1000, reason: "" },
    { kind: "stray", at: 2000, session: "s", reply_id: "r1", what: "chunk" },
  ];
  const m = aggregate(samples, { from: 1000, to: 3000 }, 150);
  assert.equal(m.chats, 2);
  assert.equal(m.chatsPerSecond, 1);
  assert.equal(m.replies, 2);
  assert.equal(m.repliesNotComplete, 1);
  assert.deepEqual(m.firstChunkMs, { p50: 170, p95: 180, p99: 180 });
  assert.deepEqual(m.parleyShareMs, { p50: 20, p95: 30, p99: 30 });
  assert.equal(m.chunksPerSecond, 4.5);
  assert.deepEqual(m.errorsByCode, { busy: 1 });
  assert.equal(m.joinFailures, 1);
  assert.equal(m.disconnects, 1);
  assert.equal(m.seqFaults, 3);
  assert.equal(m.contentMismatches, 1);
});

test("times the chats sent in the window, not the replies that end in it", () => {
  const samples: BotSample[] = [
    // Sent at 800, during the ramp; it ends inside the window.
    firstChunk(800, 300),
    reply(1200, 300, { end_ms: 400 }),
    // Sent at 1000, and at 2400 with its reply still streaming when the bots stopped.
    firstChunk(1000, 160),
    reply(1260, 160, { end_ms: 260 }),
    firstChunk(2400, 190),
  ];
  const m = aggregate(samples, { from: 1000, to: 3000 }, 150);
  assert.deepEqual(m.firstChunkMs, { p50: 160, p95: 190, p99: 190 });
  assert.deepEqual(m.endMs, { p50: 260, p95: 260, p99: 260 });
  assert.equal(m.replies, 2, "replies and their chunks count by when they end");
});

test("slices the share by when the chat was sent, ten seconds a slice", () => {
  const samples: BotSample[] = [firstChunk(1_000, 155), firstChunk(9_000, 165), firstChunk(31_000, 190), firstChunk(40_000, 160)];
  const m = aggregate(samples, { from: 0, to: 40_000 }, 150);
  assert.deepEqual(m.parleyShareBySlice, [
    { fromSecond: 0, replies: 2, p50: 5, p95: 15, p99: 15 },
    { fromSecond: 10, replies: 0, p50: NaN, p95: NaN, p99: NaN },
    { fromSecond: 20, replies: 0, p50: NaN, p95: NaN, p99: NaN },
    { fromSecond: 30, replies: 2, p50: 10, p95: 40, p99: 40 },
  ], "a chat at the window's last moment is in its last slice");
});
