/**
 * Chunk pacing: the first chunk of a reply goes out at once (it is the latency players feel);
 * after it, text that arrives within the interval of the last chunk waits and goes out together,
 * so a fast model costs fewer WebSocket frames. An interval of 0 sends every piece as it comes.
 */

/** Time for the pacer, injected so tests need no real clock. */
export interface PacerClock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Runs `fn` after `ms` milliseconds; returns what cancels it. */
  after(ms: number, fn: () => void): () => void;
}

/** A clock of real timers over the given monotonic reading. */
export function timerClock(now: () => number): PacerClock {
  return {
    now,
    after(ms, fn) {
      const timer = setTimeout(fn, ms);
      return () => clearTimeout(timer);
    },
  };
}

export class ChunkPacer {
  readonly #intervalMs: number;
  readonly #send: (content: string) => void;
  readonly #clock: PacerClock;
  #started = false;
  #lastChunkAt = 0;
  #pending = "";
  #cancelTimer: (() => void) | undefined;

  /** `send` gets each chunk as it goes out. */
  constructor(intervalMs: number, send: (content: string) => void, clock: PacerClock) {
    this.#intervalMs = intervalMs;
    this.#send = send;
    this.#clock = clock;
  }

  /** True once the first chunk has gone out. */
  get started(): boolean {
    return this.#started;
  }

  push(content: string): void {
    if (!content) return;
    if (this.#intervalMs <= 0 || !this.#started) return this.#emit(content);
    this.#pending += content;
    if (this.#cancelTimer) return;
    const wait = this.#lastChunkAt + this.#intervalMs - this.#clock.now();
    if (wait <= 0) return this.flush();
    this.#cancelTimer = this.#clock.after(wait, () => this.flush());
  }

  /** Sends what waits now (at the end of a reply, so what was said before the end still goes out). */
  flush(): void {
    const content = this.#pending;
    this.drop();
    if (content) this.#emit(content);
  }

  /** Discards what waits: nothing more of a retracted reply goes out. */
  drop(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#pending = "";
  }

  #emit(content: string): void {
    this.#started = true;
    if (this.#intervalMs > 0) this.#lastChunkAt = this.#clock.now();
    this.#send(content);
  }
}
