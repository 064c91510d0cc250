import type { BaseMessage } from "@langchain/core/messages";
import type { ChatLogStore } from "../store/chat-log.ts";
import { contextFromChatLogs } from "./context-from-chat-logs.ts";
import type { ContextWindow } from "./context-window.ts";

/** A context window that, on a miss (expired or flushed), rebuilds itself from the chat logs. */
export class RebuildingContextWindow implements ContextWindow {
  private readonly cache: ContextWindow;
  private readonly chatLogs: Pick<ChatLogStore, "recent">;
  private readonly maxMessages: number;

  constructor(cache: ContextWindow, chatLogs: Pick<ChatLogStore, "recent">, maxMessages: number) {
    this.cache = cache;
    this.chatLogs = chatLogs;
    this.maxMessages = maxMessages;
  }

  async load(sessionId: string): Promise<BaseMessage[] | null> {
    const cached = await this.cache.load(sessionId);
    if (cached !== null) return cached;
    const records = await this.chatLogs.recent(sessionId, this.maxMessages);
    if (records.length === 0) return null;
    const messages = contextFromChatLogs(records).slice(-this.maxMessages);
    await this.cache.replace(sessionId, messages);
    return messages;
  }

  append(sessionId: string, messages: readonly BaseMessage[]): Promise<void> {
    return this.cache.append(sessionId, messages);
  }

  replace(sessionId: string, messages: readonly BaseMessage[]): Promise<void> {
    return this.cache.replace(sessionId, messages);
  }

  close(): Promise<void> {
    return this.cache.close();
  }
}
