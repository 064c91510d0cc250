import { test } from "node:test";
import assert from "node:assert/strict";
import type { BotSample, ReplySample } from "./bot-samples.ts";
import { ReplyTracker } from "./reply-tracker.ts";

function setup(speaker = true) {
  const samples: BotSample[] = [];
  let now = 1000;
  const clock = { now: () => now, wallNow: () => 1_700_000_000_000 + now };
  const tracker = new ReplyTracker({ session: "s0p0", speaker, sink: (s) => samples.push(s), clock });
  const replies = () => samples.filter((s): s is ReplySample => s.kind === "reply");
  return { tracker, samples, replies, advance: (ms: number) => { now += ms; } };
}

test("times a reply from the chat to its first chunk and its end, with the gaps between chunks", () => {
  const { tracker, samples, replies, advance } = setup();
  tracker.chatSent();
  advance(5);
  tracker.onStatus({ status: "thinking", reply_id: "r1" });
  advance(150);
  tracker.onChunk({ reply_id: "r1", seq: 1, content: "Hel" });
  advance(50);
  tracker.onChunk({ reply_id: "r1", seq: 2, content: "lo" });
  advance(10);
  tracker.onEnd({ reply_id: "r1", full_content: "Hello", reason: "complete" });
  const [r] = replies();
  assert.equal(r?.first_chunk_ms, 155);
  assert.deepEqual(samples.filter((s) => s.kind === "first_chunk"),
    [{ kind: "first_chunk", at: 1_700_000_001_155, session: "s0p0", reply_id: "r1", sent_at: 1_700_000_001_000, ms: 155 }]);
  assert.equal(r?.end_ms, 215);
  assert.deepEqual(r?.gaps_ms, [50]);
  assert.equal(r?.chunks, 2);
  assert.equal(r?.seq_faults, 0);
  assert.equal(r?.content_ok, true);
});

test("counts a missing seq, a repeated seq and a reordered pair as faults", () => {
  const { tracker, replies } = setup();
  tracker.chatSent();
  tracker.onStatus({ status: "thinking", reply_id: "r1" });
  tracker.onChunk({ reply_id: "r1", seq: 1, content: "a" });
  tracker.onChunk({ reply_id: "r1", seq: 3, content: "c" }); // 2 missing
  tracker.onChunk({ reply_id: "r1", seq: 2, content: "b" }); // late
  tracker.onChunk({ reply_id: "r1", seq: 4, content: "d" }); // fine: follows the highest seen
  tracker.onChunk({ reply_id: "r1", seq: 4, content: "d" }); // repeated
  tracker.onEnd({ reply_id: "r1", full_content: "abcd", reason: "complete" });
  assert.equal(replies()[0]?.seq_faults, 3);
  assert.equal(replies()[0]?.content_ok, false);
});

test("a chunk after the end of its reply is reported as stray", () => {
  const { tracker, samples } = setup();
  tracker.chatSent();
  tracker.onStatus({ status: "thinking", reply_id: "r1" });
  tracker.onChunk({ reply_id: "r1", seq: 1, content: "a" });
  tracker.onEnd({ reply_id: "r1", full_content: "a", reason: "complete" });
  tracker.onChunk({ reply_id: "r1", seq: 2, content: "b" });
  assert.deepEqual(samples.filter((s) => s.kind === "stray").map((s) => s.kind === "stray" && s.what), ["chunk"]);
});

test("matches chats to replies in order, skipping chats the server refused", () => {
  const { tracker, replies, advance } = setup();
  tracker.chatSent(); // t=1000 -> r1
  advance(100);
  tracker.chatSent(); // t=1100 -> refused
  advance(100);
  tracker.chatSent(); // t=1200 -> r2, queued
  tracker.onStatus({ status: "thinking", reply_id: "r1" });
  tracker.onError({ code: "busy", message: "busy" });
  tracker.onStatus({ status: "queued", reply_id: "r2" });
  assert.equal(tracker.pending, 0);
  advance(800); // t=2000
  tracker.onChunk({ reply_id: "r1", seq: 1, content: "x" });
  tracker.onEnd({ reply_id: "r1", full_content: "x", reason: "complete" });
  tracker.onStatus({ status: "thinking", reply_id: "r2" });
  advance(1000); // t=3000
  tracker.onChunk({ reply_id: "r2", seq: 1, content: "y" });
  tracker.onEnd({ reply_id: "r2", full_content: "y", reason: "complete" });
  assert.deepEqual(replies().map((r) => [r.reply_id, r.first_chunk_ms]), [["r1", 1000], ["r2", 1800]]);
});

test("ignores greetings, and a listener checks replies without timing them", () => {
  const { tracker, samples, replies } = setup(false);
  tracker.onChunk({ reply_id: "greeting-abc", seq: 1, content: "Welcome" });
  tracker.onEnd({ reply_id: "greeting-abc", full_content: "Welcome", reason: "complete" });
  assert.equal(samples.length, 0);
  tracker.onStatus({ status: "thinking", reply_id: "r1" });
  tracker.onChunk({ reply_id: "r1", seq: 1, content: "x" });
  tracker.onEnd({ reply_id: "r1", full_content: "x", reason: "complete" });
  assert.equal(replies()[0]?.speaker, false);
  assert.equal(replies()[0]?.first_chunk_ms, null);
  assert.equal(samples.some((s) => s.kind === "first_chunk"), false);
  assert.equal(replies()[0]?.content_ok, true);
});
