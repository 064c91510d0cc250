/**
 * Parley's wire protocol: every message a client may send and every message the server sends.
 * Imports nothing but zod, so game clients, the demo and the load test use these same definitions.
 */
import { z } from "zod";

/** The name under which the character room is registered. */
export const ROOM_NAME = "ai_character";

/** Default longest chat message, in characters; servers may configure another. */
export const DEFAULT_CHAT_MAX_CHARS = 2000;

// ---------------------------------------------------------------- client -> server

/** Join options for `client.joinOrCreate(ROOM_NAME, options)`. */
export const JoinOptions = z.strictObject({
  /** The character to talk to: `1` and `"1"` name the same one. */
  character_id: z.union([z.string().min(1).max(64), z.number().int().nonnegative()]),
  /** Share one conversation (and one room) with everyone who joins with the same id.
   *  Omit it for a private session of this player with this character. */
  session_id: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/).optional(),
});
export type JoinOptions = z.infer<typeof JoinOptions>;

/** Builds the chat schema for a configured length limit. */
export function chatMessage(maxChars: number) {
  return z.strictObject({
    /** What the player says; 1..maxChars characters, not only white space. */
    content: z.string().max(maxChars).refine((s) => s.trim().length > 0, "content is empty"),
    /** The client's clock when sent (seconds or milliseconds since the epoch); informational. */
    timestamp: z.number().optional(),
  });
}
export type ChatMessage = z.infer<ReturnType<typeof chatMessage>>;

/** A game command, e.g. `{ action_id: "inspect_item", target_id: "sword_001" }`. */
export const ActionMessage = z.strictObject({
  /** Which action: one the character lists in its `actions`. */
  action_id: z.string().min(1).max(64),
  /** What it acts on (an item id, a player id...). */
  target_id: z.string().min(1).max(128).optional(),
  /** Action-specific parameters. */
  params: z.record(z.string(), z.unknown()).optional(),
});
export type ActionMessage = z.infer<typeof ActionMessage>;

/** End the reply that is streaming now (any player in the room may). */
export const StopMessage = z.strictObject({});
export type StopMessage = z.infer<typeof StopMessage>;

/** After a reconnection: send me what I missed of `reply_id` after chunk `last_seq`, then go on live.
 *  `last_seq` 0 asks for the whole reply. */
export const ResumeMessage = z.strictObject({
  reply_id: z.string().min(1).max(128),
  last_seq: z.number().int().nonnegative(),
});
export type ResumeMessage = z.infer<typeof ResumeMessage>;

/** Withdraw a chat of mine that is still waiting in the queue. */
export const CancelMessage = z.strictObject({
  reply_id: z.string().min(1).max(128),
});
export type CancelMessage = z.infer<typeof CancelMessage>;

/** Client message names. */
export const ClientMessageType = {
  chat: "chat",
  action: "action",
  stop: "stop",
  resume: "resume",
  cancel: "cancel",
} as const;

// ---------------------------------------------------------------- server -> client

/** What the character is doing. */
export const AI_STATUSES = ["thinking", "searching_memory", "streaming", "queued", "idle"] as const;
export type AiStatus = (typeof AI_STATUSES)[number];

/** Why a reply ended. */
export const END_REASONS = ["complete", "stopped", "moderated", "error", "shutdown"] as const;
export type EndReason = (typeof END_REASONS)[number];

/** `ai_status`: the character's activity; `reply_id` names the reply it concerns, if any. */
export interface AiStatusMessage {
  status: AiStatus;
  reply_id?: string;
}

/** `ai_chunk`: a piece of a reply. `seq` starts at 1 for each reply and rises by 1, no gaps. */
export interface AiChunkMessage {
  content: string;
  seq: number;
  reply_id: string;
}

/** Token counts reported by the model, when it reports them. */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
}

/** `ai_end`: the reply is over. `full_content` is exactly the chunks' contents joined in seq order. */
export interface AiEndMessage {
  full_content: string;
  reply_id: string;
  reason: EndReason;
  usage?: Usage;
}

/** `ai_retract`: withdraw everything shown of this reply (it turned out to break the rules). */
export interface AiRetractMessage {
  reply_id: string;
  reason: "moderated";
}

/** `game_event`: the result of a game action, e.g. `item_info` with the item's payload. */
export interface GameEventMessage {
  event_type: string;
  payload: Record<string, unknown>;
  /** `character` when the character acted (an ability used in a reply); absent for a player's action. */
  source?: "character";
  /** The reply in which the character acted. */
  reply_id?: string;
}

/** Stable error codes a client can act on. */
export const ERROR_CODES = {
  /** The message did not match its schema (wrong types, unknown fields, empty or too long). */
  invalidMessage: "message/invalid",
  /** The message type is not part of the protocol. */
  unknownType: "message/unknown_type",
  /** The room's reply queue is full; try again when the character is idle. */
  busy: "busy",
  /** The action is not one this character understands. */
  unknownAction: "action/unknown",
  /** The action's target does not exist here. */
  unknownTarget: "action/unknown_target",
  /** The game's rules refuse the action now (e.g. the item is no longer there to give). */
  actionRefused: "action/refused",
  /** The model failed; the reply ended with reason `error`. */
  modelError: "model/error",
  /**
   * The model endpoint is overloaded (it asked to wait longer than an interactive turn can, or was
   * still busy after one short wait); the reply ended with reason `error`. Try again in a few seconds.
   */
  modelOverloaded: "model/overloaded",
  /** The chat broke the content rules and was not sent to the character. */
  moderated: "moderated",
  /** Too many messages too fast; slow down (a gross flood is disconnected). */
  rateLimited: "rate_limited",
  /** `resume` named a reply this room no longer holds. */
  unknownReply: "resume/unknown_reply",
  /** `cancel` named no queued chat of this player. */
  notQueued: "cancel/not_queued",
  /** The server is restarting; rejoin in a moment (another process takes the session). */
  shuttingDown: "server/shutting_down",
  /** The server failed to handle the message (a bug, logged and counted); it was dropped. */
  internal: "server/internal",
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** `error`: a request was refused; the player stays connected. */
export interface ErrorMessage {
  code: ErrorCode;
  message: string;
}

/** Server message names and their payloads. */
export interface ServerMessages {
  ai_status: AiStatusMessage;
  ai_chunk: AiChunkMessage;
  ai_end: AiEndMessage;
  ai_retract: AiRetractMessage;
  game_event: GameEventMessage;
  error: ErrorMessage;
}
export type ServerMessageType = keyof ServerMessages;
