/**
 * What the character changed in the scene is remembered with the session as the conversation
 * itself: the results of its abilities are tool messages in the context window (and in the chat
 * log, from which the window is rebuilt). A room that opens again restores the mood of the last
 * `set_mood` and the owners of the items `give_item` handed over, as far back as the window reaches.
 */
import type { BaseMessage } from "@langchain/core/messages";
import { messageText } from "./prompt.ts";

interface AbilityResult { ok?: unknown; mood?: unknown; item_id?: unknown; given_to?: unknown }

function* results(history: readonly BaseMessage[]): Generator<AbilityResult> {
  for (const m of history) {
    if (m.getType() !== "tool") continue;
    try {
      const result = JSON.parse(messageText(m)) as AbilityResult | null;
      if (result && typeof result === "object" && result.ok === true) yield result;
    } catch {
      // a result that is not JSON changed nothing we restore
    }
  }
}

/** The mood of the latest successful `set_mood` in the history, if it is one of `moods`. */
export function rememberedMood(history: readonly BaseMessage[], moods: readonly string[]): string | undefined {
  let mood: string | undefined;
  for (const r of results(history)) if (typeof r.mood === "string" && moods.includes(r.mood)) mood = r.mood;
  return mood;
}

/** Item id -> the user it was given to, from the successful `give_item` results in the history. */
export function rememberedGifts(history: readonly BaseMessage[]): Map<string, string> {
  const gifts = new Map<string, string>();
  for (const r of results(history)) {
    if (typeof r.item_id === "string" && typeof r.given_to === "string") gifts.set(r.item_id, r.given_to);
  }
  return gifts;
}
