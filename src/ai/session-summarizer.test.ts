import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BaseMessage } from "@langchain/core/messages";
import { InMemorySessionSummaryStore } from "../memory/session-summary-store.ts";
import { characterMessage, messageText, playerMessage } from "./prompt.ts";
import type { ModelDelta, ReplyModel } from "./reply-model.ts";
import { SessionSummarizer } from "./session-summarizer.ts";
import { extractiveSummary, modelSummarizer, type Summarize } from "./summarize.ts";

const silent = { warn() {} };

/** A model that answers every request with `reply`, and keeps the prompts it was sent. */
class RecordingModel implements ReplyModel {
  readonly name = "recording";
  readonly prompts: BaseMessage[][] = [];
  private readonly reply: string;
  constructor(reply: string) { this.reply = reply; }
  async *stream(messages: BaseMessage[]): AsyncIterable<ModelDelta> {
    this.prompts.push(messages);
    for (const word of this.reply.split(/(?= )/)) yield { content: word };
  }
}

/** A model that never answers until its request is aborted. */
class HangingModel implements ReplyModel {
  readonly name = "hanging";
  async *stream(_messages: BaseMessage[], signal: AbortSignal): AsyncIterable<ModelDelta> {
    await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
    yield { content: "never" };
  }
}

function summarizer(summarize: Summarize, extra: Partial<ConstructorParameters<typeof SessionSummarizer>[0]> = {}) {
  const store = new InMemorySessionSummaryStore();
  const s = new SessionSummarizer({ sessionId: "s1", characterName: "Aldric", store, summarize, maxChars: 300, log: silent, ...extra });
  return { store, s };
}

describe("extractive summary", () => {
  it("keeps the players' sentences that carry facts and leaves out small talk and the character's lines", () => {
    const summary = extractiveSummary({
      previous: "",
      characterName: "Aldric",
      messages: [
        playerMessage("alice", "Hello there. My horse is called Thunderfoot. Nice weather."),
        characterMessage("A fine name for a horse."),
        playerMessage("bob", "ok"),
        playerMessage("bob", "我叫小明。"),
      ],
    }, 300);
    assert.equal(summary, "alice: My horse is called Thunderfoot.\nbob: 我叫小明。");
  });

  it("never passes its cap, and drops the oldest lines first", () => {
    let summary = "";
    for (let i = 0; i < 100; i++) {
      summary = extractiveSummary({ previous: summary, characterName: "Aldric", messages: [playerMessage("alice", `My lucky number is ${i}.`)] }, 120);
      assert.ok(summary.length <= 120, `${summary.length} chars`);
    }
    assert.match(summary, /number is 99\.$/);
    assert.doesNotMatch(summary, /number is 0\./);
  });
});

describe("model summary", () => {
  it("sends the old summary and the lines that fell out, and caps what comes back", async () => {
    const model = new RecordingModel("The player's horse is Thunderfoot. ".repeat(40));
    const summarize = modelSummarizer(model, { maxChars: 200, timeoutMs: 1000 });
    const text = await summarize({
      previous: "alice is a knight.",
      characterName: "Aldric",
      messages: [playerMessage("alice", "My horse is Thunderfoot."), characterMessage("Noted.")],
    }, new AbortController().signal);
    assert.ok(text.length <= 200 && text.length > 100, `${text.length} chars`);
    assert.match(text, /Thunderfoot\.$/, "cut at a sentence end");
    const request = model.prompts[0]!.map(messageText).join("\n");
    assert.match(request, /alice is a knight\./);
    assert.match(request, /alice: My horse is Thunderfoot\.\nAldric: Noted\./);
    assert.match(request, /at most 200 characters/);
  });

  it("gives up at its deadline", async () => {
    const summarize = modelSummarizer(new HangingModel(), { maxChars: 200, timeoutMs: 30 });
    await assert.rejects(summarize({ previous: "", characterName: "Aldric", messages: [playerMessage("a", "hi")] }, new AbortController().signal),
      /longer than 30 ms/);
  });
});

describe("SessionSummarizer", () => {
  it("folds what fell out into the summary incrementally, and stores it", async () => {
    const seen: string[] = [];
    const { s, store } = summarizer(async ({ previous, messages }) => {
      seen.push(previous);
      return [previous, ...messages.map(messageText)].filter(Boolean).join(" | ");
    });
    await s.open();
    s.fellOut([playerMessage("alice", "one")]);
    await s.whenSettled();
    s.fellOut([playerMessage("alice", "two")]);
    await s.whenSettled();
    assert.equal(s.text, "one | two");
    assert.deepEqual(seen, ["", "one"]);
    assert.deepEqual(store.saved.get("s1"), { text: "one | two", covered: 2 });
  });

  it("asks the model one request at a time: what falls out meanwhile waits and goes in the next", async () => {
    const calls: number[] = [];
    let release!: () => void;
    const { s } = summarizer(async ({ previous, messages }) => {
      calls.push(messages.length);
      if (calls.length === 1) await new Promise<void>((r) => { release = r; });
      return `${previous}+${messages.length}`;
    });
    s.fellOut([playerMessage("a", "1")]);
    s.fellOut([playerMessage("a", "2")]);
    s.fellOut([playerMessage("a", "3")]);
    await new Promise((r) => setImmediate(r));
    release();
    await s.whenSettled();
    assert.deepEqual(calls, [1, 2]);
    assert.equal(s.text, "+1+2");
  });

  it("waits for a batch, keeping what fell out as unsummarised until its summary is in", async () => {
    const batches: string[][] = [];
    let release!: () => void;
    const { s } = summarizer(async ({ messages }) => {
      batches.push(messages.map(messageText));
      await new Promise<void>((r) => { release = r; });
      return messages.map(messageText).join(" ");
    }, { batchMessages: 4 });
    s.fellOut([playerMessage("a", "1"), characterMessage("2")]);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(batches, [], "no request short of a batch");
    assert.deepEqual(s.unsummarised.map(messageText), ["1", "2"]);
    s.fellOut([playerMessage("a", "3"), characterMessage("4")]);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(batches, [["1", "2", "3", "4"]]);
    assert.deepEqual(s.unsummarised.map(messageText), ["1", "2", "3", "4"], "still in the prompt while being summarised");
    release();
    await s.whenSettled();
    assert.deepEqual([s.text, s.unsummarised.length], ["1 2 3 4", 0]);
  });

  it("puts at most two batches of what waits into the prompt, the newest", async () => {
    const { s } = summarizer(() => new Promise<string>(() => {}), {
      batchMessages: 2,
      olderMessages: async () => Array.from({ length: 50 }, (_, i) => playerMessage("a", String(i))),
    });
    await s.open();
    assert.deepEqual(s.unsummarised.map(messageText), ["46", "47", "48", "49"]);
  });

  it("keeps an extractive summary when the model fails, and caps any summary", async () => {
    const { s } = summarizer(modelSummarizer(new HangingModel(), { maxChars: 300, timeoutMs: 20 }));
    s.fellOut([playerMessage("alice", "My horse is called Thunderfoot.")]);
    await s.whenSettled();
    assert.equal(s.text, "alice: My horse is called Thunderfoot.");

    const { s: long } = summarizer(async () => "x".repeat(5000));
    long.fellOut([playerMessage("alice", "hi")]);
    await long.whenSettled();
    assert.equal(long.text.length, 300);
  });

  it("picks up the stored summary in a new instance (a restart), without asking the model", async () => {
    const { s, store } = summarizer(async () => "alice rides Thunderfoot.");
    s.fellOut([playerMessage("alice", "My horse is Thunderfoot.")]);
    await s.whenSettled();
    let asked = false;
    const again = new SessionSummarizer({ sessionId: "s1", characterName: "Aldric", store, maxChars: 300, log: silent,
      summarize: async () => { asked = true; return "?"; }, olderMessages: async () => [playerMessage("alice", "older")] });
    await again.open();
    await again.whenSettled();
    assert.equal(again.text, "alice rides Thunderfoot.");
    assert.equal(asked, false);
  });

  it("with no summary stored, summarises what the chat log holds before the window", async () => {
    const { s } = summarizer(async ({ messages }) => messages.map(messageText).join(" "), {
      olderMessages: async () => [playerMessage("alice", "My horse is Thunderfoot."), characterMessage("Noted.")],
    });
    await s.open();
    await s.whenSettled();
    assert.equal(s.text, "My horse is Thunderfoot. Noted.");
  });

  it("on close, stops the model and stores an extractive summary of what was waiting", async () => {
    const { s, store } = summarizer(modelSummarizer(new HangingModel(), { maxChars: 300, timeoutMs: 60_000 }));
    s.fellOut([playerMessage("alice", "I live in Riverton.")]);
    await new Promise((r) => setImmediate(r));
    await s.close();
    assert.equal(store.saved.get("s1")?.text, "alice: I live in Riverton.");

    const { s: batching, store: batchStore } = summarizer(async () => "asked", { batchMessages: 10 });
    batching.fellOut([playerMessage("alice", "I live in Riverton.")]);
    await batching.close();
    assert.equal(batchStore.saved.get("s1")?.text, "alice: I live in Riverton.", "what waited for a batch is summarised too");
    assert.equal(store.saved.get("s1")?.text, "alice: I live in Riverton.");
  });
});
