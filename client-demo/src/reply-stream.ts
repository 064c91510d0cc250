/**
 * Assembles streamed replies from `ai_chunk`s in `seq` order: a chunk that arrives twice (a resume
 * overlapping what was already shown) is dropped, and one that arrives early waits for the gap
 * before it to fill. Pure: no DOM, no socket, so it is tested without a browser.
 */
import type { AiChunkMessage, AiEndMessage, AiRetractMessage } from "../../src/protocol/messages.ts";

export interface ReplyView {
  reply_id: string;
  /** The text shown: chunks 1..shownSeq joined, with no gap. */
  text: string;
  /** The highest seq shown with every seq before it: what `resume` asks to continue after. */
  shownSeq: number;
  end?: AiEndMessage;
  retracted?: AiRetractMessage;
}

export class ReplyStream {
  readonly #replies = new Map<string, ReplyView>();
  readonly #pending = new Map<string, Map<number, string>>();
  /** The reply the bubble follows: the last one that started. */
  current: ReplyView | undefined;
  /** Chunks received again (after a resume) and dropped; the bubble never repeats them. */
  duplicates = 0;
  /** Replies whose chunks did not add up to `full_content` (a gap): should stay 0. */
  repairs = 0;

  #view(replyId: string): ReplyView {
    let view = this.#replies.get(replyId);
    if (!view) {
      view = { reply_id: replyId, text: "", shownSeq: 0 };
      this.#replies.set(replyId, view);
      this.current = view;
    }
    return view;
  }

  /** Starts following a reply before its first chunk (`ai_status thinking` names it). */
  begin(replyId: string): ReplyView {
    return this.#view(replyId);
  }

  chunk(msg: AiChunkMessage): ReplyView {
    const view = this.#view(msg.reply_id);
    const pending = this.#pending.get(msg.reply_id) ?? new Map<number, string>();
    if (msg.seq <= view.shownSeq || pending.has(msg.seq)) {
      this.duplicates++;
      return view;
    }
    pending.set(msg.seq, msg.content);
    for (let next = pending.get(view.shownSeq + 1); next !== undefined; next = pending.get(view.shownSeq + 1)) {
      pending.delete(view.shownSeq + 1);
      view.text += next;
      view.shownSeq++;
    }
    if (pending.size > 0) this.#pending.set(msg.reply_id, pending);
    else this.#pending.delete(msg.reply_id);
    return view;
  }

  /** Ends a reply. `full_content` is authoritative: were any chunk missing, the text becomes it. */
  end(msg: AiEndMessage): ReplyView {
    const view = this.#view(msg.reply_id);
    view.end = msg;
    this.#pending.delete(msg.reply_id);
    if (view.text !== msg.full_content && !view.retracted) {
      this.repairs++;
      view.text = msg.full_content;
    }
    return view;
  }

  retract(msg: AiRetractMessage): ReplyView {
    const view = this.#view(msg.reply_id);
    view.retracted = msg;
    view.text = "";
    this.#pending.delete(msg.reply_id);
    return view;
  }

  /** What a reconnected client asks for: the latest reply it followed and how far it got. */
  resumePoint(): { reply_id: string; last_seq: number } | undefined {
    // The greeting is sent to each player on join and never journaled: nothing to resume there.
    const latest = [...this.#replies.values()].filter((r) => !r.reply_id.startsWith("greeting-")).at(-1);
    return latest && { reply_id: latest.reply_id, last_seq: latest.shownSeq };
  }
}
