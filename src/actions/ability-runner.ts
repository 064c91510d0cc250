/**
 * A room's character using its abilities: each tool call is checked (is it an ability of this
 * character, within the player's per-minute allowance, are its arguments what the file's schema and
 * the action's own schema accept) before the action's handler runs and the game's rules have their
 * say. Whatever is refused, nothing runs, and the model is told why in a sentence, never an exception.
 */
import { z } from "zod";
import type { Character } from "../characters/catalog.ts";
import type { GameEventMessage } from "../protocol/messages.ts";
import type { AiCharacterState } from "../state/room-state.ts";
import type { AbilityUse, TurnAbilities } from "../ai/reply/turn-loop.ts";
import type { AssembledToolCall } from "../ai/reply/tool-calls.ts";
import type { ToolSpec } from "../ai/reply-model.ts";
import type { ActionRegistry } from "./action-registry.ts";
import type { ActionDefinition } from "./define-action.ts";

export interface AbilityRunnerOptions {
  character: Character;
  state: AiCharacterState;
  actions: ActionRegistry;
  /** Rounds of tool calls per reply (TOOL_ROUNDS_MAX). */
  maxRounds: number;
  /** Abilities one player's chats may set off in a minute (ABILITY_USES_PER_MINUTE). */
  usesPerMinute: number;
  /** A game event of the character, for every player in the room. */
  broadcast(event: GameEventMessage): void;
  /** The state changed. */
  changed(): void;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  now?: () => number;
}

interface BoundAbility {
  action: ActionDefinition;
  /** The file's schema, when it gives one: it may narrow the action's (an enum of moods). */
  fileSchema: z.ZodType | undefined;
}

const MINUTE_MS = 60_000;

/** Throws at start when a character lists an ability no registered action runs. */
export function abilityTools(character: Character, actions: ActionRegistry): { tools: ToolSpec[]; bound: Map<string, BoundAbility> } {
  const tools: ToolSpec[] = [];
  const bound = new Map<string, BoundAbility>();
  for (const a of character.abilities) {
    const action = actions.get(a.action ?? a.name);
    if (!action) throw new Error(`character ${character.id}: ability "${a.name}" names no registered action "${a.action ?? a.name}"`);
    const parameters = a.parameters ?? toolParameters(action.params);
    tools.push({ name: a.name, description: a.description, parameters });
    bound.set(a.name, { action, fileSchema: a.parameters ? z.fromJSONSchema(a.parameters as Parameters<typeof z.fromJSONSchema>[0]) : undefined });
  }
  return { tools, bound };
}

/** The action's zod schema as the model sees it: a JSON schema of the input, without `$schema`. */
function toolParameters(params: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...schema } = z.toJSONSchema(params, { io: "input" }) as Record<string, unknown>;
  return schema;
}

export function createAbilityRunner(o: AbilityRunnerOptions): TurnAbilities {
  const { tools, bound } = abilityTools(o.character, o.actions);
  const now = o.now ?? Date.now;
  const usesByPlayer = new Map<string, number[]>();

  const refuse = (outcome: AbilityUse["outcome"], error: string, call: AssembledToolCall, turn: { user_id: string; reply_id: string }): AbilityUse => {
    o.log.warn({ ability: call.name, outcome, reason: error, user_id: turn.user_id, reply_id: turn.reply_id }, "ability call refused");
    return { outcome, result: { ok: false, error } };
  };

  return {
    tools,
    maxRounds: o.maxRounds,
    use(call, turn) {
      const ability = bound.get(call.name);
      if (!ability) return refuse("unknown_ability", `"${call.name}" is not something you can do`, call, turn);
      const t = now();
      const uses = (usesByPlayer.get(turn.user_id) ?? []).filter((at) => at > t - MINUTE_MS);
      usesByPlayer.set(turn.user_id, uses);
      if (uses.length >= o.usesPerMinute) return refuse("rate_limited", "you have done enough for now; just talk", call, turn);
      const byFile = ability.fileSchema?.safeParse(call.args);
      const params = ability.action.params.safeParse(call.args);
      if ((byFile && !byFile.success) || !params.success) {
        const issues = (byFile && !byFile.success ? byFile.error : !params.success ? params.error : undefined)?.issues ?? [];
        return refuse("invalid_arguments", `invalid arguments: ${issues.map((i) => `${i.path.join(".") || "(arguments)"}: ${i.message}`).join("; ")}`, call, turn);
      }
      uses.push(t);
      const events: GameEventMessage[] = [];
      let outcome;
      try {
        outcome = ability.action.run({
          state: o.state, user_id: turn.user_id, character: o.character, by: "character", target_id: undefined,
          params: params.data, events: { emit: (event) => events.push(event) },
        });
      } catch (err) {
        o.log.error({ err, ability: call.name, reply_id: turn.reply_id }, "ability handler threw");
        return { outcome: "refused", result: { ok: false, error: "that did not work" } };
      }
      if (!outcome.ok) return refuse("refused", outcome.message, call, turn);
      for (const event of events) o.broadcast({ ...event, source: "character", reply_id: turn.reply_id });
      o.changed();
      return { outcome: "ok", result: outcome.result ?? { ok: true } };
    },
  };
}
