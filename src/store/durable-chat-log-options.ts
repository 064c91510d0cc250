import type { ChatLogStore } from "./chat-log.ts";
import { realScheduler } from "./scheduler.ts";
import type { Scheduler } from "./scheduler.ts";

/** The part of a pino logger the chat log uses. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface Backlog {
  /** Waiting in memory. */
  queued: number;
  /** Waiting in the spool file. */
  spooled: number;
}

export interface DurableChatLogOptions {
  /** Owned from now on: `close` closes it. */
  store: ChatLogStore;
  /** JSON-lines file for what memory cannot hold; one per process. */
  spoolPath: string;
  logger: Logger;
  /** Records per write; a full batch is written at once. Default 100. */
  batchSize?: number;
  /** Longest a partial batch waits before it is written. Default 250 ms. */
  flushIntervalMs?: number;
  /** Records held in memory before they move to the spool file. Default 10,000. */
  maxQueued?: number;
  /** First retry delay after a failed write; it doubles up to `retryMaxMs`. Default 250 ms. */
  retryBaseMs?: number;
  /** Default 30 s. */
  retryMaxMs?: number;
  /** A store call slower than this counts as failed (it may still land; ids make that harmless). Default 10 s. */
  storeTimeoutMs?: number;
  scheduler?: Scheduler;
  /** Where records the store refuses for good are set aside. Default `chat-log-dead-letter.jsonl` beside the spool. */
  deadLetterPath?: string;
  /** Which store errors are permanent (not retried as a batch). Default `isPermanentWriteError`. */
  isPermanent?: (err: unknown) => boolean;
  /** Spreads the retries of many processes apart; returns [0, 1). */
  random?: () => number;
}

export type DurableChatLogSettings = Required<Omit<DurableChatLogOptions, "store" | "spoolPath" | "logger" | "deadLetterPath" | "isPermanent">>;

export function resolveSettings(o: DurableChatLogOptions): DurableChatLogSettings {
  const batchSize = Math.max(1, o.batchSize ?? 100);
  return {
    batchSize,
    flushIntervalMs: o.flushIntervalMs ?? 250,
    maxQueued: Math.max(batchSize, o.maxQueued ?? 10_000),
    retryBaseMs: o.retryBaseMs ?? 250,
    retryMaxMs: o.retryMaxMs ?? 30_000,
    storeTimeoutMs: o.storeTimeoutMs ?? 10_000,
    scheduler: o.scheduler ?? realScheduler,
    random: o.random ?? Math.random,
  };
}

/** Consecutive failures, and the delay before the next attempt: doubling, capped, jittered. */
export class RetryBackoff {
  failures = 0;
  private since = 0;

  private readonly s: DurableChatLogSettings;

  constructor(s: DurableChatLogSettings) {
    this.s = s;
  }

  /** Counts a failure; true when it starts an outage. */
  fail(): boolean {
    if (this.failures++ === 0) this.since = this.s.scheduler.now();
    return this.failures === 1;
  }

  /** Resets; returns how long the outage lasted, or null when there was none. */
  succeed(): number | null {
    const downMs = this.failures > 0 ? this.s.scheduler.now() - this.since : null;
    this.failures = 0;
    return downMs;
  }

  delay(): number {
    const full = Math.min(this.s.retryMaxMs, this.s.retryBaseMs * 2 ** Math.min(30, Math.max(0, this.failures - 1)));
    return Math.round(full * (0.5 + 0.5 * this.s.random()));
  }
}
