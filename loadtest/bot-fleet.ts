/**
 * Many bot sessions in one process: joins spread over a period, one speaker per session and
 * `playersPerSession - 1` listeners, each with its own SDK Client (its own WebSocket).
 */
import { Client } from "@colyseus/sdk";
import type { SampleSink } from "./bot-samples.ts";
import { joinBotPlayer, type BotPlayer } from "./bot-session.ts";

export interface FleetOptions {
  /** Parley WebSocket endpoints; session n starts its matchmaking at endpoints[n % length]. */
  endpoints: readonly string[];
  /** Global index of this fleet's first session, so several fleets name their sessions apart. */
  firstSession: number;
  sessions: number;
  playersPerSession: number;
  /** Names sessions and users apart from other runs against the same server. */
  runId: string;
  characterId: number;
  chatEveryMs: number;
  /** Joins are spread evenly over this period. */
  joinSpreadMs: number;
  sign(userId: string): Promise<string>;
  sink: SampleSink;
  random?: () => number;
}

export interface FleetStats { playersJoined: number; playersFailed: number; playersPending: number; sessionsJoined: number }

export interface Fleet {
  /** Resolves when every session has tried to join. */
  readonly joined: Promise<void>;
  /** `playersPending`: joins begun that have neither succeeded nor failed yet. */
  readonly stats: FleetStats;
  /** Stops all chatting and leaves every room. */
  stop(): Promise<void>;
}

export function startFleet(options: FleetOptions): Fleet {
  const random = options.random ?? Math.random;
  const players: BotPlayer[] = [];
  const stats: FleetStats = { playersJoined: 0, playersFailed: 0, playersPending: 0, sessionsJoined: 0 };
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;

  const joinPlayer = async (session: number, player: number): Promise<BotPlayer | null> => {
    const label = `s${session}p${player}`;
    const userId = `bot-${options.runId}-${label}`;
    const client = new Client(options.endpoints[session % options.endpoints.length]!);
    client.auth.token = await options.sign(userId);
    stats.playersPending += 1;
    try {
      const bot = await joinBotPlayer({
        client,
        joinOptions: { character_id: options.characterId, session_id: `bench-${options.runId}-s${session}` },
        label,
        speaker: player === 0,
        chatEveryMs: options.chatEveryMs,
        firstChatDelayMs: random() * options.chatEveryMs,
        sink: options.sink,
      });
      stats.playersPending -= 1;
      stats.playersJoined += 1;
      if (stopped) {
        await bot.stop();
        return null;
      }
      players.push(bot);
      return bot;
    } catch {
      stats.playersPending -= 1;
      stats.playersFailed += 1;
      return null;
    }
  };

  const joinSession = async (session: number): Promise<void> => {
    // The speaker creates the room; the listeners join it before the first chat.
    const speaker = await joinPlayer(session, 0);
    if (!speaker) return;
    stats.sessionsJoined += 1;
    const listeners = Array.from({ length: options.playersPerSession - 1 }, (_, i) => joinPlayer(session, i + 1));
    await Promise.all(listeners);
    if (!stopped) speaker.startChatting();
  };

  const joins: Promise<void>[] = [];
  const step = options.sessions > 0 ? options.joinSpreadMs / options.sessions : 0;
  for (let i = 0; i < options.sessions; i++) {
    joins.push(new Promise<void>((resolve) => {
      timers.push(setTimeout(() => { void joinSession(options.firstSession + i).then(resolve); }, i * step));
    }));
  }
  const joined = Promise.all(joins).then(() => undefined);

  return {
    joined,
    stats,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await Promise.all(players.splice(0).map((p) => p.stop()));
    },
  };
}
