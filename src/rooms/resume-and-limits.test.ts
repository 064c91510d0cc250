/** A dropped player reconnects and resumes the stream; rate limits answer, floods are cut off. */
import assert from "node:assert/strict";
import { CloseCode } from "@colyseus/core";
import { after, before, describe, it } from "node:test";
import { startSimOpenAI, toolScript, type SimOpenAI } from "../../loadtest/sim-openai/server.ts";
import { startTestServer, type TestServer } from "../testing/test-server.ts";
import { TestPlayer } from "../testing/test-player.ts";
import { until } from "../testing/until.ts";

let sim: SimOpenAI;
let server: TestServer;
let session = 0;

const TOKENS = Array.from({ length: 16 }, (_, i) => (i === 0 ? "Go" : ` go${i}`));

async function join(user: string): Promise<TestPlayer> {
  return TestPlayer.join(server.wsUrl, await server.tokenFor(user), { character_id: 1, session_id: `resume-${process.pid}-${++session}` });
}

/** Drops the connection without a goodbye, waits, and comes back with the reconnection token. */
async function dropAndReconnect(player: TestPlayer, awayMs: number): Promise<void> {
  const token = player.room.reconnectionToken;
  player.room.connection.close();
  // Deliberately away for a while: the reply goes on streaming with no one to read it.
  await new Promise((r) => setTimeout(r, awayMs));
  player.adopt(await player.client.reconnect(token));
}

before(async () => {
  sim = await startSimOpenAI({ firstTokenMs: 0, tokensPerSecond: 40, log: "silent" });
  server = await startTestServer({ OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim", MODERATION_HOLDBACK: "false", RECONNECT_SECONDS: "3" });
});

after(async () => {
  await server.close();
  await sim.close();
});

describe("stream resume", () => {
  it("drop after chunk k of n, reconnect, resume: chunks 1..n exactly once, in order, then ai_end", async () => {
    const player = await join("rita");
    player.send("chat", { content: `[[say:${TOKENS.join("|")}]]` });
    const first = await player.waitFor("ai_chunk", (c) => c.seq === 4);
    await dropAndReconnect(player, 150);
    const lastSeq = Math.max(...player.chunksOf(first.reply_id).map((c) => c.seq));
    player.send("resume", { reply_id: first.reply_id, last_seq: lastSeq });
    const end = await player.waitFor("ai_end", (e) => e.reply_id === first.reply_id);

    const seqs = player.chunksOf(first.reply_id).map((c) => c.seq);
    assert.deepEqual(seqs, TOKENS.map((_, i) => i + 1));
    assert.equal(end.full_content, TOKENS.join(""));
    assert.equal(end.reason, "complete");
    await player.leave();
  });

  it("a drop across a tool round: resume gives both rounds' chunks once, in order, and the state shows what the character did", async () => {
    const player = await join("vic");
    const first = ["Take", " this", "."], second = [" Now", " guard", " it", " with", " your", " life", "."];
    player.send("chat", { content: toolScript([
      { say: first, calls: [{ name: "give_item", arguments: "{\"item_id\":\"sword_001\"}" }] }, { say: second },
    ]) });
    const chunk = await player.waitFor("ai_chunk", (c) => c.seq === 2);
    await dropAndReconnect(player, 400);
    player.send("resume", { reply_id: chunk.reply_id, last_seq: Math.max(...player.chunksOf(chunk.reply_id).map((c) => c.seq)) });
    const end = await player.waitFor("ai_end", (e) => e.reply_id === chunk.reply_id);
    assert.deepEqual(player.chunksOf(chunk.reply_id).map((c) => c.seq), [...first, ...second].map((_, i) => i + 1));
    assert.equal(end.full_content, [...first, ...second].join(""));
    const owner = () => (player.room.state as { items?: { get(id: string): { owner: string } | undefined } }).items?.get("sword_001")?.owner;
    await until(() => owner() === "vic", "the sword's owner in the state");
    await player.leave();
  });

  it("a player who comes back after the reply ended still gets the rest and its ai_end", async () => {
    const player = await join("sam");
    player.send("chat", { content: `[[say:${TOKENS.join("|")}]]` });
    const first = await player.waitFor("ai_chunk", (c) => c.seq === 2);
    await dropAndReconnect(player, 700);
    player.send("resume", { reply_id: first.reply_id, last_seq: 2 });
    const end = await player.waitFor("ai_end", (e) => e.reply_id === first.reply_id);
    assert.deepEqual(player.chunksOf(first.reply_id).map((c) => c.seq), TOKENS.map((_, i) => i + 1));
    assert.equal(end.full_content, TOKENS.join(""));
    await player.leave();
  });

  it("stop works while a player is away, and resume then ends with ai_end stopped", async () => {
    const owner = await join("tom");
    owner.send("chat", { content: "[[slow]] talk" });
    const first = await owner.waitFor("ai_chunk", (c) => !c.reply_id.startsWith("greeting-"));
    const token = owner.room.reconnectionToken;
    owner.room.connection.close();
    const other = await TestPlayer.join(server.wsUrl, await server.tokenFor("uma"), {
      character_id: 1, session_id: `resume-${process.pid}-${session}`,
    });
    other.send("stop", {});
    await other.waitFor("ai_end", (e) => e.reply_id === first.reply_id);
    owner.adopt(await owner.client.reconnect(token));
    owner.send("resume", { reply_id: first.reply_id, last_seq: 1 });
    const end = await owner.waitFor("ai_end", (e) => e.reply_id === first.reply_id);
    assert.equal(end.reason, "stopped");
    assert.equal(end.full_content, owner.chunksOf(first.reply_id).map((c) => c.content).join(""));
    await Promise.all([owner.leave(), other.leave()]);
  });

  it("a player who reconnects but never sends resume is still sent what it missed, in order", async () => {
    const player = await join("wyn");
    player.send("chat", { content: `[[say:${TOKENS.join("|")}]]` });
    const first = await player.waitFor("ai_chunk", (c) => c.seq === 3);
    await dropAndReconnect(player, 150);
    const end = await player.waitFor("ai_end", (e) => e.reply_id === first.reply_id, 8000);
    assert.deepEqual(player.chunksOf(first.reply_id).map((c) => c.seq), TOKENS.map((_, i) => i + 1));
    assert.equal(end.full_content, TOKENS.join(""));
    await player.leave();
  });

  it("resume of an unknown reply answers an error", async () => {
    const player = await join("vic");
    player.send("resume", { reply_id: "nope", last_seq: 0 });
    await player.waitFor("error", (e) => e.code === "resume/unknown_reply");
    await player.leave();
  });
});

describe("turn control", () => {
  it("a queued chat shows in state and can be cancelled by its sender only", async () => {
    const a = await join("wes");
    const b = await TestPlayer.join(server.wsUrl, await server.tokenFor("xia"), { character_id: 1, session_id: `resume-${process.pid}-${session}` });
    a.send("chat", { content: "[[slow]] first" });
    await a.waitFor("ai_chunk", (c) => !c.reply_id.startsWith("greeting-"));
    b.send("chat", { content: "second" });
    const queued = await b.waitFor("ai_status", (s) => s.status === "queued");
    const state = a.room.state as { queue: Array<{ reply_id: string; user_id: string }> };
    await until(() => state.queue.length > 0, "the queue in the state");
    assert.deepEqual(state.queue.map((q) => [q.reply_id, q.user_id]), [[queued.reply_id, "xia"]]);

    a.send("cancel", { reply_id: queued.reply_id });
    await a.waitFor("error", (e) => e.code === "cancel/not_queued");
    b.send("cancel", { reply_id: queued.reply_id });
    const end = await b.waitFor("ai_end", (e) => e.reply_id === queued.reply_id);
    assert.deepEqual([end.reason, end.full_content], ["stopped", ""]);
    await until(() => state.queue.length === 0, "the cancelled chat leaves the queue in the state");
    await Promise.all([a.leave(), b.leave()]);
  });
});

describe("rate limits", () => {
  it("answers rate_limited past the burst and keeps the player connected", async () => {
    const player = await join("yan");
    for (let i = 0; i < 8; i++) player.send("chat", { content: `[[say:ok]] ${i}` });
    await player.waitFor("error", (e) => e.code === "rate_limited");
    player.send("action", { action_id: "inspect_item", target_id: "sword_001" });
    await player.waitFor("game_event");
    await player.leave();
  });

  it("disconnects a gross flood", async () => {
    const player = await join("zed");
    const left = new Promise<number>((resolve) => player.room.onLeave((code) => resolve(code)));
    for (let i = 0; i < 500; i++) player.send("stop", {});
    const code = await left;
    assert.equal(code, CloseCode.WITH_ERROR, "closed by the server's flood guard, not by the player or a crash");
    const bystander = await join("after-the-flood");
    bystander.send("chat", { content: "[[say:still|here]]" });
    assert.equal((await bystander.waitFor("ai_end", (e) => !e.reply_id.startsWith("greeting-"))).reason, "complete");
    await bystander.leave();
  });
});
