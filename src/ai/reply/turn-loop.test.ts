import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HumanMessage, type BaseMessage } from "@langchain/core/messages";
import type { ModelDelta, ReplyModel, StreamOptions } from "../reply-model.ts";
import { TurnLoop, type AbilityUse, type TurnAbilities } from "./turn-loop.ts";
import type { AssembledToolCall } from "./tool-calls.ts";

/** A model that answers round n with script[n], and remembers what each round was sent. */
class RoundsModel implements ReplyModel {
  readonly name = "rounds";
  readonly requests: Array<{ messages: BaseMessage[]; options?: StreamOptions }> = [];
  readonly #script: ModelDelta[][];
  constructor(script: ModelDelta[][]) {
    this.#script = script;
  }
  async *stream(messages: BaseMessage[], signal: AbortSignal, options?: StreamOptions): AsyncIterable<ModelDelta> {
    const round = this.requests.length;
    this.requests.push({ messages, options });
    for (const d of this.#script[round] ?? []) {
      signal.throwIfAborted();
      await Promise.resolve();
      yield d;
    }
  }
}

function abilities(maxRounds: number, use: (c: AssembledToolCall) => AbilityUse = () => ({ outcome: "ok", result: { ok: true } })): TurnAbilities & { used: AssembledToolCall[] } {
  const used: AssembledToolCall[] = [];
  return {
    used, maxRounds,
    tools: [{ name: "emote", description: "gesture", parameters: { type: "object" } }],
    use: (c) => { used.push(c); return use(c); },
  };
}

const call = (index: number, name: string, args: string): ModelDelta => ({ content: "", toolCalls: [{ index, id: `c${index}${args}`, name, arguments: args }] });
const turn = { user_id: "u", reply_id: "r" };
const user = new HumanMessage("hi");

async function drain(loop: TurnLoop): Promise<{ text: string; usage?: ModelDelta["usage"] }> {
  let text = "";
  let usage: ModelDelta["usage"];
  for await (const d of loop) {
    text += d.content;
    if (d.usage) usage = d.usage;
  }
  return { text, usage };
}

describe("turn loop", () => {
  it("streams text, runs the calls, and sends their results back for a follow-up round", async () => {
    const model = new RoundsModel([
      [{ content: "Here" }, call(0, "emote", "{\"animation\":"), { content: "", toolCalls: [{ index: 0, arguments: "\"nod\"}" }] }, { content: "", usage: { input_tokens: 5, output_tokens: 2, total_tokens: 7 } }],
      [{ content: " done." }, { content: "", usage: { input_tokens: 9, output_tokens: 1, total_tokens: 10 } }],
    ]);
    const a = abilities(3);
    const loop = new TurnLoop(model, [user], new AbortController().signal, a, turn);
    const { text, usage } = await drain(loop);
    assert.equal(text, "Here done.");
    assert.deepEqual(usage, { input_tokens: 14, output_tokens: 3, total_tokens: 17 }, "usage is summed over the rounds");
    assert.deepEqual(a.used.map((c) => c.args), [{ animation: "nod" }]);
    assert.equal(model.requests.length, 2);
    assert.deepEqual(model.requests[1]!.messages.map((m) => m.getType()), ["human", "ai", "tool"]);
    assert.deepEqual(loop.calls.map((c) => [c.round, c.name, c.outcome]), [[1, "emote", "ok"]]);
    assert.deepEqual(loop.remembered(user, text).map((m) => [m.getType(), m.content]),
      [["human", "hi"], ["ai", "Here"], ["tool", "{\"ok\":true}"], ["ai", " done."]]);
  });

  it("offers no tools past the round cap, and refuses what the model calls anyway", async () => {
    const model = new RoundsModel([[call(0, "emote", "{\"a\":1}")], [call(0, "emote", "{\"a\":2}")], [{ content: "x" }]]);
    const a = abilities(1);
    const loop = new TurnLoop(model, [user], new AbortController().signal, a, turn);
    assert.equal((await drain(loop)).text, "");
    assert.equal(model.requests.length, 2, "no round after the capped one");
    assert.ok(model.requests[0]!.options?.tools);
    assert.equal(model.requests[1]!.options, undefined);
    assert.deepEqual(loop.calls.map((c) => c.outcome), ["ok", "round_cap"]);
    assert.equal(a.used.length, 1);
  });

  it("refuses a repeated call and a malformed one without asking the abilities", async () => {
    const model = new RoundsModel([[call(0, "emote", "{}"), call(1, "emote", "{oops")], [call(0, "emote", "{}")], []]);
    const a = abilities(3);
    const loop = new TurnLoop(model, [user], new AbortController().signal, a, turn);
    await drain(loop);
    assert.deepEqual(loop.calls.map((c) => c.outcome), ["ok", "malformed", "repeated"]);
    assert.equal(a.used.length, 1);
  });

  it("stops between rounds when aborted: the abort ends the stream, what ran is kept", async () => {
    const abort = new AbortController();
    const model = new RoundsModel([[call(0, "emote", "{}")], [{ content: "never" }]]);
    const a = abilities(3, () => { abort.abort("stopped"); return { outcome: "ok", result: { ok: true } }; });
    const loop = new TurnLoop(model, [user], abort.signal, a, turn);
    assert.equal((await drain(loop)).text, "");
    assert.equal(model.requests.length, 1);
    assert.equal(loop.calls.length, 1);
  });

  it("without abilities, is the model's own stream: one request, no tools", async () => {
    const model = new RoundsModel([[{ content: "plain" }]]);
    const loop = new TurnLoop(model, [user], new AbortController().signal, undefined, turn);
    assert.equal((await drain(loop)).text, "plain");
    assert.equal(model.requests[0]!.options, undefined);
  });
});
