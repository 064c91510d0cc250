/**
 * Live reply messages skip a reconnected player until it has been sent what it missed: on its
 * `resume`, or after a wait without one, from where the stream stood when it dropped.
 */
import type { ReplyJournal } from "../ai/reply-journal.ts";

interface StreamPosition { reply_id: string | undefined; last_seq: number }

export class ReconnectGate {
  readonly #journal: ReplyJournal;
  readonly #waitMs: number;
  readonly #gates = new Map<string, NodeJS.Timeout>();
  readonly #droppedAt = new Map<string, StreamPosition>();

  constructor(journal: ReplyJournal, waitMs: number) {
    this.#journal = journal;
    this.#waitMs = waitMs;
  }

  /** Remembers where the stream stood: what the player misses starts after this. */
  dropped(sessionId: string): void {
    const reply_id = this.#journal.latest();
    this.#droppedAt.set(sessionId, { reply_id, last_seq: reply_id ? this.#journal.lastSeq(reply_id) : 0 });
  }

  /** Holds live messages back from the player; `replay` sends what it missed if no `resume` comes in time. */
  reconnected(sessionId: string, replay: (replyId: string, lastSeq: number) => void): void {
    const { reply_id, last_seq } = this.#droppedAt.get(sessionId) ?? { reply_id: undefined, last_seq: 0 };
    this.#droppedAt.delete(sessionId);
    this.#gates.set(sessionId, setTimeout(() => {
      if (reply_id) replay(reply_id, last_seq);
      // Also when that reply is no longer journaled: a gate left shut would silence the player for good.
      this.open(sessionId);
    }, this.#waitMs));
  }

  /** The player has what it missed: live messages reach it again. */
  open(sessionId: string): void {
    clearTimeout(this.#gates.get(sessionId));
    this.#gates.delete(sessionId);
  }

  left(sessionId: string): void {
    this.open(sessionId);
    this.#droppedAt.delete(sessionId);
  }

  /** Whether any player is held back (the common case is none, and costs one check). */
  get holding(): boolean {
    return this.#gates.size > 0;
  }

  holds(sessionId: string): boolean {
    return this.#gates.has(sessionId);
  }

  dispose(): void {
    for (const timer of this.#gates.values()) clearTimeout(timer);
    this.#gates.clear();
    this.#droppedAt.clear();
  }
}
