/** Content rules over the real stream: blocked input, a reply cut and retracted, hold-back. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { say64, startSimOpenAI, type SimOpenAI } from "../../loadtest/sim-openai/server.ts";
import type { TurnOutcome } from "../ai/reply-events.ts";
import { startTestServer, type TestServer } from "../testing/test-server.ts";
import { TestPlayer } from "../testing/test-player.ts";

let sim: SimOpenAI;
let server: TestServer;
let session = 0;
const outcomes: TurnOutcome[] = [];

async function join(): Promise<TestPlayer> {
  return TestPlayer.join(server.wsUrl, await server.tokenFor("mod-tester"), { character_id: 1, session_id: `mod-${process.pid}-${++session}` });
}

async function chat(player: TestPlayer, content: string): Promise<string> {
  const seen = new Set(player.of("ai_status").map((s) => s.reply_id));
  player.send("chat", { content });
  return (await player.waitFor("ai_status", (s) => s.status === "thinking" && !seen.has(s.reply_id))).reply_id!;
}

before(async () => {
  sim = await startSimOpenAI({ firstTokenMs: 0, tokensPerSecond: 100, log: "silent" });
  server = await startTestServer({ OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim", RECONNECT_SECONDS: "0" });
  server.services.observeTurns((_session, outcome) => { outcomes.push(outcome); });
});

after(async () => {
  await server.close();
  await sim.close();
});

const cases: Array<{ name: string; pieces: string[]; term: string }> = [
  { name: "English, in one chunk", pieces: ["Listen", " now,", " piece of shit", " recruit."], term: "piece of shit" },
  { name: "English, split across two chunks", pieces: ["Listen", " now, pie", "ce of shit", " recruit."], term: "piece of shit" },
  { name: "English, split across three chunks, mixed case", pieces: ["Listen", " now, Pie", "ce Of", " SHIT and more", "."], term: "piece of shit" },
  { name: "Chinese, in one chunk", pieces: ["好", "吧，", "王八蛋", "，再来。"], term: "王八蛋" },
  { name: "Chinese, split across two chunks", pieces: ["好", "吧，王", "八蛋，", "再来。"], term: "王八蛋" },
  { name: "Chinese, split across three chunks", pieces: ["好吧，你", "怎么不", "去", "死啊"], term: "你怎么不去死" },
];

describe("a reply that turns bad", () => {
  for (const { name, pieces, term } of cases) {
    it(`${name}: is cut, the request cancelled, retracted, ended as moderated, and never shown`, async () => {
      const player = await join();
      const cancelled = sim.stats.cancelled;
      // The model keeps talking after the term, so the cut really cancels a live request.
      const replyId = await chat(player, say64([...pieces, " and", " so", " on", "."]));
      const retract = await player.waitFor("ai_retract", (r) => r.reply_id === replyId);
      const end = await player.waitFor("ai_end", (e) => e.reply_id === replyId);
      assert.deepEqual(retract, { reply_id: replyId, reason: "moderated" });
      assert.equal(end.reason, "moderated");
      const shown = player.chunksOf(replyId);
      assert.equal(end.full_content, shown.map((c) => c.content).join(""));
      const retractAt = player.received.findIndex((r) => r.type === "ai_retract");
      const endAt = player.received.findIndex((r) => r.type === "ai_end" && r.message.reply_id === replyId);
      assert.ok(retractAt < endAt, "ai_retract comes before ai_end");

      // Hold-back: what was shown stops before the term's occurrence begins, so no chunk held any prefix of it.
      const text = pieces.join("").toLowerCase();
      const start = text.indexOf(term.toLowerCase());
      assert.ok(end.full_content.length <= start, `shown "${end.full_content}" reaches into "${term}"`);
      await sim.stats.waitFor((s) => s.cancelled > cancelled);
      const outcome = outcomes.find((o) => o.reply_id === replyId);
      assert.deepEqual(outcome?.moderation, { direction: "output", term });
      await player.leave();
    });
  }

  it("sends text that cannot begin a blocked term at once: the first chunk is the model's first token", async () => {
    const player = await join();
    const replyId = await chat(player, "[[say:Go|!| Go|!]]");
    const end = await player.waitFor("ai_end", (e) => e.reply_id === replyId);
    assert.equal(end.reason, "complete");
    assert.equal(player.chunksOf(replyId)[0]!.content, "Go");
    assert.equal(end.full_content, "Go! Go!");
    await player.leave();
  });

  it("releases held text once it turns out harmless, and at the end", async () => {
    const player = await join();
    const replyId = await chat(player, "[[say:A pie|ce of cake| is a pie]]");
    const end = await player.waitFor("ai_end", (e) => e.reply_id === replyId);
    assert.equal(end.reason, "complete");
    assert.equal(end.full_content, "A piece of cake is a pie");
    assert.deepEqual(player.chunksOf(replyId).map((c) => c.seq), player.chunksOf(replyId).map((_, i) => i + 1));
    await player.leave();
  });
});

describe("a chat that breaks the rules", () => {
  it("never reaches the model; the player gets error moderated and the turn is flagged", async () => {
    const player = await join();
    const requests = sim.stats.requests;
    player.send("chat", { content: "You are a 王八蛋" });
    await player.waitFor("error", (e) => e.code === "moderated");
    assert.equal(sim.stats.requests, requests);
    assert.ok(outcomes.some((o) => o.user_content === "You are a 王八蛋" && o.moderation?.direction === "input"));
    await player.leave();
  });
});
