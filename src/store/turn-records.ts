/** How turns become chat-log records: pure, so what is stored is testable without a database. */
import type { TurnOutcome } from "../ai/reply-events.ts";
import type { ChatLogRecord } from "./chat-log.ts";

export interface SessionRef { session_id: string; character_id: string }

export interface ReceivedChat { reply_id: string; user_id: string; content: string; received_at: number }

/** The player's turn, recorded when it arrives; its id makes a retry a no-op. */
export function userTurnRecord(session: SessionRef, chat: ReceivedChat, moderatedTerm?: string): ChatLogRecord {
  return {
    id: `${chat.reply_id}:user`, ...session, user_id: chat.user_id, role: "user", content: chat.content,
    action_type: null, created_at: new Date(chat.received_at),
    metadata: moderatedTerm ? { reply_id: chat.reply_id, moderated: true, moderation_term: moderatedTerm } : { reply_id: chat.reply_id },
  };
}

/** The character's turn, recorded when its reply ends (stopped and moderated replies too, flagged). */
export function aiTurnRecord(session: SessionRef, t: TurnOutcome): ChatLogRecord {
  return {
    id: `${t.reply_id}:ai`, ...session, user_id: t.user_id, role: "ai", content: t.reply_content,
    action_type: null, created_at: new Date(t.ended_at),
    metadata: {
      reply_id: t.reply_id, end_reason: t.reason, model: t.model,
      ...(t.usage ? { usage: t.usage } : {}),
      first_chunk_ms: t.first_chunk_ms, model_first_token_ms: t.model_first_token_ms,
      moderated: t.moderation?.direction === "output",
      ...(t.moderation?.direction === "output" ? { moderation_term: t.moderation.term } : {}),
      // The abilities used in the reply, with their results: the context window is rebuilt from them.
      ...(t.tool_calls ? { tool_calls: t.tool_calls } : {}),
    },
  };
}

/** A game action, as the player's turn with `action_type` set; its content is how the character heard it. */
export function actionRecord(session: SessionRef, a: { id: string; user_id: string; action_id: string; target_id?: string; heard: string; at: number }): ChatLogRecord {
  return {
    id: `${a.id}:action`, ...session, user_id: a.user_id, role: "user", content: a.heard,
    action_type: a.action_id, created_at: new Date(a.at),
    metadata: a.target_id ? { target_id: a.target_id } : null,
  };
}
