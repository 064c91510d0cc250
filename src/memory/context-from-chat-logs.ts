import type { BaseMessage } from "@langchain/core/messages";
import { actionMessage, characterMessage, playerMessage } from "../ai/prompt.ts";
import type { ChatLogRecord } from "../store/chat-log.ts";

/**
 * Rebuilds the context window from chat log records (oldest first) when the cache has none, with
 * the same messages the conversation would have cached: blocked input never reached the model, so
 * it does not come back either.
 */
export function contextFromChatLogs(records: readonly ChatLogRecord[]): BaseMessage[] {
  const messages: BaseMessage[] = [];
  for (const r of records) {
    if (r.role === "user") {
      if (r.metadata?.["moderated"] === true) continue;
      messages.push(r.action_type ? actionMessage(r.user_id, r.content) : playerMessage(r.user_id, r.content));
    } else if (r.role === "ai") {
      if (r.content) messages.push(characterMessage(r.content));
    }
  }
  return messages;
}
