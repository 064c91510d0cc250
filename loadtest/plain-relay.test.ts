/**
 * The bench's baseline must be a working server, or its ratios mean nothing: through the SDK, a
 * chat to the plain relay streams the simulated model's reply in `seq` order and ends with the
 * whole text, and a bad token is refused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { TestPlayer } from "../src/testing/test-player.ts";
import { botTokenSigner } from "./bot-token.ts";
import { freePorts, spawnTs, stopChild, tailStderr, waitForHttp } from "./child-processes.ts";
import { startSimOpenAI } from "./sim-openai/server.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const AUTH_SECRET = "plain-relay-test-secret-plain-relay-test";

test("the plain relay streams the model's reply to a player in seq order and refuses a bad token", async () => {
  const sim = await startSimOpenAI({ firstTokenMs: 0, tokensPerSecond: 0, replyTokens: 12, log: "silent" });
  const [port] = await freePorts(1);
  const relay = spawnTs("loadtest/plain-relay.ts", [], { PORT: String(port), AUTH_SECRET, OPENAI_BASE_URL: sim.url }, root);
  const stderr = tailStderr(relay);
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 20_000, relay).catch((err: Error) => { throw new Error(`${err.message}\n${stderr()}`); });
    const url = `ws://127.0.0.1:${port}`;
    const player = await TestPlayer.join(url, await botTokenSigner(AUTH_SECRET)("alice"), { character_id: 1, session_id: "relay-test" });
    player.send("chat", { content: "Hello there?" });
    const end = await player.waitFor("ai_end", () => true, 10_000);
    const chunks = player.of("ai_chunk").filter((c) => c.reply_id === end.reply_id);
    assert.ok(chunks.length >= 3, `streamed in pieces: ${chunks.length}`);
    assert.deepEqual(chunks.map((c) => c.seq), chunks.map((_, i) => i + 1));
    assert.equal(chunks.map((c) => c.content).join(""), end.full_content);
    await player.leave();
    await assert.rejects(TestPlayer.join(url, await botTokenSigner("another-secret-another-secret-another")("mallory"), { character_id: 1, session_id: "relay-test" }),
      /invalid or expired token/);
  } finally {
    await stopChild(relay);
    await sim.close();
  }
});
