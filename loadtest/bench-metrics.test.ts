import { test } from "node:test";
import assert from "node:assert/strict";
import { aggregate } from "./bench-metrics.ts";
import type { BotSample, ReplySample } from "./bot-samples.ts";

const reply = (at: number, first: number, extra: Partial<ReplySample> = {}): ReplySample => ({
  kind: "reply", at, session: "s", speaker: true, reply_id: `r${at}`, first_chunk_ms: first, end_ms: first + 100,
  chunks: 3, gaps_ms: [50, 50], seq_faults: 0, content_ok: true, reason: "complete", ...extra,
});

test("keeps only the window's samples, and counts listeners' chunks but not their timings", () => {
  const samples: BotSample[] = [
    { kind: "chat", at: 500, session: "s" },
    { kind: "chat", at: 1500, session: "s" },
    { kind: "chat", at: 2500, session: "s" },
    reply(900, 9999),
    reply(1200, 160),
    reply(1300, 170, { speaker: false, first_chunk_ms: null, end_ms: null, seq_faults: 2, content_ok: false }),
    reply(2900, 180, { reason: "error" }),
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
  assert.deepEqual(m.firstChunkMs, { p50: 160, p95: 180, p99: 180 });
  assert.deepEqual(m.parleyShareMs, { p50: 10, p95: 30, p99: 30 });
  assert.equal(m.chunksPerSecond, 4.5);
  assert.deepEqual(m.errorsByCode, { busy: 1 });
  assert.equal(m.joinFailures, 1);
  assert.equal(m.disconnects, 1);
  assert.equal(m.seqFaults, 3);
  assert.equal(m.contentMismatches, 1);
});
