/**
 * The API a game uses to define an action: something a player can do with `action`, and that a
 * character can do as an ability (a tool call) when its file lists it. The built-in actions are
 * defined with it too (built-in-actions.ts).
 *
 * ```ts
 * export default defineAction({
 *   id: "salute",
 *   description: "Salute the player.",
 *   params: z.object({}),
 *   run: ({ user_id, events }) => {
 *     events.emit({ event_type: "saluted", payload: { by: user_id } });
 *     return { ok: true, heard: "salutes" };
 *   },
 * });
 * ```
 */
import type { z } from "zod";
import type { Character } from "../characters/catalog.ts";
import type { GameEventMessage } from "../protocol/messages.ts";
import type { AiCharacterState } from "../state/room-state.ts";

/** Where an action's game events go; the room sends them once the handler has returned. */
export interface EventSink {
  /** `to: "actor"` sends the event to the player who acted (a player action) only. */
  emit(event: GameEventMessage, to?: "room" | "actor"): void;
}

/** Everything a handler may read or change. */
export interface ActionScope<P> {
  /** The room's synchronised state: what a handler changes here every player sees. */
  state: AiCharacterState;
  /** The player who acted, or for whom the character acted. */
  user_id: string;
  character: Character;
  /** Who acts: the player (`action` message) or the character (a tool call). */
  by: "player" | "character";
  /** The `target_id` of a player's action; absent for abilities. */
  target_id: string | undefined;
  /** Already checked against `params`. */
  params: P;
  events: EventSink;
}

/** A refusal is data, with a namespaced code (`action/...`), never an exception. */
export type ActionOutcome =
  | {
    ok: true;
    /** How the character hears of a player's action, as a line of the conversation ("inspects the sword"). */
    heard: string;
    /** What the model is told of an ability it used; defaults to `{ ok: true }`. */
    result?: Record<string, unknown>;
  }
  | { ok: false; code: ActionRefusalCode; message: string };

export type ActionRefusalCode = "action/unknown" | "action/unknown_target" | "action/invalid_params" | "action/refused";

export interface ActionDefinition<P = unknown> {
  /** The name in `action_id`, in a character's `actions` and `abilities`, and the tool name the model sees. */
  id: string;
  /** What the model is told the ability does (a character file may say it in its own words). */
  description: string;
  /** Checks a player's `params` and a model's arguments; its JSON schema is what the model sees. */
  params: z.ZodType<P>;
  run(scope: ActionScope<P>): ActionOutcome;
}

/** Types a definition; the identity at run time. */
export function defineAction<S extends z.ZodType>(definition: {
  id: string;
  description: string;
  params: S;
  run(scope: ActionScope<z.infer<S>>): ActionOutcome;
}): ActionDefinition<z.infer<S>> {
  return definition as ActionDefinition<z.infer<S>>;
}
