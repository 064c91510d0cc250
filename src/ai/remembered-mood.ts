/**
 * The character's mood is remembered with the session as the conversation itself: the result of
 * its last `set_mood` is a tool message in the context window (and in the chat log, from which the
 * window is rebuilt). A room that opens again takes the latest one it finds there.
 */
import type { BaseMessage } from "@langchain/core/messages";
import { messageText } from "./prompt.ts";

/** The mood of the latest successful `set_mood` in the history, if it is one of `moods`. */
export function rememberedMood(history: readonly BaseMessage[], moods: readonly string[]): string | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const m = history[i]!;
    if (m.getType() !== "tool") continue;
    try {
      const result = JSON.parse(messageText(m)) as { ok?: unknown; mood?: unknown };
      if (result.ok === true && typeof result.mood === "string" && moods.includes(result.mood)) return result.mood;
    } catch {
      // a result that is not JSON says nothing of the mood
    }
  }
  return undefined;
}
