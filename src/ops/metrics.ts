/** Prometheus metrics for one Parley process, on a registry of its own so tests and embedders never collide. */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { TurnOutcome } from "../ai/reply-events.ts";
import type { EndReason, ErrorCode } from "../protocol/messages.ts";

/**
 * Parley's own latencies are milliseconds; the top buckets catch a slow model's first token. 0.2 s
 * is the first-chunk budget, so the share of chats answered within it reads straight off a bucket.
 */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5, 1, 2];
/** Parley's own share of a first chunk is a millisecond or less when all is well. */
export const OWN_SHARE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
/** A whole reply streams for seconds, so its duration needs buckets well past 2 s. */
const REPLY_BUCKETS = [0.0005, 0.005, 0.05, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];

export type ModerationDirection = "input" | "output";

export interface Backlog {
  queued: number;
  spooled: number;
}

/** Read at scrape time, so the gauges never go stale. */
export interface GaugeProviders {
  rooms?: () => number;
  players?: () => number;
  queuedChats?: () => number;
  backlog?: () => Backlog;
  /** Chat-log records the store refused for good, since start. */
  deadLetters?: () => number;
  modelRequestsActive?: () => number;
  modelRequestsWaiting?: () => number;
}

/** Why a reply's end went out before its turn was on disk. */
export type UnsyncedReason = "timeout" | "error";

export interface Metrics {
  readonly registry: Registry;
  readonly contentType: string;
  readonly firstChunk: Histogram;
  readonly modelFirstToken: Histogram;
  readonly replyDuration: Histogram<"reason">;
  readonly tokensStreamed: Counter;
  readonly replies: Counter<"reason">;
  readonly errors: Counter<"code">;
  readonly unexpectedErrors: Counter<"where">;
  readonly floodDisconnects: Counter;
  readonly moderationHits: Counter<"direction">;
  readonly memoryRecallLate: Counter;
  readonly abilityCalls: Counter<"ability" | "outcome">;
  readonly joinsRefused: Counter;
  readonly rooms: Gauge;
  readonly players: Gauge;
  readonly queuedChats: Gauge;
  readonly persistenceBacklog: Gauge<"kind">;
  readonly chatLogDeadLetters: Counter;
  readonly turnEndSync: Histogram;
  readonly turnEndUnsynced: Counter<"reason">;
  setProviders(providers: GaugeProviders): void;
  observeTurn(outcome: TurnOutcome): void;
  countError(code: ErrorCode): void;
  /** A throw or rejection nothing expected (a bug), caught before it could end the process. */
  countUnexpected(where: string): void;
  countFloodDisconnect(): void;
  countModerationHit(direction: ModerationDirection): void;
  countLateRecall(): void;
  /** A turn reached the spool file (or the store) this long after the reply's last token. */
  observeTurnEndSync(seconds: number): void;
  countUnsyncedTurnEnd(reason: UnsyncedReason): void;
  /** A join refused because the process is saturated (JOIN_MAX_*). */
  countJoinRefused(): void;
  countTokens(n: number): void;
  render(): Promise<string>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "parley_" });
  let providers: GaugeProviders = {};
  const registers = [registry];

  const firstChunk = new Histogram({
    name: "parley_first_chunk_seconds",
    help: "Time from a chat arriving to the first ai_chunk sent for its reply",
    buckets: LATENCY_BUCKETS, registers,
  });
  const modelFirstToken = new Histogram({
    name: "parley_model_first_token_seconds",
    help: "Time from the model request to its first non-empty token",
    buckets: LATENCY_BUCKETS, registers,
  });
  const ownFirstChunk = new Histogram({
    name: "parley_first_chunk_own_seconds",
    help: "Parley's own part of the time to the first ai_chunk: the rest once the model's time to its first token is taken out",
    buckets: OWN_SHARE_BUCKETS, registers,
  });
  const replyDuration = new Histogram({
    name: "parley_reply_duration_seconds",
    help: "Time from a chat arriving to the end of its reply",
    labelNames: ["reason"] as const, buckets: REPLY_BUCKETS, registers,
  });
  const tokensStreamed = new Counter({ name: "parley_tokens_streamed_total", help: "Output tokens streamed to players", registers });
  const replies = new Counter({ name: "parley_replies_total", help: "Replies ended, by reason", labelNames: ["reason"] as const, registers });
  const errors = new Counter({ name: "parley_errors_total", help: "Error messages sent to clients, by code", labelNames: ["code"] as const, registers });
  const unexpectedErrors = new Counter({
    name: "parley_unexpected_errors_total",
    help: "Throws and rejections nothing expected, caught before they could end the process, by where they were caught",
    labelNames: ["where"] as const, registers,
  });
  const floodDisconnects = new Counter({ name: "parley_flood_disconnects_total", help: "Clients disconnected for sending frames past FLOOD_MESSAGES_PER_SECOND", registers });
  const moderationHits = new Counter({
    name: "parley_moderation_hits_total", help: "Messages caught by moderation",
    labelNames: ["direction"] as const, registers,
  });
  const memoryRecallLate = new Counter({
    name: "parley_memory_recall_late_total",
    help: "Memory lookups that missed their time box and were dropped", registers,
  });

  const abilityCalls = new Counter({
    name: "parley_ability_calls_total",
    help: "Tool calls of characters, by ability (unknown for a name that is no ability) and outcome (ok, or why it was refused)",
    labelNames: ["ability", "outcome"] as const, registers,
  });

  const joinsRefused = new Counter({ name: "parley_joins_refused_total", help: "Joins refused with server/saturated (JOIN_MAX_EVENT_LOOP_DELAY_MS, JOIN_MAX_PLAYERS)", registers });
  const providedGauge = (name: string, help: string, read: () => (() => number) | undefined) =>
    new Gauge({
      name, help, registers,
      collect() {
        const provider = read();
        if (provider) this.set(provider());
      },
    });
  const rooms = providedGauge("parley_rooms", "Rooms open in this process", () => providers.rooms);
  const players = providedGauge("parley_players", "Players connected to this process", () => providers.players);
  const queuedChats = providedGauge("parley_queued_chats", "Chats waiting behind a streaming reply", () => providers.queuedChats);
  providedGauge("parley_model_requests_active", "Model requests streaming in this process (at most MODEL_CONCURRENCY_MAX)", () => providers.modelRequestsActive);
  providedGauge("parley_model_requests_waiting", "Model requests waiting for a slot (MODEL_CONCURRENCY_MAX reached)", () => providers.modelRequestsWaiting);
  const persistenceBacklog = new Gauge({
    name: "parley_persistence_backlog", help: "Chat log writes not yet stored, in memory (queued) or on disk (spooled)",
    labelNames: ["kind"] as const, registers,
    collect() {
      if (!providers.backlog) return;
      const { queued, spooled } = providers.backlog();
      this.set({ kind: "queued" }, queued);
      this.set({ kind: "spooled" }, spooled);
    },
  });

  let deadLettersSeen = 0;
  const chatLogDeadLetters = new Counter({
    name: "parley_chat_log_dead_letters_total",
    help: "Chat-log records the store refused for good, set aside in the dead-letter file",
    registers,
    collect() {
      const now = providers.deadLetters?.() ?? deadLettersSeen;
      if (now > deadLettersSeen) this.inc(now - deadLettersSeen);
      deadLettersSeen = now;
    },
  });
  const turnEndSync = new Histogram({
    name: "parley_turn_end_sync_seconds",
    help: "Time a reply's end waits for its turn to be synced to the chat-log spool file, before ai_end goes out",
    buckets: OWN_SHARE_BUCKETS, registers,
  });
  const turnEndUnsynced = new Counter({
    name: "parley_turn_end_unsynced_total",
    help: "Replies whose ai_end went out before their turn was on disk (the spool write timed out or failed), by reason",
    labelNames: ["reason"] as const, registers,
  });

  return {
    registry,
    contentType: registry.contentType,
    firstChunk, modelFirstToken, replyDuration, tokensStreamed, replies, errors, unexpectedErrors, floodDisconnects, moderationHits, memoryRecallLate, abilityCalls, joinsRefused,
    rooms, players, queuedChats, persistenceBacklog, chatLogDeadLetters, turnEndSync, turnEndUnsynced,
    setProviders(next) {
      providers = { ...providers, ...next };
    },
    observeTurn(outcome) {
      if (outcome.first_chunk_ms !== null) firstChunk.observe(outcome.first_chunk_ms / 1000);
      if (outcome.model_first_token_ms !== null) modelFirstToken.observe(outcome.model_first_token_ms / 1000);
      if (outcome.own_first_chunk_ms !== null) ownFirstChunk.observe(Math.max(0, outcome.own_first_chunk_ms) / 1000);
      const reason: EndReason = outcome.reason;
      replyDuration.observe({ reason }, Math.max(0, outcome.ended_at - outcome.received_at) / 1000);
      replies.inc({ reason });
      if (outcome.usage) tokensStreamed.inc(outcome.usage.output_tokens);
      // A model may call anything: only names that are abilities become label values.
      for (const call of outcome.tool_calls ?? []) {
        abilityCalls.inc({ ability: call.outcome === "unknown_ability" || call.outcome === "malformed" ? "unknown" : call.name, outcome: call.outcome });
      }
    },
    countError(code) {
      errors.inc({ code });
    },
    countUnexpected(where) {
      unexpectedErrors.inc({ where });
    },
    countFloodDisconnect() {
      floodDisconnects.inc();
    },
    countModerationHit(direction) {
      moderationHits.inc({ direction });
    },
    countLateRecall() {
      memoryRecallLate.inc();
    },
    observeTurnEndSync(seconds) {
      turnEndSync.observe(seconds);
    },
    countUnsyncedTurnEnd(reason) {
      turnEndUnsynced.inc({ reason });
    },
    countJoinRefused() {
      joinsRefused.inc();
    },
    countTokens(n) {
      if (n > 0) tokensStreamed.inc(n);
    },
    render: () => registry.metrics(),
  };
}
