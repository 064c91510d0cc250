import { test } from "node:test";
import assert from "node:assert/strict";
import type { TurnOutcome } from "../ai/reply-events.ts";
import { createMetrics } from "./metrics.ts";

function outcome(overrides: Partial<TurnOutcome> = {}): TurnOutcome {
  return {
    reply_id: "r1", user_id: "u1", user_content: "hello", received_at: 1_000, reply_content: "hi",
    reason: "complete", model: "offline", first_chunk_ms: 3, model_first_token_ms: 2, own_first_chunk_ms: 0.8, ended_at: 1_750,
    usage: { input_tokens: 10, output_tokens: 7, total_tokens: 17 },
    ...overrides,
  };
}

test("observeTurn records latencies, duration, reason and tokens", async () => {
  const metrics = createMetrics();
  metrics.observeTurn(outcome());
  metrics.observeTurn(outcome({ reason: "stopped", first_chunk_ms: null, model_first_token_ms: null, own_first_chunk_ms: null, usage: undefined }));
  const text = await metrics.render();

  assert.match(text, /^parley_first_chunk_seconds_count 1$/m);
  assert.match(text, /^parley_first_chunk_seconds_sum 0\.003$/m);
  assert.match(text, /^parley_first_chunk_seconds_bucket\{le="0\.0025"\} 0$/m);
  assert.match(text, /^parley_first_chunk_seconds_bucket\{le="0\.005"\} 1$/m);
  assert.match(text, /^parley_model_first_token_seconds_sum 0\.002$/m);
  assert.match(text, /^parley_first_chunk_own_seconds_count 1$/m);
  assert.match(text, /^parley_first_chunk_own_seconds_bucket\{le="0\.0005"\} 0$/m);
  assert.match(text, /^parley_first_chunk_own_seconds_bucket\{le="0\.001"\} 1$/m);
  assert.match(text, /^parley_reply_duration_seconds_sum\{reason="complete"\} 0\.75$/m);
  assert.match(text, /^parley_reply_duration_seconds_count\{reason="stopped"\} 1$/m);
  assert.match(text, /^parley_replies_total\{reason="complete"\} 1$/m);
  assert.match(text, /^parley_replies_total\{reason="stopped"\} 1$/m);
  assert.match(text, /^parley_tokens_streamed_total 7$/m);
});

test("counters count errors, moderation hits, late recalls and tokens", async () => {
  const metrics = createMetrics();
  metrics.countError("busy");
  metrics.countError("busy");
  metrics.countError("model/error");
  metrics.countModerationHit("input");
  metrics.countModerationHit("output");
  metrics.countModerationHit("output");
  metrics.countLateRecall();
  metrics.countTokens(5);
  const text = await metrics.render();

  assert.match(text, /^parley_errors_total\{code="busy"\} 2$/m);
  assert.match(text, /^parley_errors_total\{code="model\/error"\} 1$/m);
  assert.match(text, /^parley_moderation_hits_total\{direction="input"\} 1$/m);
  assert.match(text, /^parley_moderation_hits_total\{direction="output"\} 2$/m);
  assert.match(text, /^parley_memory_recall_late_total 1$/m);
  assert.match(text, /^parley_tokens_streamed_total 5$/m);
});

test("gauges read their providers at scrape time", async () => {
  const metrics = createMetrics();
  let players = 3;
  metrics.setProviders({ rooms: () => 2, players: () => players, queuedChats: () => 4, backlog: () => ({ queued: 6, spooled: 1 }) });
  assert.match(await metrics.render(), /^parley_players 3$/m);
  players = 9;
  const text = await metrics.render();

  assert.match(text, /^parley_rooms 2$/m);
  assert.match(text, /^parley_players 9$/m);
  assert.match(text, /^parley_queued_chats 4$/m);
  assert.match(text, /^parley_persistence_backlog\{kind="queued"\} 6$/m);
  assert.match(text, /^parley_persistence_backlog\{kind="spooled"\} 1$/m);
});

test("gauges without a provider stay settable", async () => {
  const metrics = createMetrics();
  metrics.rooms.set(5);
  assert.match(await metrics.render(), /^parley_rooms 5$/m);
});

test("each instance has its own registry with prefixed default metrics", async () => {
  const a = createMetrics();
  const b = createMetrics();
  a.countLateRecall();
  assert.match(await b.render(), /^parley_memory_recall_late_total 0$/m);
  assert.match(await a.render(), /^parley_process_cpu_user_seconds_total /m);
  assert.match(a.contentType, /^text\/plain/);
});

test("the first-chunk histograms have a bucket at the 200 ms budget", async () => {
  const metrics = createMetrics();
  metrics.observeTurn(outcome({ first_chunk_ms: 190, model_first_token_ms: 189, own_first_chunk_ms: 1 }));
  metrics.observeTurn(outcome({ first_chunk_ms: 210, model_first_token_ms: 209, own_first_chunk_ms: 1 }));
  const text = await metrics.render();

  assert.match(text, /^parley_first_chunk_seconds_bucket\{le="0\.15"\} 0$/m);
  assert.match(text, /^parley_first_chunk_seconds_bucket\{le="0\.2"\} 1$/m);
  assert.match(text, /^parley_first_chunk_seconds_bucket\{le="0\.25"\} 2$/m);
  assert.match(text, /^parley_model_first_token_seconds_bucket\{le="0\.2"\} 1$/m);
});
