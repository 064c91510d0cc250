/**
 * End to end through the simulated model's embeddings endpoint: a turn's memory and the lookup
 * for the player's next chat are the same text, so that text is embedded once, not twice.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { startSimOpenAI, type SimOpenAI } from "../../loadtest/sim-openai/server.ts";
import { startTestServer, type TestServer } from "../testing/test-server.ts";
import { TestPlayer } from "../testing/test-player.ts";
import { exchangeText } from "./exchange-text.ts";

let sim: SimOpenAI;
let server: TestServer;
const embedded: string[] = [];

before(async () => {
  sim = await startSimOpenAI({ firstTokenMs: 0, tokensPerSecond: 0, replyTokens: 5, log: "silent" });
  sim.stats.on("embeddings", (body) => {
    const input = (body as { input: unknown }).input;
    embedded.push(...(Array.isArray(input) ? input.map(String) : [String(input)]));
  });
  server = await startTestServer({
    OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim", EMBEDDINGS: "openai",
    RECONNECT_SECONDS: "0", CHAT_BURST: "100", MODERATION_HOLDBACK: "false", MEMORY_TIMEOUT_MS: "2000",
  });
});

after(async () => {
  await server.close();
  await sim.close();
});

it("embeds each exchange's text once, for its memory and the next lookup together", async () => {
  const player = await TestPlayer.join(server.wsUrl, await server.tokenFor("player-once"), { character_id: 1, session_id: "embed-once" });
  const chats = [
    "[[say:Noted, Thunderhoof it is.]] My horse is named Thunderhoof",
    "[[say:A fine guard.]] I practiced the low guard every morning",
    "[[say:By the river.]] Where did we meet?",
  ];
  const exchanges: string[] = [];
  for (const content of chats) {
    const seen = new Set(player.of("ai_end").map((e) => e.reply_id));
    player.send("chat", { content });
    const end = await player.waitFor("ai_end", (e) => !seen.has(e.reply_id) && !e.reply_id.startsWith("greeting-"));
    const exchange = exchangeText(content, end.full_content);
    exchanges.push(exchange);
    // Players pause between chats: the memory and the lookup after this turn both go out.
    await sim.stats.waitFor(() => embedded.includes(exchange), 10_000);
    await new Promise((r) => setTimeout(r, 300));
  }
  await player.leave();
  const counts = new Map<string, number>();
  for (const text of embedded) counts.set(text, (counts.get(text) ?? 0) + 1);
  for (const text of exchanges) assert.equal(counts.get(text), 1, `embedded ${counts.get(text)} times: ${text}`);
  // Besides the exchanges, the start-up probe of the endpoint (embedder-choice.ts) and the lookup
  // made when the session opened (for its first chat).
  const others = embedded.filter((text) => !exchanges.includes(text));
  assert.equal(others[0], "probe", `embedded besides the exchanges: ${JSON.stringify(others)}`);
  assert.equal(others.length, 2, `embedded besides the exchanges: ${JSON.stringify(others)}`);
});
