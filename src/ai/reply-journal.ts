/**
 * The recent replies of a room, chunk by chunk, so a player who reconnects can be sent what it
 * missed. Bounded: it keeps the last few replies, and each reply is bounded by the model's max tokens.
 */
import type { AiChunkMessage, AiEndMessage, AiRetractMessage } from "../protocol/messages.ts";

export type JournalEntry =
  | { type: "ai_chunk"; message: AiChunkMessage }
  | { type: "ai_retract"; message: AiRetractMessage }
  | { type: "ai_end"; message: AiEndMessage };

interface JournalReply {
  reply_id: string;
  /**
   * Chunk texts by seq (seq n at n - 1): a room keeps several replies of dozens of chunks, and a
   * message object per chunk made this journal a third of a session's live heap, which every
   * full garbage collection walks.
   */
  contents: string[];
  retract?: AiRetractMessage;
  end?: AiEndMessage;
}

export class ReplyJournal {
  readonly #replies: JournalReply[] = [];
  readonly #maxReplies: number;

  constructor(maxReplies: number) {
    this.#maxReplies = Math.max(1, maxReplies);
  }

  record(entry: JournalEntry): void {
    const reply = this.#replyFor(entry.message.reply_id);
    if (entry.type === "ai_chunk") reply.contents[entry.message.seq - 1] = entry.message.content;
    else if (entry.type === "ai_retract") reply.retract = entry.message;
    else reply.end = entry.message;
  }

  has(replyId: string): boolean {
    return this.#replies.some((r) => r.reply_id === replyId);
  }

  /** The highest seq journaled for a reply; 0 when none. */
  lastSeq(replyId: string): number {
    return this.#replies.find((r) => r.reply_id === replyId)?.contents.length ?? 0;
  }

  /** The newest reply's id, if any: a resuming player that knows no reply starts from there. */
  latest(): string | undefined {
    return this.#replies.at(-1)?.reply_id;
  }

  /**
   * What a player that saw `replyId` up to `lastSeq` missed, in order: the rest of that reply
   * (its retraction and end included), then every later reply whole. Null for an unknown reply.
   */
  replayAfter(replyId: string, lastSeq: number): JournalEntry[] | null {
    const start = this.#replies.findIndex((r) => r.reply_id === replyId);
    if (start < 0) return null;
    const out: JournalEntry[] = [];
    for (const [i, reply] of this.#replies.slice(start).entries()) {
      const from = i === 0 ? lastSeq : 0;
      for (let seq = from + 1; seq <= reply.contents.length; seq++) {
        out.push({ type: "ai_chunk", message: { reply_id: reply.reply_id, seq, content: reply.contents[seq - 1] ?? "" } });
      }
      if (reply.retract) out.push({ type: "ai_retract", message: reply.retract });
      if (reply.end) out.push({ type: "ai_end", message: reply.end });
    }
    return out;
  }

  clear(): void {
    this.#replies.length = 0;
  }

  #replyFor(replyId: string): JournalReply {
    const last = this.#replies.at(-1);
    if (last?.reply_id === replyId) return last;
    const found = this.#replies.find((r) => r.reply_id === replyId);
    if (found) return found;
    const reply: JournalReply = { reply_id: replyId, contents: [] };
    this.#replies.push(reply);
    if (this.#replies.length > this.#maxReplies) this.#replies.shift();
    return reply;
  }
}
