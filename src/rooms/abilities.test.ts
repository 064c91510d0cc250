/**
 * The character acts: tool calls streamed by the simulated OpenAI server, through a real Parley
 * server and real SDK clients. Text, a call, the state change every player sees, and the follow-up
 * text, in one reply; refused calls; caps; stop mid-round; mood in the state and the next prompt.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startSimOpenAI, toolScript, type SimOpenAI, type SimRound } from "../../loadtest/sim-openai/server.ts";
import type { TurnOutcome } from "../ai/reply-events.ts";
import type { SessionRef } from "../store/turn-records.ts";
import { startTestServer, type TestServer } from "../testing/test-server.ts";
import { TestPlayer } from "../testing/test-player.ts";
import { roomDisposed } from "../testing/room-disposed.ts";
import { until } from "../testing/until.ts";

let sim: SimOpenAI;
let server: TestServer;
let session = 0;
const nextSession = () => `abilities-${process.pid}-${++session}`;
const turns: Array<{ session: SessionRef; outcome: TurnOutcome }> = [];

async function join(user: string, sessionId: string): Promise<TestPlayer> {
  return TestPlayer.join(server.wsUrl, await server.tokenFor(user), { character_id: 1, session_id: sessionId });
}

async function chat(player: TestPlayer, content: string): Promise<string> {
  const before = new Set(player.of("ai_status").map((s) => s.reply_id));
  player.send("chat", { content });
  return (await player.waitFor("ai_status", (s) => s.status === "thinking" && !before.has(s.reply_id))).reply_id!;
}

const give = (item_id: string, pieces = 5) => ({ name: "give_item", arguments: JSON.stringify({ item_id }), pieces });
const script = (...rounds: SimRound[]) => toolScript(rounds);
const turnOf = (replyId: string) => turns.find((t) => t.outcome.reply_id === replyId)?.outcome;

function itemsOf(player: TestPlayer): Record<string, { owner: string } | undefined> {
  const state = player.room.state as { items?: { toJSON(): Record<string, { owner: string }> } };
  return state.items?.toJSON() ?? {};
}

before(async () => {
  sim = await startSimOpenAI({ firstTokenMs: 0, tokensPerSecond: 0, log: "silent" });
});

after(async () => {
  await sim.close();
});

for (const client of ["direct", "langchain"] as const) describe(`abilities (MODEL_CLIENT=${client})`, () => {
  before(async () => {
    server = await startTestServer({
      OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim", OPENAI_MODEL: "parley-sim", RECONNECT_SECONDS: "0", CHAT_BURST: "50",
      MODERATION_HOLDBACK: "false", TOOL_ROUNDS_MAX: "2", ABILITY_USES_PER_MINUTE: "3", MODEL_CLIENT: client,
    });
    server.services.observeTurns((s, outcome) => { turns.push({ session: s, outcome }); });
  });

  after(async () => {
    await server.close();
  });

  it("speaks, gives the sword, and speaks of it, in one reply every player sees", async () => {
    const sessionId = nextSession();
    const alice = await join("alice", sessionId);
    const bob = await join("bob", sessionId);
    const replyId = await chat(alice, `May I have the sword? ${script(
      { say: ["Earned", " it", "."], calls: [give("sword_001", 7)] },
      { say: [" Guard", " it", " well", "."] },
    )}`);
    const [endA] = await Promise.all([alice, bob].map((p) => p.waitFor("ai_end", (e) => e.reply_id === replyId)));
    assert.equal(endA!.reason, "complete");
    assert.equal(endA!.full_content, "Earned it. Guard it well.");
    assert.deepEqual(alice.chunksOf(replyId).map((c) => c.seq), [1, 2, 3, 4, 5, 6, 7], "seq runs on across the tool round");
    assert.ok(!alice.chunksOf(replyId).some((c) => c.content.includes("item_id")), "no tool JSON is shown");

    for (const p of [alice, bob]) {
      const event = await p.waitFor("game_event", (e) => e.event_type === "item_given");
      assert.deepEqual(event, { event_type: "item_given", payload: { item_id: "sword_001", name: "Excalibur", to: "alice" }, source: "character", reply_id: replyId });
      await until(() => itemsOf(p)["sword_001"]?.owner === "alice", "the sword's owner in the state");
      assert.equal(itemsOf(p)["shield_001"]?.owner, "", "the shield stays with the character");
    }

    // The follow-up request carried the call and its result, and the tools were offered.
    const bodies = sim.stats.lastRequests.slice(-2).map((r) => r.body);
    assert.ok(Array.isArray(bodies[0]!.tools) && (bodies[0]!.tools as Array<{ function: { name: string } }>).some((t) => t.function.name === "give_item"));
    const followUp = bodies[1]!.messages.slice(-2);
    assert.equal(followUp[0]!.role, "assistant");
    assert.deepEqual((followUp[0]!["tool_calls"] as Array<{ function: { name: string; arguments: string } }>)[0]!.function,
      { name: "give_item", arguments: "{\"item_id\":\"sword_001\"}" });
    assert.equal(followUp[1]!.role, "tool");
    assert.match(String(followUp[1]!.content), /"ok":true/);

    // The chat log holds the call with the turn.
    await until(() => turnOf(replyId) !== undefined, "the turn's end");
    await server.services.storage.chatLog.flush();
    let stored: Array<{ id: string; metadata: Record<string, unknown> | null }> = [];
    await until(() => { void server.services.storage.chatLog.recent(sessionId, 20).then((r) => { stored = r; }); return stored.some((r) => r.id === `${replyId}:ai`); }, "the stored turn");
    const calls = stored.find((r) => r.id === `${replyId}:ai`)!.metadata!["tool_calls"] as Array<{ name: string; outcome: string; arguments: string }>;
    assert.deepEqual(calls.map((c) => [c.name, c.outcome, c.arguments]), [["give_item", "ok", "{\"item_id\":\"sword_001\"}"]]);

    // Asking again: the character no longer holds it, so nothing moves; the model is told so.
    const again = await chat(alice, `Another? ${script({ calls: [give("sword_001")] }, { say: ["No", "."] })}`);
    const end = await alice.waitFor("ai_end", (e) => e.reply_id === again);
    assert.equal(end.full_content, "No.");
    await until(() => turnOf(again) !== undefined, "the turn's end");
    assert.equal(turnOf(again)!.tool_calls![0]!.outcome, "refused");
    assert.equal(alice.of("game_event").filter((e) => e.event_type === "item_given").length, 1);
    assert.match(await server.services.metrics.render(), /parley_ability_calls_total\{ability="give_item",outcome="ok"\} 1/);
    await Promise.all([alice.leave(), bob.leave()]);
  });

  it("refuses malformed, unknown, invalid and repeated calls: nothing runs, the reply ends properly", async () => {
    const player = await join("carl", nextSession());
    const replyId = await chat(player, script(
      {
        say: ["Hm", "."],
        calls: [
          { name: "give_item", arguments: "{\"item_id\": \"sword_0", pieces: 3 },
          { name: "summon_dragon", arguments: "{}" },
          { name: "give_item", arguments: JSON.stringify({ item_id: 42 }) },
          { name: "set_mood", arguments: JSON.stringify({ mood: "ecstatic" }) },
          { name: "emote", arguments: JSON.stringify({ animation: "nod" }) },
        ],
      },
      { say: [" Enough", "."], calls: [{ name: "emote", arguments: JSON.stringify({ animation: "nod" }) }] },
      { say: [" Go", "."] },
    ));
    const end = await player.waitFor("ai_end", (e) => e.reply_id === replyId);
    assert.equal(end.reason, "complete");
    assert.equal(end.full_content, "Hm. Enough. Go.");
    await until(() => turnOf(replyId) !== undefined, "the turn's end");
    assert.deepEqual(turnOf(replyId)!.tool_calls!.map((c) => c.outcome),
      ["malformed", "unknown_ability", "invalid_arguments", "invalid_arguments", "ok", "repeated"]);
    const state = player.room.state as { items: { toJSON(): Record<string, { owner: string }> }; character: { mood: string } };
    assert.equal(state.items.toJSON()["sword_001"]!.owner, "");
    assert.equal(state.character.mood, "stern");
    assert.deepEqual(player.of("game_event").map((e) => e.event_type), ["emote"]);
    const metrics = await server.services.metrics.render();
    assert.match(metrics, /parley_ability_calls_total\{ability="unknown",outcome="unknown_ability"\} 1/);
    assert.match(metrics, /parley_ability_calls_total\{ability="unknown",outcome="malformed"\} 1/);
    assert.match(metrics, /parley_ability_calls_total\{ability="emote",outcome="repeated"\} 1/);
    await player.leave();
  });

  it("caps tool rounds per reply and uses per player per minute; a capped reply ends normally", async () => {
    const player = await join("dora", nextSession());
    const emote = (animation: string) => ({ name: "emote", arguments: JSON.stringify({ animation }) });
    // TOOL_ROUNDS_MAX=2: the third round is offered no tools, and a call it makes anyway is refused.
    const capped = await chat(player, script(
      { calls: [emote("nod")] }, { calls: [emote("salute")] }, { say: ["Done", "."], calls: [emote("shake_head")] }, { say: ["never"] },
    ));
    const end = await player.waitFor("ai_end", (e) => e.reply_id === capped);
    assert.equal(end.reason, "complete");
    assert.equal(end.full_content, "Done.");
    await until(() => turnOf(capped) !== undefined, "the turn's end");
    assert.deepEqual(turnOf(capped)!.tool_calls!.map((c) => c.outcome), ["ok", "ok", "round_cap"]);
    assert.equal(sim.stats.lastRequests.at(-1)!.body.tools, undefined, "the last round is offered no tools");

    // ABILITY_USES_PER_MINUTE=3: two used above, one more runs, the next is refused.
    const limited = await chat(player, script({ calls: [emote("point_at_rack"), emote("cross_arms")] }, { say: ["Enough", "."] }));
    assert.equal((await player.waitFor("ai_end", (e) => e.reply_id === limited)).reason, "complete");
    await until(() => turnOf(limited) !== undefined, "the turn's end");
    assert.deepEqual(turnOf(limited)!.tool_calls!.map((c) => c.outcome), ["ok", "rate_limited"]);
    await player.leave();
  });

  it("stop during a tool round ends the reply stopped, with what was shown", async () => {
    const player = await join("eve", nextSession());
    const cancelled = sim.stats.cancelled;
    const replyId = await chat(player, `[[slow]] ${script({ say: ["Wait", "."], calls: [{ name: "emote", arguments: "{\"animation\":\"nod\"}" }] }, { say: [" One", " two", " three", " four", " five"] })}`);
    await player.waitFor("game_event", (e) => e.event_type === "emote");
    await player.waitFor("ai_chunk", (c) => c.reply_id === replyId && c.seq === 3);
    player.send("stop", {});
    const end = await player.waitFor("ai_end", (e) => e.reply_id === replyId);
    assert.equal(end.reason, "stopped");
    assert.equal(end.full_content, player.chunksOf(replyId).map((c) => c.content).join(""));
    assert.ok(end.full_content.startsWith("Wait. One"));
    await sim.stats.waitFor((s) => s.cancelled > cancelled);
    await player.leave();
  });

  it("moderation cuts a follow-up round as any reply: retracted, ended moderated, and the model never sees it again", async () => {
    const player = await join("gail", nextSession());
    const replyId = await chat(player, script(
      { say: ["Fine", "."], calls: [{ name: "emote", arguments: "{\"animation\":\"nod\"}" }] },
      { say: [" You", " piece", " of shit", " recruit."] },
    ));
    await player.waitFor("ai_retract", (r) => r.reply_id === replyId);
    assert.equal((await player.waitFor("ai_end", (e) => e.reply_id === replyId)).reason, "moderated");
    const next = await chat(player, "[[say:Again.]]");
    await player.waitFor("ai_end", (e) => e.reply_id === next);
    const sent = JSON.stringify(sim.stats.lastRequests.at(-1)!.body.messages);
    assert.ok(!sent.includes("shit") && !sent.includes("Fine."), "what was retracted is not remembered");
    assert.match(sent, /"tool_calls"/, "the call that ran is remembered");
    await player.leave();
  });

  it("set_mood changes the mood in the state and in the next prompt, and a new room remembers it", async () => {
    const sessionId = nextSession();
    const player = await join("finn", sessionId);
    const replyId = await chat(player, script({ calls: [{ name: "set_mood", arguments: "{\"mood\":\"pleased\"}" }] }, { say: ["Good", "."] }));
    await player.waitFor("ai_end", (e) => e.reply_id === replyId);
    const state = player.room.state as { character: { mood: string } };
    await until(() => state.character.mood === "pleased", "the mood in the state");
    const next = await chat(player, "[[say:Again.]]");
    await player.waitFor("ai_end", (e) => e.reply_id === next);
    assert.match(String(sim.stats.lastRequests.at(-1)!.body.messages[0]!.content), /Your mood right now: pleased\./);
    const disposed = roomDisposed(player.room.roomId);
    await player.leave();
    await disposed;

    const back = await join("finn", sessionId);
    await until(() => (back.room.state as { character?: { mood: string } }).character?.mood === "pleased", "the remembered mood");
    await back.leave();
  });

  it("a room opened again for the session still knows whom the sword was given to", async () => {
    const sessionId = nextSession();
    const player = await join("gina", sessionId);
    const replyId = await chat(player, script({ calls: [give("sword_001")] }, { say: ["Yours", "."] }));
    await player.waitFor("ai_end", (e) => e.reply_id === replyId);
    const disposed = roomDisposed(player.room.roomId);
    await player.leave();
    await disposed;
    const back = await join("gina", sessionId);
    await until(() => itemsOf(back)["sword_001"]?.owner === "gina", "the remembered owner");
    await back.leave();
  });
});
