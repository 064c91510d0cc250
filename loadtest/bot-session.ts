/**
 * One bot player: joins a Parley session through an SDK Client, chats on a timer if it is the
 * session's speaker, and reports what it sees through a ReplyTracker. Used by the
 * `@colyseus/loadtest` bot and by the headless driver of the benchmark alike.
 */
import type { Client, Room } from "@colyseus/sdk";
import { ROOM_NAME } from "../src/protocol/messages.ts";
import type {
  AiChunkMessage, AiEndMessage, AiStatusMessage, ErrorMessage, JoinOptions,
} from "../src/protocol/messages.ts";
import type { SampleSink } from "./bot-samples.ts";
import { ReplyTracker, systemClock, type TrackerClock } from "./reply-tracker.ts";

export interface BotPlayerOptions {
  /** An SDK client whose `auth.token` is already set. */
  client: Client;
  joinOptions: JoinOptions;
  /** Label written with every sample of this player. */
  label: string;
  /** The speaker chats; other players of the session only listen. */
  speaker: boolean;
  chatEveryMs: number;
  /** Wait before the first chat, so many bots do not chat in step. */
  firstChatDelayMs: number;
  sink: SampleSink;
  clock?: TrackerClock;
}

export interface BotPlayer {
  readonly room: Room;
  /** Starts the chat timer (speakers only); a player joins first, so a session's listeners are in before it talks. */
  startChatting(): void;
  /** Stops chatting and leaves the room. */
  stop(): Promise<void>;
}

const QUESTIONS = [
  "What brings you to the harbour today?",
  "Tell me about the old lighthouse.",
  "Have you heard any news from the capital?",
  "What would you trade for a map of the coast?",
  "Who was the last traveller you met?",
];

export async function joinBotPlayer(options: BotPlayerOptions): Promise<BotPlayer> {
  const { client, label, speaker, sink } = options;
  const clock = options.clock ?? systemClock;
  const joinStart = clock.now();
  let room: Room;
  try {
    room = await client.joinOrCreate(ROOM_NAME, options.joinOptions);
  } catch (err) {
    sink({ kind: "join_failed", at: clock.wallNow(), session: label, message: err instanceof Error ? err.message : String(err) });
    throw err;
  }
  sink({ kind: "join", at: clock.wallNow(), session: label, ms: Math.round((clock.now() - joinStart) * 100) / 100 });

  const tracker = new ReplyTracker({ session: label, speaker, sink, clock });
  room.onMessage("ai_status", (m: AiStatusMessage) => tracker.onStatus(m));
  room.onMessage("ai_chunk", (m: AiChunkMessage) => tracker.onChunk(m));
  room.onMessage("ai_end", (m: AiEndMessage) => tracker.onEnd(m));
  room.onMessage("error", (m: ErrorMessage) => tracker.onError(m));
  // Other messages (game events, state) need a handler or the SDK warns for each one.
  room.onMessage("*", () => {});

  let leaving = false;
  const disconnected = (code: number, reason?: string) => {
    if (!leaving) sink({ kind: "disconnect", at: clock.wallNow(), session: label, code, reason: reason ?? "" });
  };
  room.onDrop(disconnected);
  room.onLeave(disconnected);
  room.onError((code, message) => {
    sink({ kind: "error", at: clock.wallNow(), session: label, code: `room/${code}`, message: message ?? "" });
  });

  let timer: NodeJS.Timeout | undefined;
  let chats = 0;
  const chat = () => {
    if (leaving) return;
    tracker.chatSent();
    room.send("chat", { content: `${QUESTIONS[chats % QUESTIONS.length]} (${label} #${chats})` });
    chats += 1;
  };

  return {
    room,
    startChatting() {
      if (!speaker || timer) return;
      timer = setTimeout(() => {
        chat();
        timer = setInterval(chat, options.chatEveryMs);
      }, options.firstChatDelayMs);
    },
    async stop() {
      leaving = true;
      clearTimeout(timer);
      clearInterval(timer);
      await room.leave(true).catch(() => undefined);
    },
  };
}
