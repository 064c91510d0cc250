/**
 * The character room end to end: real WebSockets through the Colyseus SDK, and the model behind
 * ChatOpenAI is the simulated OpenAI server over real HTTP.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "@colyseus/sdk";
import type { TurnOutcome } from "../ai/reply-events.ts";
import { startSimOpenAI, type SimOpenAI } from "../../loadtest/sim-openai/server.ts";
import { startTestServer, type TestServer } from "../testing/test-server.ts";
import { TestPlayer } from "../testing/test-player.ts";
import { roomDisposed } from "../testing/room-disposed.ts";

let sim: SimOpenAI;
let server: TestServer;
let session = 0;
const nextSession = () => `room-test-${process.pid}-${++session}`;

/** Every error a room handler threw and Colyseus caught, so far. */
async function unexpectedErrors(): Promise<number> {
  const { values } = await server.services.metrics.unexpectedErrors.get();
  return values.reduce((sum, v) => sum + v.value, 0);
}

/** Resolves with the outcome of `replyId` once its turn has ended. */
function turnEnded(replyId: string): Promise<TurnOutcome> {
  return new Promise((resolve) => {
    const stop = server.services.observeTurns((_session, outcome) => {
      if (outcome.reply_id !== replyId) return;
      stop();
      resolve(outcome);
    });
  });
}

async function join(user: string, options: Record<string, unknown> = {}): Promise<TestPlayer> {
  return TestPlayer.join(server.wsUrl, await server.tokenFor(user), { character_id: 1, ...options });
}

/** Sends a chat and returns the reply id its `ai_status thinking` announced. */
async function chat(player: TestPlayer, content: string): Promise<string> {
  const before = new Set(player.of("ai_status").map((s) => s.reply_id));
  player.send("chat", { content });
  const thinking = await player.waitFor("ai_status", (s) => s.status === "thinking" && !before.has(s.reply_id));
  return thinking.reply_id!;
}

before(async () => {
  sim = await startSimOpenAI({ firstTokenMs: 0, tokensPerSecond: 200, replyTokens: 12, log: "silent" });
  server = await startTestServer({ OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim", OPENAI_MODEL: "parley-sim", RECONNECT_SECONDS: "0", CHAT_BURST: "50",
    // Chunk boundaries here are the model's own; hold-back is tested with moderation.
    MODERATION_HOLDBACK: "false" });
});

after(async () => {
  await server.close();
  await sim.close();
});

describe("ai_character room", () => {
  it("streams a reply: thinking, chunks 1..n, then ai_end with exactly their text", async () => {
    const player = await join("alice", { session_id: nextSession() });
    const replyId = await chat(player, "[[say:Hold| your| guard|, recruit.]]");
    const end = await player.waitFor("ai_end", (e) => e.reply_id === replyId);
    const chunks = player.chunksOf(replyId);
    assert.deepEqual(chunks.map((c) => c.seq), [1, 2, 3, 4]);
    assert.deepEqual(chunks.map((c) => c.content), ["Hold", " your", " guard", ", recruit."]);
    assert.equal(end.full_content, "Hold your guard, recruit.");
    assert.equal(end.reason, "complete");
    assert.ok(end.usage && end.usage.output_tokens > 0, "usage is reported");
    const statuses = player.of("ai_status").filter((s) => s.reply_id === replyId).map((s) => s.status);
    // searching_memory only when the lookup started on joining has not answered yet.
    assert.deepEqual(statuses.filter((s) => s !== "searching_memory"), ["thinking", "streaming"]);
    assert.ok(statuses.indexOf("searching_memory") <= 0);
    await player.leave();
  });

  it("greets a joining player at once and whole, with its own reply id", async () => {
    const player = await join("greeted", { session_id: nextSession() });
    const end = await player.waitFor("ai_end");
    assert.match(end.reply_id, /^greeting-/);
    assert.deepEqual(player.chunksOf(end.reply_id).map((c) => c.content), [end.full_content]);
    await player.leave();
  });

  it("sends the model the persona, the conversation so far and the new message", async () => {
    const player = await join("carol", { session_id: nextSession() });
    const first = await chat(player, "[[say:Again.]]");
    await player.waitFor("ai_end", (e) => e.reply_id === first);
    const second = await chat(player, "Why again?");
    await player.waitFor("ai_end", (e) => e.reply_id === second);
    const body = sim.stats.lastRequests.at(-1)!.body;
    const roles = body.messages.map((m) => m.role);
    assert.deepEqual(roles, ["system", "user", "assistant", "user"]);
    assert.match(String(body.messages[0]!.content), /strict sword-fighting instructor/);
    assert.equal(body.messages[2]!.content, "Again.");
    assert.equal(body.messages[3]!.content, "Why again?");
    assert.equal(body.stream, true);
    await player.leave();
  });

  it("gives every player of a shared session the whole stream", async () => {
    const sessionId = nextSession();
    const a = await join("ann", { session_id: sessionId });
    const b = await join("bob", { session_id: sessionId, character_id: "1" });
    assert.equal(a.room.roomId, b.room.roomId, "character_id 1 and \"1\" name the same character");
    const replyId = await chat(a, "[[say:One|, two|, three|.]]");
    const [endA, endB] = await Promise.all([
      a.waitFor("ai_end", (e) => e.reply_id === replyId), b.waitFor("ai_end", (e) => e.reply_id === replyId),
    ]);
    assert.deepEqual(endA, endB);
    assert.deepEqual(b.chunksOf(replyId).map((c) => c.seq), [1, 2, 3, 4]);
    await Promise.all([a.leave(), b.leave()]);
  });

  it("gives a player without a session id a private session, found again after the room is gone", async () => {
    const first = await join("dave");
    const other = await join("erin");
    assert.notEqual(first.room.roomId, other.room.roomId);
    const replyId = await chat(first, "[[say:Remember me.]]");
    await first.waitFor("ai_end", (e) => e.reply_id === replyId);
    const disposed = Promise.all([roomDisposed(first.room.roomId), roomDisposed(other.room.roomId)]);
    await Promise.all([first.leave(), other.leave()]);
    await disposed;

    const again = await join("dave");
    const next = await chat(again, "Who am I?");
    await again.waitFor("ai_end", (e) => e.reply_id === next);
    const history = sim.stats.lastRequests.at(-1)!.body.messages.map((m) => m.content);
    assert.ok(history.includes("Remember me."), "the re-created room continues the same conversation");
    await again.leave();
  });

  it("answers inspect_item sword_001 with item_info, and refuses unknown actions and targets", async () => {
    const player = await join("fay", { session_id: nextSession() });
    player.send("action", { action_id: "inspect_item", target_id: "sword_001" });
    const info = await player.waitFor("game_event");
    assert.deepEqual(info, { event_type: "item_info", payload: { name: "Excalibur", atk: 999 } });
    player.send("action", { action_id: "inspect_item", target_id: "sword_999" });
    player.send("action", { action_id: "dance" });
    await player.waitFor("error", (e) => e.code === "action/unknown_target");
    await player.waitFor("error", (e) => e.code === "action/unknown");
    await player.leave();
  });

  it("stop mid-reply ends it with reason stopped and cancels the model request", async () => {
    const player = await join("gus", { session_id: nextSession() });
    const cancelled = sim.stats.cancelled;
    const replyId = await chat(player, "[[slow]] Tell me everything.");
    await player.waitFor("ai_chunk", (c) => c.reply_id === replyId);
    player.send("stop", {});
    const end = await player.waitFor("ai_end", (e) => e.reply_id === replyId);
    assert.equal(end.reason, "stopped");
    assert.equal(end.full_content, player.chunksOf(replyId).map((c) => c.content).join(""));
    await sim.stats.waitFor((s) => s.cancelled > cancelled);
    await player.leave();
  });

  it("a player who disconnects mid-reply causes no error, and the request is cancelled when the room empties", async () => {
    const player = await join("hal", { session_id: nextSession() });
    // The room's disposal is the last thing a disconnect sets off.
    const disposed = roomDisposed(player.room.roomId);
    const cancelled = sim.stats.cancelled;
    const unexpected = await unexpectedErrors();
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    process.on("uncaughtException", onError);
    process.on("unhandledRejection", onError);
    try {
      const replyId = await chat(player, "[[slow]] A long story, please.");
      const ended = turnEnded(replyId);
      await player.waitFor("ai_chunk", (c) => c.reply_id === replyId);
      player.room.connection.close();
      await sim.stats.waitFor((s) => s.cancelled > cancelled);
      const outcome = await ended;
      assert.equal(outcome.reason, "stopped");
      assert.ok(outcome.reply_content.length > 0, "what was streamed before the drop is kept");
      await disposed;
    } finally {
      process.off("uncaughtException", onError);
      process.off("unhandledRejection", onError);
    }
    assert.deepEqual(errors, []);
    // Colyseus catches what a room handler throws: those surface only in this counter.
    assert.equal(await unexpectedErrors(), unexpected);
  });

  it("answers each kind of malformed message with an error and keeps the player connected", async () => {
    const player = await join("ivy", { session_id: nextSession() });
    const bad: Array<[string, unknown]> = [
      ["chat", { content: 42 }],
      ["chat", { content: "hi", mood: "happy" }],
      ["chat", { content: "   " }],
      ["chat", { content: "x".repeat(2001) }],
      ["chat", "just a string"],
      ["action", { target_id: "sword_001" }],
      ["stop", { now: true }],
    ];
    for (const [type, message] of bad) player.send(type, message);
    player.send("dance", { style: "waltz" });
    await player.waitFor("error", (e) => e.code === "message/unknown_type");
    const codes = player.of("error").map((e) => e.code);
    assert.equal(codes.filter((c) => c === "message/invalid").length, bad.length);
    const replyId = await chat(player, "[[say:Still here.]]");
    const end = await player.waitFor("ai_end", (e) => e.reply_id === replyId);
    assert.equal(end.full_content, "Still here.");
    await player.leave();
  });

  it("accepts the longest allowed chat in a script that needs 3 bytes a character", async () => {
    const player = await join("jun", { session_id: nextSession() });
    const replyId = await chat(player, "剑".repeat(1990) + "[[say:好。]]");
    const end = await player.waitFor("ai_end", (e) => e.reply_id === replyId);
    assert.equal(end.full_content, "好。");
    await player.leave();
  });

  it("queues chat that arrives during a reply, in order", async () => {
    const player = await join("kim", { session_id: nextSession() });
    const first = await chat(player, "[[slow]] first");
    player.send("chat", { content: "[[say:second]]" });
    const queued = await player.waitFor("ai_status", (s) => s.status === "queued");
    player.send("stop", {});
    await player.waitFor("ai_end", (e) => e.reply_id === first);
    const second = await player.waitFor("ai_end", (e) => e.reply_id === queued.reply_id);
    assert.equal(second.full_content, "second");
    await player.leave();
  });

  it("refuses a missing, forged or expired token with 401", async () => {
    const attempts: Array<string | undefined> = [
      undefined,
      (await server.tokenFor("mallory")).slice(0, -4) + "AAAA",
      await server.services.tokens.sign("mallory", "-1s"),
    ];
    for (const token of attempts) {
      const client = new Client(server.wsUrl);
      if (token) client.auth.token = token;
      await assert.rejects(client.joinOrCreate("ai_character", { character_id: 1 }), (err: { code?: number }) => err.code === 401);
    }
  });

  it("refuses an unknown character and another player's private session", async () => {
    await assert.rejects(join("nia", { character_id: 999 }), (err: { code?: number }) => err.code === 404);
    await assert.rejects(join("nia", { session_id: "private:dave:1" }), (err: { code?: number }) => err.code === 403);
  });
});
