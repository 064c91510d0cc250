/**
 * The model rounds of one reply. A round streams text (passed on as it comes) and tool-call
 * fragments; when it ends with calls, each call is handed to the character's abilities, the results
 * go back to the model as tool messages, and the next round speaks about what was done. All rounds
 * are one stream to the reply pipeline: one reply id, one seq, one moderation filter.
 *
 * A reply without abilities streams its model directly: no extra step per token.
 */
import { AIMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import type { Usage } from "../../protocol/messages.ts";
import { characterMessage, messageText } from "../prompt.ts";
import type { ModelDelta, ReplyModel, StreamHooks, StreamOptions, ToolSpec } from "../reply-model.ts";
import { ToolCallAssembler, type AssembledToolCall } from "./tool-calls.ts";

/** Why a call did or did not run; the `outcome` label of `parley_ability_calls_total`. */
export type AbilityCallOutcome =
  | "ok" | "refused" | "invalid_arguments" | "malformed" | "unknown_ability" | "rate_limited" | "repeated" | "round_cap";

export interface AbilityUse {
  outcome: AbilityCallOutcome;
  /** What the model is told: `{ ok: true, ... }` or `{ ok: false, error }`. */
  result: Record<string, unknown>;
}

/** The character's abilities, as the loop needs them; the room's ability runner implements it. */
export interface TurnAbilities {
  tools: readonly ToolSpec[];
  /** Rounds of tool calls one reply may run; the round after the last is offered no tools. */
  maxRounds: number;
  /** Checks and runs one call for the player whose chat this reply answers; never throws. */
  use(call: AssembledToolCall, turn: { user_id: string; reply_id: string }): AbilityUse;
}

/** A tool call and its result, as the chat log keeps it with the turn. */
export interface ToolCallRecord {
  round: number;
  id: string;
  /** As the model named it (`unknown` in metrics when it is no ability of the character). */
  name: string;
  /** The model's arguments text, shortened: what was asked, even when it was not JSON. */
  arguments: string;
  outcome: AbilityCallOutcome;
  result: Record<string, unknown>;
}

const RECORDED_ARGUMENTS_CHARS = 500;

export class TurnLoop implements AsyncIterable<ModelDelta> {
  /** Every call of this reply, run or refused, in order. */
  readonly calls: ToolCallRecord[] = [];
  /** The AI messages with tool calls and the tool messages answering them, in order. */
  readonly transcript: BaseMessage[] = [];
  readonly #model: ReplyModel;
  readonly #prompt: BaseMessage[];
  readonly #signal: AbortSignal;
  readonly #abilities: TurnAbilities | undefined;
  readonly #turn: { user_id: string; reply_id: string };
  readonly #hooks: StreamHooks | undefined;

  constructor(model: ReplyModel, prompt: BaseMessage[], signal: AbortSignal, abilities: TurnAbilities | undefined,
    turn: { user_id: string; reply_id: string }, hooks?: StreamHooks) {
    this.#hooks = hooks;
    this.#model = model;
    this.#prompt = prompt;
    this.#signal = signal;
    this.#abilities = abilities && abilities.tools.length > 0 && abilities.maxRounds > 0 ? abilities : undefined;
    this.#turn = turn;
  }

  /** A round's request options: tools while rounds remain, the reply's hooks always; none at all is a plain text request. */
  #options(tools: readonly ToolSpec[] | undefined): StreamOptions | undefined {
    if (!tools && !this.#hooks) return undefined;
    return { ...(tools ? { tools } : {}), ...(this.#hooks ? { hooks: this.#hooks } : {}) };
  }

  [Symbol.asyncIterator](): AsyncIterator<ModelDelta> {
    if (!this.#abilities) return this.#model.stream(this.#prompt, this.#signal, this.#options(undefined))[Symbol.asyncIterator]();
    return this.#rounds(this.#abilities);
  }

  /**
   * What the conversation remembers of this turn: the player's message, the tool exchanges, and
   * what the character said after them. `shown` is the text players saw (empty for a retracted
   * reply), so the remembered text never holds more than was shown.
   */
  remembered(userMessage: BaseMessage, shown: string): BaseMessage[] {
    if (this.transcript.length === 0) return shown ? [userMessage, characterMessage(shown)] : [userMessage];
    const before = this.transcript.map((m) => (m.getType() === "ai" ? messageText(m) : "")).join("");
    const kept = shown.startsWith(before);
    const exchanges = kept ? this.transcript : this.transcript.map((m) => (m.getType() === "ai"
      ? new AIMessage({ content: "", tool_calls: (m as AIMessage).tool_calls ?? [] })
      : m));
    const after = kept ? shown.slice(before.length) : "";
    return after ? [userMessage, ...exchanges, characterMessage(after)] : [userMessage, ...exchanges];
  }

  /**
   * A plain iterator rather than an async generator, as in stream-deadlines.ts: a text token costs
   * one `.then` here and passes on as the very delta the model client made.
   */
  #rounds(abilities: TurnAbilities): AsyncIterator<ModelDelta> {
    const seen = new Set<string>();
    let messages = this.#prompt;
    let round = 1;
    let calls = new ToolCallAssembler();
    let text = "";
    let usage: Usage | undefined;
    let ended = false;
    const open = (): AsyncIterator<ModelDelta> =>
      this.#model.stream(messages, this.#signal, this.#options(round <= abilities.maxRounds ? abilities.tools : undefined))[Symbol.asyncIterator]();
    let items = open();

    const end = (): IteratorResult<ModelDelta> => {
      if (ended) return { done: true, value: undefined };
      ended = true;
      // The rounds' token counts, summed, as one last delta.
      return usage ? { done: false, value: { content: "", usage } } : { done: true, value: undefined };
    };
    const onItem = (result: IteratorResult<ModelDelta>): IteratorResult<ModelDelta> | Promise<IteratorResult<ModelDelta>> => {
      if (!result.done) {
        const delta = result.value;
        if (delta.usage === undefined && delta.toolCalls === undefined) {
          if (!delta.content) return pull();
          text += delta.content;
          return result;
        }
        if (delta.usage) usage = addUsage(usage, delta.usage);
        if (delta.toolCalls) calls.push(delta.toolCalls);
        if (!delta.content) return pull();
        text += delta.content;
        return { done: false, value: { content: delta.content } };
      }
      if (calls.empty || this.#signal.aborted) return end();
      const answered = this.#runCalls(abilities, calls, text, round, seen);
      if (round > abilities.maxRounds || this.#signal.aborted) return end();
      messages = [...messages, ...answered];
      round += 1;
      calls = new ToolCallAssembler();
      text = "";
      items = open();
      return pull();
    };
    const pull = (): Promise<IteratorResult<ModelDelta>> => items.next().then(onItem);
    return {
      next: () => (ended ? Promise.resolve({ done: true, value: undefined }) : pull()),
      return: async (value?: unknown) => {
        ended = true;
        await items.return?.(value);
        return { done: true, value: undefined };
      },
    };
  }

  /** Checks and runs one round's calls; returns the AI message that made them and the tool messages answering. */
  #runCalls(abilities: TurnAbilities, calls: ToolCallAssembler, text: string, round: number, seen: Set<string>): BaseMessage[] {
    const assembled = calls.finish((i) => `${this.#turn.reply_id}-${round}-${i}`);
    const overCap = round > abilities.maxRounds;
    const asked = new AIMessage({
      content: text,
      tool_calls: assembled.map((c) => ({ id: c.id, name: c.name || "unknown", args: c.args ?? {}, type: "tool_call" as const })),
    });
    const answers: BaseMessage[] = [];
    for (const call of assembled) {
      const use = this.#use(abilities, call, overCap, seen);
      this.calls.push({ round, id: call.id, name: call.name, arguments: call.argumentsText.slice(0, RECORDED_ARGUMENTS_CHARS), ...use });
      answers.push(new ToolMessage({ content: JSON.stringify(use.result), tool_call_id: call.id }));
    }
    this.transcript.push(asked, ...answers);
    return [asked, ...answers];
  }

  #use(abilities: TurnAbilities, call: AssembledToolCall, overCap: boolean, seen: Set<string>): AbilityUse {
    if (overCap) return { outcome: "round_cap", result: { ok: false, error: "no more actions in this reply" } };
    if (call.problem) return { outcome: "malformed", result: { ok: false, error: "the call could not be read" } };
    // The same call twice in one reply is a loop, not a decision.
    const key = `${call.name}\u0000${JSON.stringify(call.args)}`;
    if (seen.has(key)) return { outcome: "repeated", result: { ok: false, error: "already done in this reply" } };
    seen.add(key);
    return abilities.use(call, this.#turn);
  }
}

function addUsage(a: Usage | undefined, b: Usage): Usage {
  if (!a) return b;
  return { input_tokens: a.input_tokens + b.input_tokens, output_tokens: a.output_tokens + b.output_tokens, total_tokens: a.total_tokens + b.total_tokens };
}
