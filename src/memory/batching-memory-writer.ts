/**
 * Write-behind for long-term memory: turns that end within a short time are stored together, so
 * many turns cost one embeddings request and one INSERT instead of one each. A memory is never on
 * a reply's path, so a short wait costs nothing a player sees.
 */
import type { LongTermMemory, MemoryEntry } from "./long-term-memory.ts";

export interface BatchingMemoryWriterOptions {
  memory: Pick<LongTermMemory, "rememberAll">;
  /** Entries per write, at most. */
  maxBatch: number;
  /** How long the first entry of a batch may wait for others. */
  maxWaitMs: number;
  /** A failed write costs those memories, never a turn: it is reported, not thrown. */
  onError(err: unknown, lost: number): void;
}

export class BatchingMemoryWriter {
  readonly #o: BatchingMemoryWriterOptions;
  #queue: MemoryEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #writing = new Set<Promise<void>>();
  #closed = false;

  constructor(options: BatchingMemoryWriterOptions) {
    this.#o = options;
  }

  add(entry: MemoryEntry): void {
    if (this.#closed) {
      this.#o.onError(new Error("memory writer is closed"), 1);
      return;
    }
    this.#queue.push(entry);
    if (this.#queue.length >= this.#o.maxBatch) this.#writeNow();
    else this.#timer ??= setTimeout(() => this.#writeNow(), this.#o.maxWaitMs);
  }

  /** Entries waiting or being written. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Writes what waits and waits for every write in flight; takes no more entries. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#writeNow();
    await Promise.all(this.#writing);
  }

  #writeNow(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    const write = this.#o.memory.rememberAll(batch)
      .catch((err: unknown) => this.#o.onError(err, batch.length))
      .finally(() => this.#writing.delete(write));
    this.#writing.add(write);
  }
}
