/**
 * What a bot writes, one JSON object per line. Wall-clock fields (`at`) let a runner keep only
 * the samples of its measured window; durations come from a monotonic clock.
 */
import type { EndReason } from "../src/protocol/messages.ts";

/** One reply as one player saw it. Timings relative to the chat exist only for the player who chatted. */
export interface ReplySample {
  kind: "reply";
  /** Wall clock (ms since the epoch) when the reply ended. */
  at: number;
  session: string;
  speaker: boolean;
  reply_id: string;
  /** Chat sent -> first `ai_chunk` of this reply, ms. */
  first_chunk_ms: number | null;
  /** Chat sent -> `ai_end`, ms. */
  end_ms: number | null;
  chunks: number;
  /** Arrival gaps between consecutive chunks, ms, rounded to 0.01. */
  gaps_ms: number[];
  /** Chunks whose seq was not the previous seq + 1 (gaps, repeats, reorders, chunks after the end). */
  seq_faults: number;
  /** `full_content` equals the received chunks joined in order. */
  content_ok: boolean;
  reason: EndReason;
}

export interface ChatSample { kind: "chat"; at: number; session: string }
/**
 * The first chunk of a reply, for the player who chatted, when it arrives: a reply still
 * streaming when the bots stop is timed too. `sent_at` is the chat's wall-clock moment.
 */
export interface FirstChunkSample { kind: "first_chunk"; at: number; session: string; reply_id: string; sent_at: number; ms: number }
export interface JoinSample { kind: "join"; at: number; session: string; ms: number }
export interface JoinFailedSample { kind: "join_failed"; at: number; session: string; message: string }
/** An `error` message from the server. */
export interface ServerErrorSample { kind: "error"; at: number; session: string; code: string; message: string }
/** The connection dropped or the server closed the room without the bot asking. */
export interface DisconnectSample { kind: "disconnect"; at: number; session: string; code: number; reason: string }
/** Chunks or an end for a reply this player never saw begin, or a chunk after its end. */
export interface StraySample { kind: "stray"; at: number; session: string; reply_id: string; what: "chunk" | "end" }

export type BotSample =
  | ReplySample | ChatSample | FirstChunkSample | JoinSample | JoinFailedSample | ServerErrorSample | DisconnectSample | StraySample;

export type SampleSink = (sample: BotSample) => void;
