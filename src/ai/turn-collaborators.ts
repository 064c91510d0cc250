/**
 * What a conversation works with besides its model and context window, each declared once: the
 * room receives these from the services and hands the same objects on to its Conversation.
 */
import type { BaseMessage } from "@langchain/core/messages";
import type { Character } from "../characters/catalog.ts";
import type { ReceivedChat, SessionRef } from "../store/turn-records.ts";
import type { TurnOutcome } from "./reply-events.ts";
import type { SessionSummarizer, SessionSummarizerDeps } from "./session-summarizer.ts";

/** Makes every turn durable (the chat log, long-term memory, metrics). */
export interface TurnRecorder {
  /** A chat arrived (with the blocked term when the rules stopped it); must not wait on I/O. */
  chatReceived(session: SessionRef, chat: ReceivedChat, moderatedTerm?: string): void;
  /**
   * A turn finished, after its last chunk and before its `end` event, which waits for a returned
   * promise: the turn is made durable before the player is told the reply ended. The callee bounds
   * the wait.
   */
  turnEnded(session: SessionRef, outcome: TurnOutcome): void | Promise<void>;
  /** A game action happened: recorded as a turn with its action type. */
  actionTaken(session: SessionRef, action: { user_id: string; action_id: string; target_id?: string; heard: string }): void;
}

/**
 * Long-term memory lookup, run ahead of each player's chats (see memory-lookahead.ts). A chat
 * whose player has no answer yet waits for it up to `timeoutMs`, then goes on without.
 */
export interface MemoryRecall {
  recall(session: SessionRef, userId: string, text: string, signal: AbortSignal): Promise<string[]>;
  /** Milliseconds a chat waits for its player's lookup; 50 when absent. */
  timeoutMs?: number;
  /** A chat is waiting for its player's lookup: lookups held back to be batched should go now. */
  hurry?(): void;
  /** A chat went on without its lookup, for metrics. */
  onLate?(): void;
}

/** What shapes each reply: how many chats wait, how much history the prompt keeps, how chunks are paced. */
export interface ReplySettings {
  limits: {
    /** Chats that may wait behind the streaming reply. */
    replyQueueLimit: number;
    /** Messages of recent conversation kept for the prompt. */
    contextWindowMessages: number;
  };
  /**
   * 0 or absent: one chunk per model token. Above 0: after the first chunk (always sent at once),
   * tokens that arrive within this many milliseconds of the last chunk wait and go out together,
   * so a fast model costs fewer WebSocket frames.
   */
  chunkIntervalMs?: number;
}

/**
 * One session's rolling summary (session-summarizer.ts): hears what falls out of the window after
 * a turn; its `text` and what it has not summarised yet, read without waiting, go into every prompt.
 */
export interface RollingSummary {
  readonly text: string;
  readonly unsummarised: readonly BaseMessage[];
  fellOut(messages: readonly BaseMessage[]): void;
}

/** Makes each session's rolling summary. */
export interface SessionSummaries {
  forSession(sessionId: string, character: Character, log: SessionSummarizerDeps["log"]): SessionSummarizer;
}
