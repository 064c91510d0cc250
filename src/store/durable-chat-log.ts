import type { ChatLogRecord, ChatLogStore } from "./chat-log.ts";
import { ChatLogSpool } from "./chat-log-spool.ts";
import { realScheduler, sleep, withTimeout } from "./scheduler.ts";
import type { Scheduler } from "./scheduler.ts";

/** The part of a pino logger this module uses. */
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
  /** Records per write. */
  batchSize?: number;
  /** Longest a partial batch waits before it is written. */
  flushIntervalMs?: number;
  /** Records held in memory before they move to the spool file. */
  maxQueued?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A store call slower than this counts as failed (it may still land; ids make that harmless). */
  storeTimeoutMs?: number;
  scheduler?: Scheduler;
  /** Spreads retries of many processes apart; [0, 1). */
  random?: () => number;
}

/**
 * Write-behind in front of a ChatLogStore: `record` only enqueues, and a background flusher writes
 * batches in arrival order. While the store is slow or down, records wait in memory and, past
 * `maxQueued`, in the spool file, which is always older than memory and is written first. Retried
 * writes repeat ids, which the stores skip, so a record is stored once however often it is sent.
 */
export class DurableChatLog implements ChatLogStore {
  private readonly store: ChatLogStore;
  private readonly spool: ChatLogSpool;
  private readonly logger: Logger;
  private readonly scheduler: Scheduler;
  private readonly random: () => number;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxQueued: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly storeTimeoutMs: number;
  private queue: ChatLogRecord[] = [];
  /** Bumped when the queue moves to the spool, so a write in flight does not trim the new queue. */
  private queueGeneration = 0;
  private timer: unknown = null;
  private timerIsRetry = false;
  private draining: Promise<void> | null = null;
  private failures = 0;
  private downSince = 0;
  private opened = false;
  private closed = false;
  private loggedBacklog = 0;

  constructor(o: DurableChatLogOptions) {
    this.store = o.store;
    this.logger = o.logger;
    this.spool = new ChatLogSpool(o.spoolPath, o.logger);
    this.scheduler = o.scheduler ?? realScheduler;
    this.random = o.random ?? Math.random;
    this.batchSize = Math.max(1, o.batchSize ?? 100);
    this.flushIntervalMs = o.flushIntervalMs ?? 250;
    this.maxQueued = Math.max(this.batchSize, o.maxQueued ?? 10_000);
    this.retryBaseMs = o.retryBaseMs ?? 250;
    this.retryMaxMs = o.retryMaxMs ?? 30_000;
    this.storeTimeoutMs = o.storeTimeoutMs ?? 10_000;
  }

  /** Picks up the spool of an earlier run (a crash, or shutdown during an outage) and starts writing. */
  async open(): Promise<void> {
    await this.spool.open();
    if (this.spool.count > 0) {
      this.logger.info({ spooled: this.spool.count, path: this.spool.path }, "replaying chat logs spooled by an earlier run");
    }
    this.opened = true;
    this.scheduleAfterDrain();
  }

  /** Accepts a record for writing; never throws and never waits. */
  record(record: ChatLogRecord): void {
    try {
      if (this.closed) return this.spool.appendSync([record]);
      this.queue.push(record);
      if (this.queue.length >= this.maxQueued) this.spill();
      this.noteBacklog();
      this.schedule(this.queue.length >= this.batchSize ? 0 : this.flushIntervalMs);
    } catch (err) {
      this.logger.error({ err, id: record.id }, "chat log record lost: the spool file cannot be written");
    }
  }

  async append(records: readonly ChatLogRecord[]): Promise<void> {
    for (const r of records) this.record(r);
  }

  backlog(): Backlog {
    return { queued: this.queue.length, spooled: this.spool.count };
  }

  /** The store's answer plus what is still waiting, so a session reads whole even during an outage. */
  async recent(sessionId: string, limit: number): Promise<ChatLogRecord[]> {
    if (limit <= 0) return [];
    const queued = this.queue.filter((r) => r.session_id === sessionId);
    const spooled = this.spool.hasPending && queued.length < limit
      ? await this.spool.readSession(sessionId, limit).catch((err: unknown) => {
          this.logger.error({ err, sessionId }, "chat log spool could not be read");
          return [];
        })
      : [];
    let stored: ChatLogRecord[] = [];
    try {
      stored = await withTimeout(this.scheduler, this.store.recent(sessionId, limit), this.storeTimeoutMs, "chat log read");
    } catch (err) {
      this.logger.warn({ err, sessionId }, "chat log read failed; answering from records not yet stored");
    }
    const waiting = [...new Map([...spooled, ...queued].map((r) => [r.id, r])).values()];
    const ids = new Set(waiting.map((r) => r.id));
    return [...stored.filter((r) => !ids.has(r.id)), ...waiting].slice(-limit);
  }

  ping(): Promise<void> {
    return this.store.ping();
  }

  /**
   * Writes everything waiting, trying for at most `withinMs`; what is still unwritten then is
   * synced to the spool file, so the next `open` replays it. For shutdown, or whenever a caller
   * needs the backlog on disk.
   */
  async flush(withinMs = 5_000): Promise<Backlog> {
    const deadline = this.scheduler.now() + withinMs;
    while (this.opened && !this.closed && this.pending()) {
      const left = deadline - this.scheduler.now();
      if (left <= 0) break;
      this.cancelTimer();
      const timeout = sleep(this.scheduler, left);
      const ranOut = await Promise.race([this.drain().then(() => false), timeout.done]);
      timeout.cancel();
      if (ranOut) break;
      if (this.failures > 0 && this.pending()) {
        await sleep(this.scheduler, Math.min(this.retryDelay(), deadline - this.scheduler.now())).done;
      }
    }
    if (this.queue.length > 0) this.spill();
    await this.spool.settle().catch(() => undefined);
    this.scheduleAfterDrain();
    return this.backlog();
  }

  /** `flush`, then stops; records that still arrive go straight to the spool file. Closes the store. */
  async close(withinMs = 5_000): Promise<void> {
    if (this.closed) return;
    const left = await this.flush(withinMs);
    this.closed = true;
    this.cancelTimer();
    const late = this.queue.splice(0);
    try {
      if (late.length > 0) this.spool.appendSync(late);
    } catch (err) {
      this.logger.error({ err, records: late.length }, "chat log records lost: the spool file cannot be written");
    }
    if (left.spooled > 0) this.logger.warn({ ...left, path: this.spool.path }, "chat logs left in the spool for the next start");
    try {
      await withTimeout(this.scheduler, this.store.close(), this.storeTimeoutMs, "chat log store close");
    } catch (err) {
      this.logger.warn({ err }, "chat log store did not close cleanly");
    }
  }

  private pending(): boolean {
    return this.queue.length > 0 || this.spool.hasPending;
  }

  private spill(): void {
    const records = this.queue;
    this.queue = [];
    this.queueGeneration++;
    // A failed spool write keeps the records in the spool, which retries on its next write.
    this.spool.append(records).catch(() => undefined);
  }

  private drain(): Promise<void> {
    this.draining ??= this.runDrain().finally(() => {
      this.draining = null;
      this.scheduleAfterDrain();
    });
    return this.draining;
  }

  private async runDrain(): Promise<void> {
    while (!this.closed && (await this.step())) this.noteBacklog();
    this.noteBacklog();
  }

  /** Writes one batch, oldest first: the spool, then memory. False when idle or failing. */
  private async step(): Promise<boolean> {
    if (this.spool.hasPending) {
      let batch;
      try {
        batch = await this.spool.readBatch(this.batchSize);
      } catch (err) {
        this.onFailure(err);
        return false;
      }
      if (batch.skipped > 0) this.logger.error({ skipped: batch.skipped, path: this.spool.path }, "unreadable lines in the chat log spool skipped");
      if (batch.records.length > 0 && !(await this.write(batch.records))) return false;
      this.spool.commit(batch);
      if (batch.records.length + batch.skipped > 0) return true;
      try {
        await this.spool.removeIfDone();
        return true;
      } catch (err) {
        this.onFailure(err);
        return false;
      }
    }
    if (this.queue.length === 0) return false;
    const generation = this.queueGeneration;
    const batch = this.queue.slice(0, this.batchSize);
    if (!(await this.write(batch))) return false;
    if (generation === this.queueGeneration) this.queue.splice(0, batch.length);
    return true;
  }

  private async write(records: ChatLogRecord[]): Promise<boolean> {
    try {
      await withTimeout(this.scheduler, this.store.append(records), this.storeTimeoutMs, "chat log append");
    } catch (err) {
      this.onFailure(err);
      return false;
    }
    if (this.failures > 0) {
      const downMs = this.scheduler.now() - this.downSince;
      this.logger.info({ downMs, ...this.backlog() }, "chat log store is back; writing the backlog");
    }
    this.failures = 0;
    return true;
  }

  private onFailure(err: unknown): void {
    if (this.failures++ > 0) return;
    this.downSince = this.scheduler.now();
    this.logger.warn({ err, ...this.backlog() }, "chat log writes failing; keeping records until they succeed");
  }

  private retryDelay(): number {
    const full = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.min(30, this.failures - 1));
    return Math.round(full * (0.5 + 0.5 * this.random()));
  }

  private schedule(delay: number): void {
    if (!this.opened || this.closed || this.draining) return;
    if (this.timer !== null) {
      if (this.timerIsRetry || delay > 0) return;
      this.cancelTimer();
    }
    this.timerIsRetry = false;
    this.timer = this.scheduler.setTimeout(() => {
      this.timer = null;
      void this.drain();
    }, delay);
  }

  private scheduleAfterDrain(): void {
    if (!this.opened || this.closed || this.draining || !this.pending()) return;
    if (this.failures === 0) return this.schedule(this.spool.hasPending || this.queue.length >= this.batchSize ? 0 : this.flushIntervalMs);
    this.cancelTimer();
    this.timerIsRetry = true;
    this.timer = this.scheduler.setTimeout(() => {
      this.timer = null;
      void this.drain();
    }, this.retryDelay());
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.scheduler.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Logs when the backlog doubles past a few batches, and when it is gone again. */
  private noteBacklog(): void {
    const total = this.queue.length + this.spool.count;
    if (total === 0 && this.loggedBacklog > 0) {
      this.loggedBacklog = 0;
      this.logger.info({ queued: 0, spooled: 0 }, "chat log backlog written");
    } else if (total >= Math.max(4 * this.batchSize, 100, 2 * this.loggedBacklog)) {
      this.loggedBacklog = total;
      this.logger.warn(this.backlog(), "chat log backlog growing");
    }
  }
}
