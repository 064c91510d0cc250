/** What the reply pipeline tells its listener; the room turns each event into a room message. */
import type { AiStatus, EndReason, ErrorCode, Usage } from "../protocol/messages.ts";
import type { ToolCallRecord } from "./reply/turn-loop.ts";

export type ReplyEvent =
  | { type: "status"; status: AiStatus; reply_id?: string }
  | { type: "queued"; reply_id: string; user_id: string }
  | { type: "dequeued"; reply_id: string }
  | { type: "chunk"; reply_id: string; seq: number; content: string }
  | { type: "retract"; reply_id: string; reason: "moderated" }
  | { type: "end"; reply_id: string; full_content: string; reason: EndReason; usage?: Usage }
  | { type: "error"; code: ErrorCode; message: string };

/** A finished turn, for persistence and metrics. */
export interface TurnOutcome {
  reply_id: string;
  user_id: string;
  user_content: string;
  /** When the player's chat arrived (ms since the epoch). */
  received_at: number;
  reply_content: string;
  reason: EndReason;
  usage?: Usage;
  model: string;
  /** Milliseconds from the chat arriving to the first chunk sent; null if none was. */
  first_chunk_ms: number | null;
  /** Milliseconds from the model request to its first non-empty delta. */
  model_first_token_ms: number | null;
  /**
   * Parley's own part of first_chunk_ms: the rest once the model's time to its first token is
   * taken out (memory, prompt, request, parsing, moderation, broadcast), on a monotonic clock.
   */
  own_first_chunk_ms: number | null;
  ended_at: number;
  /** Set when the content rules stopped this turn: the player's message, or the reply. */
  moderation?: { direction: "input" | "output"; term: string };
  /** The abilities the character used (or was refused) in this reply, in order. */
  tool_calls?: ToolCallRecord[];
}
