/** The recent conversation of a session: what the model sees besides the system prompt. */
import type { BaseMessage } from "@langchain/core/messages";

export interface ContextWindow {
  /** The session's recent messages, oldest first; null when nothing is cached (expired or never). */
  load(sessionId: string): Promise<BaseMessage[] | null>;
  /** Adds messages at the end and keeps only the newest ones. */
  append(sessionId: string, messages: readonly BaseMessage[]): Promise<void>;
  /** Replaces the cached window (after a rebuild from the chat logs). */
  replace(sessionId: string, messages: readonly BaseMessage[]): Promise<void>;
  close(): Promise<void>;
}
