/**
 * Memory lookups that arrive within a short time go out together: one embeddings request and one
 * statement for many players instead of one of each per player. Lookups run ahead of the chats
 * that use them (memory-lookahead.ts), so the short wait costs no player anything.
 */
import type { LongTermMemory, MemoryQuery, RecalledMemory } from "./long-term-memory.ts";

export interface BatchingRecallOptions {
  memory: Pick<LongTermMemory, "recallAll">;
  /** Lookups per batch, at most. */
  maxBatch: number;
  /** How long the first lookup of a batch may wait for others. */
  maxWaitMs: number;
}

interface Waiting {
  query: MemoryQuery;
  resolve(found: RecalledMemory[]): void;
  reject(err: unknown): void;
}

export class BatchingRecall {
  readonly #o: BatchingRecallOptions;
  #queue: Waiting[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: BatchingRecallOptions) {
    this.#o = options;
  }

  /** The memories for one query; an abort drops this lookup alone, not its batch. */
  recall(query: MemoryQuery, signal?: AbortSignal): Promise<RecalledMemory[]> {
    if (this.#closed) return Promise.reject(new Error("memory recall is closed"));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<RecalledMemory[]>((resolve, reject) => {
      const onAbort = () => {
        this.#queue = this.#queue.filter((w) => w !== waiting);
        reject(signal!.reason);
      };
      const waiting: Waiting = {
        query,
        resolve: (found) => { signal?.removeEventListener("abort", onAbort); resolve(found); },
        reject: (err) => { signal?.removeEventListener("abort", onAbort); reject(err); },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(waiting);
      if (this.#queue.length >= this.#o.maxBatch) this.#sendNow();
      else this.#timer ??= setTimeout(() => this.#sendNow(), this.#o.maxWaitMs);
    });
  }

  /** Sends the lookups waiting for a batch now: a chat is waiting for one of them. */
  flush(): void {
    this.#sendNow();
  }

  /** Lookups still waiting fail; takes no more. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const w of this.#queue.splice(0)) w.reject(new Error("memory recall is closed"));
  }

  #sendNow(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    this.#o.memory.recallAll(batch.map((w) => w.query)).then(
      (found) => batch.forEach((w, i) => w.resolve(found[i] ?? [])),
      (err: unknown) => batch.forEach((w) => w.reject(err)),
    );
  }
}
