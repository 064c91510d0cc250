/**
 * Parley's own share of the first-token budget: with the simulated model answering at once
 * (first-token time 0), the time from `chat` sent to the first `ai_chunk` received is Parley
 * (plus two loopback hops and the HTTP request to the model). Run: npm run bench:first-chunk
 */
import { parseArgs } from "node:util";
import { startSimOpenAI } from "./sim-openai/server.ts";
import { startTestServer } from "../src/testing/test-server.ts";
import { TestPlayer } from "../src/testing/test-player.ts";
import { percentiles } from "./stats.ts";

const { values } = parseArgs({
  options: {
    chats: { type: "string", default: "300" },
    warmup: { type: "string", default: "30" },
    env: { type: "string", multiple: true, default: [] },
  },
});
const chats = Number(values.chats);
const warmup = Number(values.warmup);
const extraEnv = Object.fromEntries(values.env.map((kv) => kv.split("=", 2) as [string, string]));

const sim = await startSimOpenAI({ firstTokenMs: 0, tokensPerSecond: 0, replyTokens: 4, log: "silent" });
// One player chatting back to back: lift the per-player rate limit that protects real rooms.
const server = await startTestServer({
  OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim", OPENAI_MODEL: "parley-sim", CHAT_BURST: "100000", CHAT_PER_SECOND: "100000", FLOOD_MESSAGES_PER_SECOND: "100000", ...extraEnv,
});
const player = await TestPlayer.join(server.wsUrl, await server.tokenFor("bench"), { character_id: 1, session_id: `bench-${process.pid}` });

// The greeting comes first; measure only replies to chats.
await player.waitFor("ai_end", (e) => e.reply_id.startsWith("greeting-"));
let onFirstChunk: (at: number) => void = () => {};
let onEnd: () => void = () => {};
player.room.onMessage("ai_chunk", (c: { seq: number }) => { if (c.seq === 1) onFirstChunk(performance.now()); });
player.room.onMessage("ai_end", () => onEnd());

const samples: number[] = [];
for (let i = 0; i < warmup + chats; i++) {
  const firstChunk = new Promise<number>((resolve) => { onFirstChunk = resolve; });
  const ended = new Promise<void>((resolve) => { onEnd = resolve; });
  const sentAt = performance.now();
  player.send("chat", { content: `Question number ${i}?` });
  const at = await firstChunk;
  await ended;
  if (i >= warmup) samples.push(at - sentAt);
}

const p = percentiles(samples, [50, 95, 99]);
console.log(`chat -> first ai_chunk, model first-token time 0 ms, ${chats} chats (after ${warmup} warm-up), one player`);
console.log(`p50 ${p[50]!.toFixed(2)} ms   p95 ${p[95]!.toFixed(2)} ms   p99 ${p[99]!.toFixed(2)} ms   max ${Math.max(...samples).toFixed(2)} ms`);

await player.leave();
await server.close();
await sim.close();
process.exit(0);
