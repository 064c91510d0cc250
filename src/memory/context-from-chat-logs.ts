import { AIMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { actionMessage, characterMessage, playerMessage } from "../ai/prompt.ts";
import type { ToolCallRecord } from "../ai/reply/turn-loop.ts";
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
      const calls = toolCallsOf(r.metadata);
      // The text said before and between the calls is not told apart in the log: it all comes after.
      if (calls.length > 0) messages.push(...toolExchanges(calls));
      if (r.content) messages.push(characterMessage(r.content));
    }
  }
  return messages;
}

function toolCallsOf(metadata: Record<string, unknown> | null): ToolCallRecord[] {
  const calls = metadata?.["tool_calls"];
  return Array.isArray(calls) ? calls.filter((c): c is ToolCallRecord =>
    typeof c === "object" && c !== null && typeof (c as ToolCallRecord).id === "string" && typeof (c as ToolCallRecord).round === "number") : [];
}

/** Each round's calls as the AI message that made them, then the tool messages that answered. */
function toolExchanges(calls: readonly ToolCallRecord[]): BaseMessage[] {
  const messages: BaseMessage[] = [];
  for (const round of new Set(calls.map((c) => c.round))) {
    const these = calls.filter((c) => c.round === round);
    messages.push(new AIMessage({
      content: "",
      tool_calls: these.map((c) => ({ id: c.id, name: c.name || "unknown", args: argsOf(c.arguments), type: "tool_call" as const })),
    }));
    for (const c of these) messages.push(new ToolMessage({ content: JSON.stringify(c.result ?? {}), tool_call_id: c.id }));
  }
  return messages;
}

function argsOf(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? v as Record<string, unknown> : {};
  } catch {
    return {};
  }
}
