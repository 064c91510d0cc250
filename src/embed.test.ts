/**
 * A game's side of Parley: its own action loaded from GAME_ACTIONS_DIR (used by players and by the
 * character), and Parley's room mounted in the game's own Colyseus server next to its rooms.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Client } from "@colyseus/sdk";
import { defineRoom, defineServer, matchMaker, Room } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { startSimOpenAI, toolScript, type SimOpenAI } from "../loadtest/sim-openai/server.ts";
// Through the package's own exports, as a game's server imports it.
import { createParley, loadConfig, ROOM_NAME } from "parley";
import { createLogger } from "./logger.ts";
import { TestPlayer } from "./testing/test-player.ts";

let sim: SimOpenAI;
before(async () => {
  sim = await startSimOpenAI({ firstTokenMs: 0, tokensPerSecond: 0, log: "silent" });
});
after(() => sim.close());

/** A room of the game itself, knowing nothing of Parley. */
class LobbyRoom extends Room {
  messages = { ping: (client: { send(type: string, m: unknown): void }) => client.send("pong", {}) };
}

describe("a game's own Colyseus server with Parley's room and a game action from its folder", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "parley-embed-"));
  let parley: Awaited<ReturnType<typeof createParley>>;
  let server: ReturnType<typeof defineServer>;
  let url: string;

  before(async () => {
    const config = loadConfig({
      NODE_ENV: "test", LOG_LEVEL: "silent", DATA_DIR: dataDir, AUTH_SECRET: "embed-secret-embed-secret-embed-secret",
      OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim", OPENAI_MODEL: "parley-sim", RECONNECT_SECONDS: "0",
      CHARACTERS_DIR: "examples/characters", GAME_ACTIONS_DIR: "examples/game-actions", MODERATION_HOLDBACK: "false",
    });
    parley = await createParley(config, createLogger("silent"));
    server = defineServer({ greet: false, transport: new WebSocketTransport(), rooms: { lobby: defineRoom(LobbyRoom), [ROOM_NAME]: parley.room } });
    await server.listen(0, "127.0.0.1");
    const port = (server.transport as unknown as { server: { address(): AddressInfo } }).server.address().port;
    url = `ws://127.0.0.1:${port}`;
  });

  after(async () => {
    await matchMaker.disconnectAll();
    await server.gracefullyShutdown(false);
    await parley.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("serves the game's room and Parley's side by side", async () => {
    const lobby = await new Client(url).joinOrCreate("lobby");
    const pong = new Promise((resolve) => lobby.onMessage("pong", resolve));
    lobby.send("ping", {});
    await pong;
    const player = await TestPlayer.join(url, await parley.services.tokens.sign("gwen"), { character_id: 2, session_id: "embed-1" });
    player.send("chat", { content: "[[say:At| ease|.]]" });
    assert.equal((await player.waitFor("ai_end", (e) => !e.reply_id.startsWith("greeting-"))).full_content, "At ease.");
    await Promise.all([player.leave(), lobby.leave()]);
  });

  it("runs the folder's salute for a player's action and as the character's ability", async () => {
    const player = await TestPlayer.join(url, await parley.services.tokens.sign("hank"), { character_id: 2, session_id: "embed-2" });
    player.send("action", { action_id: "salute", params: { style: "lazy" } });
    assert.deepEqual(await player.waitFor("game_event", (e) => e.event_type === "saluted"),
      { event_type: "saluted", payload: { by: "hank", to: "character", style: "lazy" } });
    player.send("action", { action_id: "salute", params: { style: "sideways" } });
    assert.equal((await player.waitFor("error")).code, "message/invalid", "params are checked against the action's schema");

    player.send("chat", { content: toolScript([{ calls: [{ name: "salute", arguments: "{}" }] }, { say: ["Dismissed", "."] }]) });
    const end = await player.waitFor("ai_end", (e) => !e.reply_id.startsWith("greeting-"));
    assert.equal(end.full_content, "Dismissed.");
    const event = await player.waitFor("game_event", (e) => e.source === "character");
    assert.deepEqual(event.payload, { by: "character", to: "hank", style: "crisp" });
    const tools = sim.stats.lastRequests.at(-2)!.body.tools as Array<{ function: { name: string; parameters: { properties?: object } } }>;
    assert.ok(tools.some((t) => t.function.name === "salute" && t.function.parameters.properties), "the action's zod schema is the tool's parameters");
    await player.leave();
  });
});
