import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BaseMessage } from "@langchain/core/messages";
import type { Character } from "../characters/catalog.ts";
import { InProcessContextWindow } from "../memory/in-process-context-window.ts";
import { exchangeText } from "../memory/exchange-text.ts";
import { BlocklistMatcher } from "../moderation/index.ts";
import { InMemorySessionSummaryStore } from "../memory/session-summary-store.ts";
import { Conversation, type ConversationDeps } from "./conversation.ts";
import { messageText } from "./prompt.ts";
import { SessionSummarizer } from "./session-summarizer.ts";
import { extractiveSummarizer, type Summarize } from "./summarize.ts";
import type { ReplyEvent, TurnOutcome } from "./reply-events.ts";
import type { ModelDelta, ReplyModel } from "./reply-model.ts";
import { until } from "../testing/until.ts";

const character: Character = {
  id: "1", name: "Aldric", persona: "You are a strict instructor.", mood: "stern",
  moods: ["stern"], items: [], actions: [], abilities: [], offline_replies: [], offline_ability_replies: {},
};

/** Turns recorded by a function that hears each turn's end. */
const onTurnEnd = (turnEnded: (outcome: TurnOutcome) => void | Promise<void>): ConversationDeps["turns"] =>
  ({ chatReceived() {}, turnEnded: (_session, outcome) => turnEnded(outcome) });

/** A model whose replies the test releases token by token. */
class ScriptedModel implements ReplyModel {
  readonly name = "scripted";
  readonly prompts: BaseMessage[][] = [];
  #release: Array<() => void> = [];

  private readonly tokens: string[];

  constructor(tokens: string[]) {
    this.tokens = tokens;
  }

  next(): void { this.#release.shift()?.(); }

  async *stream(messages: BaseMessage[], signal: AbortSignal): AsyncIterable<ModelDelta> {
    this.prompts.push(messages);
    for (const t of this.tokens) {
      await new Promise<void>((resolve, reject) => {
        this.#release.push(resolve);
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
      yield { content: t };
    }
  }
}

function setup(tokens: string[], queueLimit = 2, { chunkIntervalMs, ...extra }: Partial<ConversationDeps> & { chunkIntervalMs?: number } = {}) {
  const events: ReplyEvent[] = [];
  const model = new ScriptedModel(tokens);
  const context = new InProcessContextWindow({ maxMessages: 20, ttlSeconds: 60 });
  const silent = { warn() {}, error() {} };
  const conversation = new Conversation({
    sessionId: "s1", character, model, context, log: silent,
    settings: { limits: { replyQueueLimit: queueLimit, contextWindowMessages: 20 }, chunkIntervalMs },
    emit: (e) => events.push(e),
    ...extra,
  });
  return { events, model, context, conversation };
}

const flush = () => new Promise((r) => setImmediate(r));

describe("Conversation", () => {
  it("streams chunks numbered from 1 and ends with their exact concatenation", async () => {
    const { events, model, conversation } = setup(["Hold", " your", " guard."]);
    const said = conversation.say("u1", "How do I stand?");
    assert.equal(said.ok, true);
    for (let i = 0; i < 3; i++) { await flush(); model.next(); }
    await conversation.whenIdle();
    const chunks = events.filter((e) => e.type === "chunk");
    assert.deepEqual(chunks.map((c) => c.seq), [1, 2, 3]);
    const end = events.find((e) => e.type === "end");
    assert.deepEqual(end && { full: end.full_content, reason: end.reason }, { full: "Hold your guard.", reason: "complete" });
    assert.deepEqual(events.map((e) => e.type === "status" ? e.status : e.type),
      ["thinking", "streaming", "chunk", "chunk", "chunk", "end", "idle"]);
  });

  it("queues chat during a reply, in order, and refuses past the bound with busy", async () => {
    const { events, model, conversation } = setup(["ok"], 1);
    const first = conversation.say("u1", "one");
    const second = conversation.say("u2", "two");
    const third = conversation.say("u3", "three");
    assert.deepEqual([first.ok, second.ok && second.queued, third], [true, true, { ok: false, code: "busy" }]);
    await flush(); model.next(); await flush(); await flush(); model.next();
    await conversation.whenIdle(); await flush();
    const ends = events.filter((e) => e.type === "end");
    assert.equal(ends.length, 2);
    const lastPrompt = model.prompts[1]!.map((m) => m.content);
    assert.deepEqual(lastPrompt.slice(1), ["one", "ok", "two"], "the second reply sees the first exchange");
  });

  it("stop ends the reply with reason stopped, keeping what was already sent", async () => {
    const { events, model, conversation } = setup(["Again", "!", " Again!"]);
    conversation.say("u1", "hi");
    await flush(); model.next(); await flush();
    assert.equal(conversation.stop(), true);
    await conversation.whenIdle();
    const end = events.find((e) => e.type === "end");
    assert.deepEqual(end && [end.reason, end.full_content], ["stopped", "Again"]);
  });

  it("hears actions as part of the conversation", async () => {
    const { model, conversation } = setup(["Good."]);
    conversation.hearAction("u1", "u1 inspects the Excalibur");
    conversation.say("u1", "Well?");
    await flush(); model.next();
    await conversation.whenIdle();
    assert.deepEqual(model.prompts[0]!.slice(1).map((m) => m.content), ["(u1 inspects the Excalibur)", "Well?"]);
  });

  it("a failing model ends the reply with reason error and tells the players", async () => {
    const events: ReplyEvent[] = [];
    const broken: ReplyModel = {
      name: "broken",
      // eslint-disable-next-line require-yield
      async *stream() { throw new Error("connection refused"); },
    };
    const conversation = new Conversation({
      sessionId: "s", character, model: broken, settings: { limits: { replyQueueLimit: 1, contextWindowMessages: 20 } },
      context: new InProcessContextWindow({ maxMessages: 20, ttlSeconds: 60 }),
      log: { warn() {}, error() {} }, emit: (e) => events.push(e),
    });
    conversation.say("u1", "hello");
    await conversation.whenIdle();
    assert.ok(events.some((e) => e.type === "error" && e.code === "model/error"));
    assert.ok(events.some((e) => e.type === "end" && e.reason === "error" && e.full_content === ""));
  });
});

describe("Conversation with a chunk interval", () => {
  const chunks = (events: ReplyEvent[]) => events.flatMap((e) => (e.type === "chunk" ? [[e.seq, e.content] as const] : []));

  it("sends the first token at once and joins the tokens that arrive within the interval", async () => {
    const { events, model, conversation } = setup(["Hold", " your", " guard", "."], 2, { chunkIntervalMs: 60 });
    conversation.say("u1", "How do I stand?");
    await flush(); model.next(); await flush();
    assert.deepEqual(chunks(events), [[1, "Hold"]], "the first chunk never waits");
    model.next(); await flush(); model.next(); await flush();
    assert.deepEqual(chunks(events), [[1, "Hold"]], "later tokens wait for the interval");
    await until(() => chunks(events).length === 2, "the interval's chunk");
    assert.deepEqual(chunks(events), [[1, "Hold"], [2, " your guard"]]);
    model.next();
    await conversation.whenIdle();
    assert.deepEqual(chunks(events), [[1, "Hold"], [2, " your guard"], [3, "."]], "the end sends what waits");
    const end = events.find((e) => e.type === "end");
    assert.equal(end?.type === "end" && end.full_content, "Hold your guard.");
  });

  it("a stopped reply still sends what was waiting, so full_content is exactly the chunks", async () => {
    const { events, model, conversation } = setup(["Again", "!", " Again!"], 2, { chunkIntervalMs: 1000 });
    conversation.say("u1", "hi");
    await flush(); model.next(); await flush(); model.next(); await flush();
    conversation.stop();
    await conversation.whenIdle();
    assert.deepEqual(chunks(events), [[1, "Again"], [2, "!"]]);
    const end = events.find((e) => e.type === "end");
    assert.deepEqual(end?.type === "end" && [end.reason, end.full_content], ["stopped", "Again!"]);
  });

  it("a retracted reply sends nothing of what was waiting", async () => {
    const moderation = { matcher: BlocklistMatcher.fromTerms(["bad word"]), holdBack: false };
    const { events, model, conversation } = setup(["Fine", " and", " bad word"], 2, { chunkIntervalMs: 1000, moderation });
    conversation.say("u1", "hi");
    for (let i = 0; i < 3; i++) { await flush(); model.next(); }
    await conversation.whenIdle();
    assert.deepEqual(chunks(events), [[1, "Fine"]]);
    assert.ok(events.some((e) => e.type === "retract"));
    const end = events.find((e) => e.type === "end");
    assert.equal(end?.type === "end" && end.reason, "moderated");
  });
});

describe("Conversation with hold-back", () => {
  const moderation = { matcher: BlocklistMatcher.fromTerms(["bad word"]), holdBack: true };
  const chunks = (events: ReplyEvent[]) => events.flatMap((e) => (e.type === "chunk" ? [e.content] : []));

  it("never holds the first chunk back, even when all of it could start a blocked term", async () => {
    const { events, model, conversation } = setup(["Ba", "nana", " bread"], 2, { moderation });
    conversation.say("u1", "What is that?");
    await flush(); model.next(); await flush();
    assert.deepEqual(chunks(events), ["Ba"], "sent without waiting for the next token");
    model.next(); await flush(); model.next();
    await conversation.whenIdle();
    assert.equal(chunks(events).join(""), "Banana bread");
  });

  it("a first chunk that turns out to begin a blocked term is retracted with the reply", async () => {
    const { events, model, conversation } = setup(["Ba", "d word", " indeed"], 2, { moderation });
    conversation.say("u1", "Say it");
    for (let i = 0; i < 3; i++) { await flush(); model.next(); }
    await conversation.whenIdle();
    assert.deepEqual(chunks(events), ["Ba"]);
    assert.ok(events.some((e) => e.type === "retract"));
    assert.ok(events.some((e) => e.type === "end" && e.reason === "moderated"));
  });
});

describe("Conversation with long-term memory", () => {
  /** The system message of each prompt the model received. */
  const systemOf = (prompt: BaseMessage[]) => prompt[0]!.text;
  const statuses = (events: ReplyEvent[]) => events.flatMap((e) => (e.type === "status" ? [e.status] : []));

  it("uses memories looked up when the player joined, without searching on the chat", async () => {
    const lookups: string[] = [];
    const recall = async (_session: unknown, _user: string, text: string) => { lookups.push(text); return ["The player owns a horse named Thunderhoof."]; };
    const { events, model, conversation } = setup(["Yes."], 2, { memory: { recall } });
    conversation.lookAhead("u1");
    await flush();
    conversation.say("u1", "Remember my horse?");
    await flush(); model.next();
    await conversation.whenIdle();
    assert.match(systemOf(model.prompts[0]!), /Thunderhoof/);
    assert.ok(!statuses(events).includes("searching_memory"), "nothing to wait for");
    assert.equal(lookups.length, 2, "one lookup on join, one after the turn for the next chat");
    assert.equal(lookups[1], exchangeText("Remember my horse?", "Yes."), "the next lookup is by the exchange just had, as memory keeps it");
  });

  it("a chat of a player with no answer yet waits for the lookup within the time box", async () => {
    let answer: (m: string[]) => void = () => {};
    const recall = () => new Promise<string[]>((resolve) => { answer = resolve; });
    let hurried = 0;
    const { events, model, conversation } = setup(["Aye."], 2, { memory: { recall, timeoutMs: 1000, hurry: () => { hurried += 1; } } });
    conversation.say("u1", "Who am I?");
    await flush();
    assert.deepEqual(statuses(events), ["searching_memory"]);
    assert.equal(hurried, 1, "the lookup it waits for is not held back for a batch");
    assert.equal(model.prompts.length, 0, "the model waits for the memories");
    answer(["The player is a blacksmith."]);
    await flush(); await flush(); model.next();
    await conversation.whenIdle();
    assert.match(systemOf(model.prompts[0]!), /blacksmith/);
  });

  it("a store that fails the lookup costs the memories, not the reply, and is logged", async () => {
    const warnings: string[] = [];
    const recall = () => Promise.reject(new Error("database gone"));
    const log = { warn: (_o: object, msg: string) => { warnings.push(msg); }, error() {} };
    const { events, model, conversation } = setup(["Still here."], 2, { memory: { recall }, log });
    conversation.lookAhead("u1");
    await flush();
    conversation.say("u1", "Anyone there?");
    await flush(); model.next();
    await conversation.whenIdle();
    const end = events.find((e) => e.type === "end");
    assert.equal(end?.type === "end" && end.full_content, "Still here.");
    assert.equal(end?.type === "end" && end.reason, "complete");
    assert.ok(warnings.includes("memory recall failed"));
  });

  it("a context window that cannot be written (Redis gone) costs the cache, not the reply, and is logged", async () => {
    const warnings: string[] = [];
    const log = { warn: (_o: object, msg: string) => { warnings.push(msg); }, error() {} };
    const context = { load: async () => null, append: () => Promise.reject(new Error("Connection is closed")), replace: async () => {}, close: async () => {} };
    const { events, model, conversation } = setup(["Still here."], 2, { context, log });
    conversation.say("u1", "Anyone there?");
    await flush(); model.next();
    await conversation.whenIdle();
    await flush();
    const end = events.find((e) => e.type === "end");
    assert.equal(end?.type === "end" && end.full_content, "Still here.");
    assert.equal(end?.type === "end" && end.reason, "complete");
    assert.ok(warnings.includes("context window write failed"));
  });

  it("a lookup that misses the time box is counted late and the reply goes on without it", async () => {
    let late = 0;
    const recall = () => new Promise<string[]>(() => {});
    const { model, conversation } = setup(["Hm."], 2, { memory: { recall, timeoutMs: 10, onLate: () => { late += 1; } } });
    conversation.say("u1", "Anything?");
    await until(() => late === 1, "the lookup counted late");
    model.next();
    await conversation.whenIdle();
    assert.equal(late, 1);
    assert.equal(model.prompts.length, 1);
    await conversation.close("stopped");
  });
});

describe("Conversation timings", () => {
  it("reports Parley's own share of the first chunk: its time less the model's time to the first token", async () => {
    // Monotonic readings in call order: chat arrives, model request, first token, first chunk.
    const readings = [1000, 1001.5, 1151.5, 1152];
    const outcomes: TurnOutcome[] = [];
    const { model, conversation } = setup(["Hi."], 2, {
      monotonic: () => readings.shift() ?? 2000,
      turns: onTurnEnd((o) => { outcomes.push(o); }),
    });
    conversation.say("u1", "Hello");
    await flush(); model.next();
    await conversation.whenIdle();
    assert.equal(outcomes[0]!.own_first_chunk_ms, 2, "1.5 ms before the request and 0.5 ms after the first token");
  });
});

describe("Conversation and a durable turn end", () => {
  it("sends every chunk at once but the end only after the turn-end promise settles, even a failed one", async () => {
    let release: () => void = () => {};
    const outcomes: TurnOutcome[] = [];
    const { events, model, conversation } = setup(["Hold", " fast."], 2, {
      turns: onTurnEnd((o) => {
        outcomes.push(o);
        return o.reply_content === "Hold fast." && outcomes.length === 1
          ? new Promise<void>((resolve) => { release = resolve; })
          : Promise.reject(new Error("spool failed"));
      }),
    });
    conversation.say("u1", "Hello");
    await flush(); model.next();
    await flush(); model.next();
    await flush(); await flush();
    assert.deepEqual(events.filter((e) => e.type === "chunk").map((e) => e.type === "chunk" && e.content), ["Hold", " fast."]);
    assert.equal(outcomes.length, 1, "the turn ended");
    assert.equal(events.some((e) => e.type === "end"), false, "no end before the turn is durable");
    release();
    await conversation.whenIdle();
    assert.equal(events.filter((e) => e.type === "end").length, 1);

    conversation.say("u1", "Again");
    await flush(); model.next();
    await flush(); model.next();
    await conversation.whenIdle();
    assert.equal(events.filter((e) => e.type === "end").length, 2, "a failed turn end still ends the reply");
  });
});

describe("Conversation and its rolling summary", () => {
  /** Answers every chat at once with "Noted.", and keeps the prompts it was sent. */
  class RecordingModel implements ReplyModel {
    readonly name = "recording";
    readonly prompts: BaseMessage[][] = [];
    async *stream(messages: BaseMessage[]): AsyncIterable<ModelDelta> {
      this.prompts.push(messages);
      yield { content: "Noted." };
    }
  }

  function withSummary(summarize: Summarize) {
    const model = new RecordingModel();
    const events: ReplyEvent[] = [];
    const summary = new SessionSummarizer({
      sessionId: "s1", characterName: character.name, store: new InMemorySessionSummaryStore(), summarize, maxChars: 500, log: { warn() {} },
    });
    const conversation = new Conversation({
      sessionId: "s1", character, model, context: new InProcessContextWindow({ maxMessages: 4, ttlSeconds: 60 }),
      settings: { limits: { replyQueueLimit: 2, contextWindowMessages: 4 } }, log: { warn() {}, error() {} }, emit: (e) => events.push(e), summary,
    });
    return { model, events, summary, conversation };
  }

  async function talk(conversation: Conversation, content: string): Promise<void> {
    assert.equal(conversation.say("alice", content).ok, true);
    await conversation.whenIdle();
  }

  it("keeps a fact from the first turn in the prompt after that turn has left the window", async () => {
    const { model, summary, conversation } = withSummary(extractiveSummarizer(500));
    await talk(conversation, "My horse is called Thunderfoot.");
    for (const line of ["Hello.", "How are you?", "Nice day.", "Teach me."]) {
      await talk(conversation, line);
      await summary.whenSettled();
    }
    await talk(conversation, "What is my horse called?");
    const prompt = model.prompts.at(-1)!;
    assert.equal(prompt.length, 1 + 4 + 1, "system, the window, the chat");
    assert.ok(!prompt.slice(1).some((m) => messageText(m).includes("Thunderfoot")), "the first turn is out of the window");
    assert.match(messageText(prompt[0]!), /Summary of earlier conversation:\nalice: My horse is called Thunderfoot\./);
  });

  it("a summary that never comes does not hold up the next reply", async () => {
    let asked = 0;
    const { events, model, conversation } = withSummary(async (_request, signal) => {
      asked++;
      return new Promise<string>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
    });
    for (const line of ["one", "two", "three"]) await talk(conversation, line);
    assert.equal(asked, 1, "the first turn fell out and is being summarised");
    const sent = conversation.say("alice", "four");
    assert.ok(sent.ok);
    await conversation.whenIdle();
    assert.ok(events.some((e) => e.type === "chunk" && e.reply_id === sent.reply_id), "the reply streamed while the summary hangs");
    assert.equal(messageText(model.prompts.at(-1)![1]!), "one", "what is being summarised is still in the prompt");
  });
});
