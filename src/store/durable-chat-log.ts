import { dirname, join } from "node:path";
import type { ChatLogRecord, ChatLogStore } from "./chat-log.ts";
import { ChatLogSpool } from "./chat-log-spool.ts";
import { DeadLetterFile } from "./dead-letter-file.ts";
import { resolveSettings, RetryBackoff } from "./durable-chat-log-options.ts";
import type { Backlog, DurableChatLogOptions, DurableChatLogSettings, Logger } from "./durable-chat-log-options.ts";
import { sleep, withTimeout } from "./scheduler.ts";
import { storableRecord } from "./storable-text.ts";
import { describeWriteError, isPermanentWriteError } from "./write-errors.ts";

export type { Backlog, DurableChatLogOptions, Logger } from "./durable-chat-log-options.ts";

/**
 * Write-behind in front of a ChatLogStore: `record` only enqueues, and a background flusher writes
 * batches in arrival order. While the store is slow or down, records wait in memory and, past
 * `maxQueued`, in the spool file, which is always older than memory and is written first. Retried
 * writes repeat ids, which the stores skip, so a record is stored once however often it is sent.
 *
 * Text is made storable here, where every record enters the storage path (see storable-text.ts).
 * A batch the store refuses for good (see write-errors.ts) is retried record by record, and each
 * record still refused goes to the dead-letter file, so it never blocks the records behind it.
 */
export class DurableChatLog implements ChatLogStore {
  private readonly store: ChatLogStore;
  private readonly spool: ChatLogSpool;
  private readonly logger: Logger;
  private readonly s: DurableChatLogSettings;
  private readonly backoff: RetryBackoff;
  private readonly deadLetters: DeadLetterFile;
  private readonly isPermanent: (err: unknown) => boolean;
  private deadLettered = 0;
  private queue: ChatLogRecord[] = [];
  /** Bumped when the queue moves to the spool, so a write in flight does not trim the new queue. */
  private queueGeneration = 0;
  private timer: unknown = null;
  private timerIsRetry = false;
  private draining: Promise<void> | null = null;
  private opened = false;
  private closed = false;
  private loggedBacklog = 0;

  constructor(options: DurableChatLogOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.spool = new ChatLogSpool(options.spoolPath, options.logger);
    this.s = resolveSettings(options);
    this.backoff = new RetryBackoff(this.s);
    this.deadLetters = new DeadLetterFile(options.deadLetterPath ?? join(dirname(options.spoolPath), "chat-log-dead-letter.jsonl"));
    this.isPermanent = options.isPermanent ?? isPermanentWriteError;
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
  record(accepted: ChatLogRecord): void {
    const record = storableRecord(accepted);
    try {
      if (this.closed) return this.spool.appendSync([record]);
      this.queue.push(record);
      if (this.queue.length >= this.s.maxQueued) this.spill();
      this.noteBacklog();
      this.schedule(this.queue.length >= this.s.batchSize ? 0 : this.s.flushIntervalMs);
    } catch (err) {
      this.logger.error({ err, id: record.id }, "chat log record lost: the spool file cannot be written");
    }
  }

  /**
   * Accepts a record and resolves once it is synced to the spool file, together with every record
   * accepted before it, so a turn a player has been told of survives a crash. Concurrent calls share
   * one fsync. Rejects when the spool cannot be written; the records then stay for the next attempt.
   */
  recordDurably(accepted: ChatLogRecord): Promise<void> {
    const record = storableRecord(accepted);
    if (this.closed) {
      try {
        this.spool.appendSync([record]);
        return Promise.resolve();
      } catch (err) {
        return Promise.reject(err as Error);
      }
    }
    this.queue.push(record);
    const synced = this.spill();
    this.noteBacklog();
    this.schedule(this.s.flushIntervalMs);
    return synced;
  }

  /** Records the store refused for good and that went to the dead-letter file, since start. */
  get deadLetterCount(): number {
    return this.deadLettered;
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
      stored = await withTimeout(this.s.scheduler, this.store.recent(sessionId, limit), this.s.storeTimeoutMs, "chat log read");
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
    const deadline = this.s.scheduler.now() + withinMs;
    while (this.opened && !this.closed && this.pending()) {
      const left = deadline - this.s.scheduler.now();
      if (left <= 0) break;
      this.cancelTimer();
      const timeout = sleep(this.s.scheduler, left);
      const ranOut = await Promise.race([this.drain().then(() => false), timeout.done]);
      timeout.cancel();
      if (ranOut) break;
      if (this.backoff.failures > 0 && this.pending()) {
        await sleep(this.s.scheduler, Math.min(this.backoff.delay(), deadline - this.s.scheduler.now())).done;
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
      await withTimeout(this.s.scheduler, this.store.close(), this.s.storeTimeoutMs, "chat log store close");
    } catch (err) {
      this.logger.warn({ err }, "chat log store did not close cleanly");
    }
  }

  private pending(): boolean {
    return this.queue.length > 0 || this.spool.hasPending;
  }

  private spill(): Promise<void> {
    const records = this.queue;
    this.queue = [];
    this.queueGeneration++;
    // A failed spool write keeps the records in the spool, which retries on its next write.
    const synced = this.spool.append(records);
    synced.catch(() => undefined);
    return synced;
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
        batch = await this.spool.readBatch(this.s.batchSize);
      } catch (err) {
        this.onFailure(err);
        return false;
      }
      if (batch.skipped > 0) this.logger.error({ skipped: batch.skipped, path: this.spool.path }, "unreadable lines in the chat log spool skipped");
      if (batch.records.length > 0 && !(await this.write(batch.records))) return false;
      this.spool.commit(batch);
      if (this.spool.hasPending && batch.records.length + batch.skipped > 0) return true;
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
    const batch = this.queue.slice(0, this.s.batchSize);
    if (!(await this.write(batch))) return false;
    if (generation === this.queueGeneration) this.queue.splice(0, batch.length);
    return true;
  }

  private async write(records: ChatLogRecord[]): Promise<boolean> {
    try {
      await this.storeAppend(records);
    } catch (err) {
      if (!this.isPermanent(err)) {
        this.onFailure(err);
        return false;
      }
      if (!(await this.writeEach(records, err))) return false;
    }
    const downMs = this.backoff.succeed();
    if (downMs !== null) this.logger.info({ downMs, ...this.backlog() }, "chat log store is back; writing the backlog");
    return true;
  }

  private storeAppend(records: readonly ChatLogRecord[]): Promise<void> {
    return withTimeout(this.s.scheduler, this.store.append(records), this.s.storeTimeoutMs, "chat log append");
  }

  /** After a permanent refusal: one record at a time, so only the refused ones are set aside. */
  private async writeEach(records: readonly ChatLogRecord[], batchErr: unknown): Promise<boolean> {
    if (records.length === 1) return this.deadLetter(records[0]!, batchErr);
    for (const record of records) {
      try {
        await this.storeAppend([record]);
      } catch (err) {
        if (!this.isPermanent(err)) {
          this.onFailure(err);
          return false;
        }
        if (!(await this.deadLetter(record, err))) return false;
      }
    }
    return true;
  }

  private async deadLetter(record: ChatLogRecord, err: unknown): Promise<boolean> {
    try {
      await this.deadLetters.add(record, err);
    } catch (writeErr) {
      this.logger.error({ err: writeErr, id: record.id, path: this.deadLetters.path }, "chat log dead-letter file cannot be written; keeping the record");
      this.onFailure(writeErr);
      return false;
    }
    this.deadLettered++;
    this.logger.error(
      { id: record.id, session_id: record.session_id, error: describeWriteError(err), path: this.deadLetters.path },
      "chat log record refused by the store for good; set aside in the dead-letter file",
    );
    return true;
  }

  private onFailure(err: unknown): void {
    if (this.backoff.fail()) this.logger.warn({ err, ...this.backlog() }, "chat log writes failing; keeping records until they succeed");
  }

  private schedule(delay: number): void {
    if (!this.opened || this.closed || this.draining) return;
    if (this.timer !== null) {
      if (this.timerIsRetry || delay > 0) return;
      this.cancelTimer();
    }
    this.timerIsRetry = false;
    this.timer = this.s.scheduler.setTimeout(() => {
      this.timer = null;
      void this.drain();
    }, delay, true);
  }

  private scheduleAfterDrain(): void {
    if (!this.opened || this.closed || this.draining || !this.pending()) return;
    if (this.backoff.failures === 0) return this.schedule(this.spool.hasPending || this.queue.length >= this.s.batchSize ? 0 : this.s.flushIntervalMs);
    this.cancelTimer();
    this.timerIsRetry = true;
    this.timer = this.s.scheduler.setTimeout(() => {
      this.timer = null;
      void this.drain();
    }, this.backoff.delay(), true);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.s.scheduler.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Logs when the backlog doubles past a few batches, and when it is gone again. */
  private noteBacklog(): void {
    const total = this.queue.length + this.spool.count;
    if (total === 0 && this.loggedBacklog > 0) {
      this.loggedBacklog = 0;
      this.logger.info({ queued: 0, spooled: 0 }, "chat log backlog written");
    } else if (total >= Math.max(4 * this.s.batchSize, 100, 2 * this.loggedBacklog)) {
      this.loggedBacklog = total;
      this.logger.warn(this.backlog(), "chat log backlog growing");
    }
  }
}
