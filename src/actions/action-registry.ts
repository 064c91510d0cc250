/**
 * Game actions as small handlers in a registry: a game adds its own with `registry.register()`.
 * Handlers are pure: they return what happened, and the room sends it.
 */
import type { Character } from "../characters/catalog.ts";
import { ERROR_CODES, type ErrorCode, type GameEventMessage } from "../protocol/messages.ts";

export interface ActionContext {
  character: Character;
  user_id: string;
  target_id: string | undefined;
  params: Record<string, unknown>;
}

export type ActionResult =
  | {
    ok: true;
    /** Sent to the player who acted, or to the whole room when `broadcast` is set. */
    events: GameEventMessage[];
    broadcast?: boolean;
    /** How the character hears of it, as a line of the conversation. */
    heard: string;
  }
  | { ok: false; code: ErrorCode; message: string };

export type ActionHandler = (ctx: ActionContext) => ActionResult;

export class ActionRegistry {
  readonly #handlers = new Map<string, ActionHandler>();

  register(actionId: string, handler: ActionHandler): this {
    this.#handlers.set(actionId, handler);
    return this;
  }

  run(actionId: string, ctx: ActionContext): ActionResult {
    const handler = this.#handlers.get(actionId);
    if (!handler || !ctx.character.actions.includes(actionId)) {
      return { ok: false, code: ERROR_CODES.unknownAction, message: `${ctx.character.name} does not understand "${actionId}"` };
    }
    return handler(ctx);
  }
}

export const inspectItem: ActionHandler = ({ character, target_id }) => {
  const item = character.items.find((i) => i.id === target_id);
  if (!item) {
    return { ok: false, code: ERROR_CODES.unknownTarget, message: `there is no item "${target_id ?? ""}" here` };
  }
  return {
    ok: true,
    events: [{ event_type: "item_info", payload: item.payload }],
    heard: `inspects the ${item.name}`,
  };
};

/** The actions every Parley server understands. */
export function defaultActions(): ActionRegistry {
  return new ActionRegistry().register("inspect_item", inspectItem);
}
