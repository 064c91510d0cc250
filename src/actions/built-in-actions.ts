/** The actions every Parley server knows, defined with the same API a game uses for its own. */
import { z } from "zod";
import { defineAction } from "./define-action.ts";

/** Shows what an item is: `target_id` (a player's action) or `item_id` names it. */
export const inspectItem = defineAction({
  id: "inspect_item",
  description: "Show the player what an item in the scene is.",
  params: z.object({ item_id: z.string().min(1).max(128).optional() }),
  run: ({ character, target_id, params, events }) => {
    const id = params.item_id ?? target_id;
    const item = character.items.find((i) => i.id === id);
    if (!item) return { ok: false, code: "action/unknown_target", message: `there is no item "${id ?? ""}" here` };
    events.emit({ event_type: "item_info", payload: item.payload }, "actor");
    return { ok: true, heard: `inspects the ${item.name}` };
  },
});

/** The character hands an item it still holds to the player: the item's `owner` becomes the player. */
export const giveItem = defineAction({
  id: "give_item",
  description: "Give the player an item you hold. Only items you still hold can be given.",
  params: z.object({ item_id: z.string().min(1).max(128) }),
  run: ({ state, user_id, params, events }) => {
    const item = state.items.get(params.item_id);
    if (!item) return { ok: false, code: "action/unknown_target", message: `there is no item "${params.item_id}" here` };
    if (item.owner !== "") return { ok: false, code: "action/refused", message: `${item.name} is no longer yours to give` };
    item.owner = user_id;
    events.emit({ event_type: "item_given", payload: { item_id: item.id, name: item.name, to: user_id } });
    return { ok: true, heard: `receives the ${item.name}`, result: { ok: true, item_id: item.id, given_to: user_id } };
  },
});

/** The character's mood, one of those its file lists; it is in the state and in the prompt. */
export const setMood = defineAction({
  id: "set_mood",
  description: "Change your mood when the conversation gives you reason to.",
  params: z.object({ mood: z.string().min(1).max(64) }),
  run: ({ state, character, params, events }) => {
    if (!character.moods.includes(params.mood)) {
      return { ok: false, code: "action/refused", message: `"${params.mood}" is not one of your moods (${character.moods.join(", ")})` };
    }
    const from = state.character.mood;
    state.character.mood = params.mood;
    events.emit({ event_type: "mood_changed", payload: { mood: params.mood, from } });
    return { ok: true, heard: `sees the mood change to ${params.mood}`, result: { ok: true, mood: params.mood } };
  },
});

/** A gesture for clients to animate; it changes nothing in the state. */
export const emote = defineAction({
  id: "emote",
  description: "Make a gesture the player can see.",
  params: z.object({ animation: z.string().min(1).max(64) }),
  run: ({ character, params, events }) => {
    events.emit({ event_type: "emote", payload: { character_id: character.id, animation: params.animation } });
    return { ok: true, heard: `sees a ${params.animation}`, result: { ok: true } };
  },
});
