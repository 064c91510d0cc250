/**
 * Game actions by id. A player runs one with `action` when its character lists it in `actions`; a
 * character runs one as an ability (ability-runner.ts). A game adds its own with `register()`.
 */
import type { Character } from "../characters/catalog.ts";
import { ERROR_CODES, type ErrorCode, type GameEventMessage } from "../protocol/messages.ts";
import type { AiCharacterState } from "../state/room-state.ts";
import { emote, giveItem, inspectItem, setMood } from "./built-in-actions.ts";
import type { ActionDefinition, ActionOutcome } from "./define-action.ts";

export { inspectItem } from "./built-in-actions.ts";

export interface PlayerActionInput {
  state: AiCharacterState;
  character: Character;
  user_id: string;
  target_id: string | undefined;
  params: Record<string, unknown>;
}

/** What a player's action did: events to send (to the room or the actor), and how the character heard it. */
export type PlayerActionResult =
  | { ok: true; events: Array<{ event: GameEventMessage; to: "room" | "actor" }>; heard: string }
  | { ok: false; code: ErrorCode; message: string };

export class ActionRegistry {
  readonly #actions = new Map<string, ActionDefinition>();

  register<P>(definition: ActionDefinition<P>): this {
    this.#actions.set(definition.id, definition as ActionDefinition);
    return this;
  }

  get(id: string): ActionDefinition | undefined {
    return this.#actions.get(id);
  }

  ids(): string[] {
    return [...this.#actions.keys()];
  }

  /** A player's `action` message. */
  run(actionId: string, input: PlayerActionInput): PlayerActionResult {
    const action = this.#actions.get(actionId);
    if (!action || !input.character.actions.includes(actionId)) {
      return { ok: false, code: ERROR_CODES.unknownAction, message: `${input.character.name} does not understand "${actionId}"` };
    }
    const params = action.params.safeParse(input.params);
    if (!params.success) {
      return { ok: false, code: ERROR_CODES.invalidMessage, message: `invalid params for "${actionId}": ${params.error.issues.map((i) => i.message).join("; ")}` };
    }
    const events: Array<{ event: GameEventMessage; to: "room" | "actor" }> = [];
    const outcome: ActionOutcome = action.run({
      ...input, by: "player", params: params.data, events: { emit: (event, to = "room") => events.push({ event, to }) },
    });
    if (!outcome.ok) {
      const code = outcome.code === "action/invalid_params" ? ERROR_CODES.invalidMessage : outcome.code;
      return { ok: false, code, message: outcome.message };
    }
    return { ok: true, events, heard: outcome.heard };
  }
}

/** The actions every Parley server understands. */
export function defaultActions(): ActionRegistry {
  return new ActionRegistry().register(inspectItem).register(giveItem).register(setMood).register(emote);
}
