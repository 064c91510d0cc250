/**
 * Turns are ordered by `seq`, not by `created_at` alone: several turns of one session can share a
 * millisecond, and ids come from callers, so neither orders them. `seq` is the created_at in
 * microseconds, bumped past the last value this process handed out: strictly increasing in append
 * order inside a process, and still close to time order across processes and restarts.
 * (created_at ms * 1000 stays below 2^53 until the year 2255.)
 */
export class ChatLogSeq {
  private last = 0;

  next(createdAt: Date): number {
    const anchored = createdAt.getTime() * 1000;
    this.last = Number.isSafeInteger(anchored) && anchored > this.last ? anchored : this.last + 1;
    return this.last;
  }
}

/** One sequence per process, shared by every store so that they agree on the order. */
export const processChatLogSeq = new ChatLogSeq();
