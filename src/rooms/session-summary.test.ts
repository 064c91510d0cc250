/**
 * Rolling summaries end to end: a real server, the simulated OpenAI server as the model, a window of
 * four messages, Redis for the context window and the embedded PostgreSQL for the summaries.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { startSimOpenAI, type SimOpenAI } from "../../loadtest/sim-openai/server.ts";
import type { SimChatMessage } from "../../loadtest/sim-openai/reply-text.ts";
import { contextKey } from "../memory/redis-context-window.ts";
import { startTestServer, type TestServer } from "../testing/test-server.ts";
import { TestPlayer } from "../testing/test-player.ts";

const REDIS_URL = process.env.PARLEY_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const SUMMARY_ASK = /running summary of a conversation/;

let sim: SimOpenAI;
let redis: Redis;
const dirs: string[] = [];

before(async () => {
  sim = await startSimOpenAI({ firstTokenMs: 0, tokensPerSecond: 500, replyTokens: 6, log: "silent" });
  redis = new Redis(REDIS_URL);
});

after(async () => {
  await sim.close();
  redis.disconnect();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function start(dataDir: string, env: Record<string, string> = {}): Promise<TestServer> {
  return startTestServer({
    OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim", OPENAI_MODEL: "parley-sim", RECONNECT_SECONDS: "0", CHAT_BURST: "50",
    MODERATION_HOLDBACK: "false", CONTEXT_WINDOW_MESSAGES: "4", SUMMARY_BATCH_MESSAGES: "2", REDIS_URL, DATA_DIR: dataDir, ...env,
  });
}

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "parley-summary-"));
  dirs.push(dir);
  return dir;
}

/** Sends a chat and waits for the end of its reply (not of the greeting, which may still be on its way). */
async function chat(player: TestPlayer, content: string): Promise<void> {
  const before = new Set(player.of("ai_status").map((s) => s.reply_id));
  player.send("chat", { content });
  const thinking = await player.waitFor("ai_status", (s) => s.status === "thinking" && !before.has(s.reply_id));
  await player.waitFor("ai_end", (e) => e.reply_id === thinking.reply_id);
}

async function until<T>(what: string, f: () => Promise<T | null | undefined> | T | null | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const text = (m: SimChatMessage): string => (typeof m.content === "string" ? m.content : JSON.stringify(m.content));
/** The messages of the last chat request (not a summary request) the model received. */
function lastChatPrompt(): SimChatMessage[] {
  const body = sim.stats.lastRequests.findLast((r) => !SUMMARY_ASK.test(text(r.body.messages[0]!)))!.body;
  return body.messages;
}
function summaryPart(prompt: SimChatMessage[]): string | undefined {
  return text(prompt[0]!).split("\n\n").find((part) => part.startsWith("Summary of earlier conversation:"));
}

/** The first turn is scripted so that the simulated model, asked to summarise it, answers with its fact. */
const FIRST = "My horse is called Thunderfoot. [[say:alice's horse is Thunderfoot.]]";

describe("rolling summaries", () => {
  it("keep a fact of the first turn in the prompt after it left the window, across a restart and a Redis flush", async () => {
    const dir = dataDir();
    const session = `summary-${process.pid}-1`;
    let server = await start(dir);
    let player = await TestPlayer.join(server.wsUrl, await server.tokenFor("alice"), { character_id: 1, session_id: session });
    for (const line of [FIRST, "Hello.", "How are you?"]) await chat(player, line);
    await until("the stored summary", () => server.services.storage.summaries.load(session));

    const ask = sim.stats.lastRequests.find((r) => SUMMARY_ASK.test(text(r.body.messages[0]!)));
    assert.ok(ask, "the model was asked for a summary");
    assert.match(text(ask.body.messages.at(-1)!), /alice: My horse is called Thunderfoot\./, "with the turn that fell out");

    await chat(player, "What is my horse called?");
    let prompt = lastChatPrompt();
    assert.ok(!prompt.slice(1).some((m) => text(m).includes("Thunderfoot")), "the first turn is out of the window");
    assert.equal(summaryPart(prompt), "Summary of earlier conversation:\nalice's horse is Thunderfoot.");
    assert.ok(!player.received.some((r) => JSON.stringify(r).includes("Summary of earlier")), "players never see the summary");

    await player.leave();
    await server.close();
    await redis.del(contextKey(session));
    server = await start(dir);
    try {
      // The simulated model rewrote the summary after the last turn, so compare with what the closed server stored.
      const stored = await server.services.storage.summaries.load(session);
      assert.ok(stored && stored.text.length > 0 && stored.covered >= 4, "stored by the server before the restart");
      player = await TestPlayer.join(server.wsUrl, await server.tokenFor("alice"), { character_id: 1, session_id: session });
      await chat(player, "Do you remember my horse?");
      prompt = lastChatPrompt();
      assert.equal(summaryPart(prompt), `Summary of earlier conversation:\n${stored.text}`);
      assert.ok(prompt.slice(1).some((m) => text(m) === "What is my horse called?"), "the window came back from the chat log");
      await player.leave();
    } finally {
      await server.close();
    }
  });

  it("never hold up the next reply's first chunk while the model is still summarising", async () => {
    const session = `summary-${process.pid}-3`;
    const server = await start(dataDir());
    try {
      const player = await TestPlayer.join(server.wsUrl, await server.tokenFor("alice"), { character_id: 1, session_id: session });
      // The first turn makes the summary request that carries it slow: ten tokens, 200 ms apart.
      await chat(player, "[[slow]] I live in Riverton. [[say:A|b|c|d|e|f|g|h|i|j]]");
      await chat(player, "Hello.");
      await chat(player, "How are you?");
      await until("the summary request", () => sim.stats.lastRequests.find((r) =>
        SUMMARY_ASK.test(text(r.body.messages[0]!)) && /Riverton/.test(text(r.body.messages.at(-1)!))));

      const sentAt = performance.now();
      player.send("chat", { content: "[[say:Quick.]] Are you there?" });
      await player.waitFor("ai_chunk", (c) => c.content === "Quick.");
      const firstChunkMs = performance.now() - sentAt;
      assert.equal(await server.services.storage.summaries.load(session), null, "the summary was still being made");
      assert.ok(firstChunkMs < 1000, `first chunk after ${Math.round(firstChunkMs)} ms`);
      await player.leave();
    } finally {
      await server.close();
    }
  });

  it("are extractive with the offline model, so the demo needs no key", async () => {
    const session = `summary-${process.pid}-4`;
    const server = await start(dataDir(), { OPENAI_BASE_URL: "", OPENAI_API_KEY: "", OFFLINE_MODEL_TOKEN_MS: "0" });
    try {
      const player = await TestPlayer.join(server.wsUrl, await server.tokenFor("alice"), { character_id: 1, session_id: session });
      const asked = sim.stats.requests;
      for (const line of ["Good day. My horse is called Thunderfoot.", "Hello.", "How are you?"]) await chat(player, line);
      const stored = await until("the stored summary", () => server.services.storage.summaries.load(session));
      assert.equal(stored.text, "alice: My horse is called Thunderfoot.");
      assert.equal(sim.stats.requests, asked, "no model endpoint was asked");
      await player.leave();
    } finally {
      await server.close();
    }
  });

  it("rebuild a missing summary from the chat log", async () => {
    const dir = dataDir();
    const session = `summary-${process.pid}-2`;
    // A session from before summaries: its chat log is all there is.
    let server = await start(dir, { SUMMARY_MAX_CHARS: "0" });
    let player = await TestPlayer.join(server.wsUrl, await server.tokenFor("alice"), { character_id: 1, session_id: session });
    for (const line of [FIRST, "Hello.", "How are you?", "Fine."]) await chat(player, line);
    await player.leave();
    await server.close();

    server = await start(dir);
    try {
      assert.equal(await server.services.storage.summaries.load(session), null);
      player = await TestPlayer.join(server.wsUrl, await server.tokenFor("alice"), { character_id: 1, session_id: session });
      const stored = await until("the rebuilt summary", () => server.services.storage.summaries.load(session));
      assert.equal(stored.text, "alice's horse is Thunderfoot.");
      await chat(player, "What is my horse called?");
      assert.equal(summaryPart(lastChatPrompt()), "Summary of earlier conversation:\nalice's horse is Thunderfoot.");
      await player.leave();
    } finally {
      await server.close();
    }
  });
});
