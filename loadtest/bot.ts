/**
 * Bot script for `@colyseus/loadtest`. Each loadtest client is one player; every
 * PARLEY_BOT_PLAYERS_PER_SESSION consecutive clients share a session, the first of them chats.
 *
 *   AUTH_SECRET=... PARLEY_BOT_OUT=.bench/bots.jsonl \
 *     node loadtest/bot.ts --room ai_character --numClients 100 --endpoint ws://127.0.0.1:2567
 *
 * The loadtest tool counts connections; the latency and ordering samples are this bot's, written
 * as JSON lines to PARLEY_BOT_OUT. Settings come from the environment because the tool owns argv.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { cli, type Options } from "@colyseus/loadtest";
import { Client } from "@colyseus/sdk";
import type { BotSample } from "./bot-samples.ts";
import { joinBotPlayer } from "./bot-session.ts";
import { botTokenSigner } from "./bot-token.ts";
import { openJsonlWriter } from "./jsonl-writer.ts";

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return n;
}

const authSecret = process.env.AUTH_SECRET;
if (!authSecret) throw new Error("AUTH_SECRET must be the secret the Parley server was started with");
const out = process.env.PARLEY_BOT_OUT ?? `.bench/loadtest-bot-${process.pid}.jsonl`;
const chatEveryMs = positiveInt("PARLEY_BOT_CHAT_EVERY_MS", 5000);
const playersPerSession = positiveInt("PARLEY_BOT_PLAYERS_PER_SESSION", 1);
const characterId = positiveInt("PARLEY_BOT_CHARACTER_ID", 1);
const runId = process.env.PARLEY_BOT_RUN_ID ?? `lt${process.pid}`;

mkdirSync(dirname(out), { recursive: true });
const writer = openJsonlWriter<BotSample>(out);
process.on("exit", () => writer.flush());
const sign = botTokenSigner(authSecret);

export async function main(options: Options): Promise<void> {
  const session = Math.floor(options.clientId / playersPerSession);
  const player = options.clientId % playersPerSession;
  const label = `s${session}p${player}`;
  const client = new Client(options.endpoint);
  client.auth.token = await sign(`bot-${runId}-${label}`);
  const bot = await joinBotPlayer({
    client,
    joinOptions: { character_id: characterId, session_id: `loadtest-${runId}-s${session}` },
    label,
    speaker: player === 0,
    chatEveryMs,
    firstChatDelayMs: Math.random() * chatEveryMs,
    sink: (sample) => writer.write(sample),
  });
  // The tool joins clients one after another, so the speaker's random first delay lets its listeners in.
  bot.startChatting();
}

cli(main);
