/**
 * Checks and times the replies one player receives. It knows nothing of the network: feed it the
 * room's messages and the chats it sends, and it emits one sample per finished reply (and, for
 * the player who chatted, one when its first chunk arrives).
 *
 * A chat is matched to its reply by order: the server answers every chat in the order received,
 * either with a status naming a new reply_id (thinking or queued) or with an error refusing it.
 * That holds when only this player chats in the room, which is how the bots are arranged.
 */
import { ERROR_CODES } from "../src/protocol/messages.ts";
import type { AiChunkMessage, AiEndMessage, AiStatusMessage, ErrorMessage } from "../src/protocol/messages.ts";
import type { SampleSink } from "./bot-samples.ts";

export interface TrackerClock {
  /** Monotonic milliseconds, for durations. */
  now(): number;
  /** Milliseconds since the epoch, for placing samples in a run's window. */
  wallNow(): number;
}

export const systemClock: TrackerClock = {
  now: () => performance.now(),
  wallNow: () => performance.timeOrigin + performance.now(),
};

interface OpenReply {
  sentAt: number | null;
  firstChunkAt: number | null;
  lastChunkAt: number | null;
  lastSeq: number;
  chunks: number;
  gaps: number[];
  seqFaults: number;
  text: string;
}

/** Errors that answer a chat in place of a reply. */
const REFUSALS: ReadonlySet<string> = new Set([ERROR_CODES.busy, ERROR_CODES.invalidMessage]);

const round2 = (ms: number): number => Math.round(ms * 100) / 100;

export function isGreeting(replyId: string): boolean {
  return replyId.startsWith("greeting-");
}

export class ReplyTracker {
  readonly #session: string;
  readonly #speaker: boolean;
  readonly #clock: TrackerClock;
  readonly #sink: SampleSink;
  /** Send times of chats not yet answered by a status or a refusal. */
  readonly #pending: number[] = [];
  readonly #open = new Map<string, OpenReply>();
  readonly #ended = new Set<string>();

  constructor(options: { session: string; speaker: boolean; sink: SampleSink; clock?: TrackerClock }) {
    this.#session = options.session;
    this.#speaker = options.speaker;
    this.#sink = options.sink;
    this.#clock = options.clock ?? systemClock;
  }

  /** Chats sent and not yet answered. */
  get pending(): number {
    return this.#pending.length;
  }

  chatSent(): void {
    this.#pending.push(this.#clock.now());
    this.#sink({ kind: "chat", at: this.#clock.wallNow(), session: this.#session });
  }

  onStatus(msg: AiStatusMessage): void {
    const id = msg.reply_id;
    if (!id || isGreeting(id) || this.#open.has(id) || this.#ended.has(id)) return;
    this.#begin(id);
  }

  onChunk(msg: AiChunkMessage): void {
    const id = msg.reply_id;
    if (isGreeting(id)) return;
    const now = this.#clock.now();
    if (this.#ended.has(id)) {
      this.#sink({ kind: "stray", at: this.#clock.wallNow(), session: this.#session, reply_id: id, what: "chunk" });
      return;
    }
    const reply = this.#open.get(id) ?? this.#begin(id);
    if (msg.seq !== reply.lastSeq + 1) reply.seqFaults += 1;
    // A reordered chunk must not move the expectation backwards and fault every later chunk too.
    reply.lastSeq = Math.max(reply.lastSeq, msg.seq);
    if (reply.lastChunkAt === null) {
      reply.firstChunkAt = now;
      if (reply.sentAt !== null) {
        const at = this.#clock.wallNow();
        this.#sink({
          kind: "first_chunk", at, session: this.#session, reply_id: id,
          sent_at: Math.round(at - (now - reply.sentAt)), ms: round2(now - reply.sentAt),
        });
      }
    } else {
      reply.gaps.push(round2(now - reply.lastChunkAt));
    }
    reply.lastChunkAt = now;
    reply.chunks += 1;
    reply.text += msg.content;
  }

  onEnd(msg: AiEndMessage): void {
    const id = msg.reply_id;
    if (isGreeting(id)) return;
    const reply = this.#open.get(id);
    if (!reply) {
      this.#sink({ kind: "stray", at: this.#clock.wallNow(), session: this.#session, reply_id: id, what: "end" });
      return;
    }
    const now = this.#clock.now();
    this.#open.delete(id);
    this.#ended.add(id);
    const since = (t: number | null) => (reply.sentAt === null || t === null ? null : round2(t - reply.sentAt));
    this.#sink({
      kind: "reply",
      at: this.#clock.wallNow(),
      session: this.#session,
      speaker: this.#speaker,
      reply_id: id,
      first_chunk_ms: since(reply.firstChunkAt),
      end_ms: since(now),
      chunks: reply.chunks,
      gaps_ms: reply.gaps,
      seq_faults: reply.seqFaults,
      content_ok: msg.full_content === reply.text,
      reason: msg.reason,
    });
  }

  onError(msg: ErrorMessage): void {
    if (this.#speaker && REFUSALS.has(msg.code)) this.#pending.shift();
    this.#sink({ kind: "error", at: this.#clock.wallNow(), session: this.#session, code: msg.code, message: msg.message });
  }

  #begin(id: string): OpenReply {
    const sentAt = this.#speaker ? (this.#pending.shift() ?? null) : null;
    const reply: OpenReply = {
      sentAt, firstChunkAt: null, lastChunkAt: null, lastSeq: 0, chunks: 0, gaps: [], seqFaults: 0, text: "",
    };
    this.#open.set(id, reply);
    return reply;
  }
}
