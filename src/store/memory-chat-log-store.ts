import type { ChatLogRecord, ChatLogStore } from "./chat-log.ts";

/**
 * Chat logs kept in this process, for tests and for running without any database. The switches
 * imitate a database that is down (`fail`), stuck (`pause`), dies halfway through a write
 * (`failPartway`), or refuses some records for good (`refuse`).
 */
export class MemoryChatLogStore implements ChatLogStore {
  /** The size of every `append` call, including those that failed. */
  readonly batches: number[] = [];
  private readonly rows = new Map<string, ChatLogRecord>();
  private failure: Error | null = null;
  private appendFailure: Error | null = null;
  private partway: number | null = null;
  private refusal: { refuses: (r: ChatLogRecord) => boolean; err: Error } | null = null;
  private waiting: Array<() => void> | null = null;
  private closed = false;

  /** Until `recover`, every call rejects with `err`. */
  fail(err: Error = new Error("chat log store unavailable")): void {
    this.failure = err;
  }

  /** Until `recover`, writes reject with `err` while reads still work. */
  failAppends(err: Error = new Error("chat log store rejects writes")): void {
    this.appendFailure = err;
  }

  recover(): void {
    this.failure = null;
    this.appendFailure = null;
  }

  /** Until `resume`, every call waits, like a database that stopped answering. */
  pause(): void {
    this.waiting ??= [];
  }

  resume(): void {
    const waiting = this.waiting ?? [];
    this.waiting = null;
    for (const release of waiting) release();
  }

  /** The next `append` stores its first `n` records, then rejects. */
  failPartway(n: number): void {
    this.partway = n;
  }

  /**
   * From now on, an `append` holding a record that `refuses` matches stores nothing and rejects
   * with `err`, as a database refuses a whole statement for one bad row.
   */
  refuse(refuses: (r: ChatLogRecord) => boolean, err: Error): void {
    this.refusal = { refuses, err };
  }

  /** Every stored record, in the order it was stored. */
  stored(sessionId?: string): ChatLogRecord[] {
    const all = [...this.rows.values()];
    return sessionId === undefined ? all : all.filter((r) => r.session_id === sessionId);
  }

  async append(records: readonly ChatLogRecord[]): Promise<void> {
    this.batches.push(records.length);
    await this.gate();
    if (this.appendFailure) throw this.appendFailure;
    if (this.refusal && records.some(this.refusal.refuses)) throw this.refusal.err;
    const keep = this.partway ?? records.length;
    this.partway = null;
    for (const r of records.slice(0, keep)) {
      if (!this.rows.has(r.id)) this.rows.set(r.id, structuredClone(r));
    }
    if (keep < records.length) throw new Error(`chat log store failed after ${keep} of ${records.length} records`);
  }

  async recent(sessionId: string, limit: number): Promise<ChatLogRecord[]> {
    await this.gate();
    return limit <= 0 ? [] : this.stored(sessionId).slice(-limit).map((r) => structuredClone(r));
  }

  async ping(): Promise<void> {
    await this.gate();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.resume();
  }

  private async gate(): Promise<void> {
    if (this.waiting) await new Promise<void>((resolve) => this.waiting!.push(resolve));
    if (this.closed) throw new Error("chat log store is closed");
    if (this.failure) throw this.failure;
  }
}
