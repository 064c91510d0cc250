/** The demo page: joins the session named in the URL, then wires the room to the scene and the chat box. */
import Phaser from "phaser";
import type { Room } from "@colyseus/sdk";
import {
  chatMessage, DEFAULT_CHAT_MAX_CHARS,
  type AiEndMessage, type AiStatus, type ErrorMessage, type GameEventMessage, type ServerMessages,
} from "../../src/protocol/messages.ts";
import type { AiCharacterState } from "../../src/state/room-state.ts";
import { ReplyStream } from "./reply-stream.ts";
import { DemoScene, HEIGHT, WIDTH } from "./scene.ts";
import { joinSession } from "./session.ts";

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const input = el<HTMLInputElement>("chat");
const stopButton = el<HTMLButtonElement>("stop");
const logList = el<HTMLUListElement>("log");
const linkField = el<HTMLInputElement>("link");
const connection = el<HTMLSpanElement>("connection");

const ChatMessage = chatMessage(DEFAULT_CHAT_MAX_CHARS);
const END_NOTES: Record<AiEndMessage["reason"], string> = {
  complete: "", stopped: "(stopped)", moderated: "", error: "(the model failed: reply cut short)", shutdown: "(the server is restarting)",
};
const STATUS_LINES: Record<AiStatus, string> = {
  thinking: "thinking…", searching_memory: "searching memory…", streaming: "speaking…", queued: "queued", idle: "",
};

function log(kind: "you" | "event" | "error" | "info", text: string) {
  const item = document.createElement("li");
  item.className = kind;
  item.textContent = text;
  logList.prepend(item);
}

const replies = new ReplyStream();
let status: AiStatus = "idle";
let inspected = "";
const received = {
  ends: [] as AiEndMessage[],
  events: [] as GameEventMessage[],
  errors: [] as ErrorMessage[],
  /** Every chunk as it arrived, to check there was no gap and no repeat. */
  chunks: [] as Array<{ reply_id: string; seq: number; afterReconnect: boolean }>,
  reconnects: 0,
  resumes: [] as Array<{ reply_id: string; last_seq: number }>,
};

function queueLine(room: Room<AiCharacterState>): string {
  const queue = room.state.queue ?? [];
  if (queue.length === 0) return STATUS_LINES[status];
  const who = [...queue].map((q) => q.user_id).join(", ");
  return `${STATUS_LINES[status] || "busy"} · queue: ${queue.length} waiting (${who})`;
}

function listen(room: Room<AiCharacterState>) {
  const on = <K extends keyof ServerMessages>(type: K, handler: (m: ServerMessages[K]) => void) => room.onMessage(type, handler);
  on("ai_status", (m) => {
    status = m.status;
    if (m.reply_id && m.status === "thinking") replies.begin(m.reply_id);
    stopButton.disabled = !["thinking", "searching_memory", "streaming"].includes(m.status);
  });
  on("ai_chunk", (m) => {
    received.chunks.push({ reply_id: m.reply_id, seq: m.seq, afterReconnect: received.reconnects > 0 });
    replies.chunk(m);
  });
  on("ai_end", (m) => {
    replies.end(m);
    received.ends.push(m);
  });
  on("ai_retract", (m) => {
    replies.retract(m);
    log("info", "The character's reply was withdrawn: it broke the content rules.");
  });
  on("game_event", (m) => {
    received.events.push(m);
    const p = m.payload;
    const stats = Object.entries(p).filter(([k]) => k !== "name").map(([k, v]) => `${k} ${String(v)}`).join(", ");
    inspected = `${String(p.name ?? m.event_type)}\n${stats}`;
    log("event", `${m.event_type}: ${JSON.stringify(p)}`);
  });
  on("error", (m) => {
    received.errors.push(m);
    log("error", `${m.code}: ${m.message}`);
  });
  room.onDrop(() => {
    connection.textContent = "reconnecting…";
    log("info", "Connection lost: reconnecting…");
  });
  room.onReconnect(() => {
    received.reconnects++;
    connection.textContent = "connected";
    const point = replies.resumePoint();
    // Ask for what was missed; the server holds live messages for us until then, so nothing doubles.
    if (point) {
      received.resumes.push(point);
      room.send("resume", point);
    }
    log("info", point ? `Reconnected: resuming after chunk ${point.last_seq}.` : "Reconnected.");
  });
  room.onLeave((code) => {
    connection.textContent = "disconnected";
    log("error", `Left the room (code ${code}). Reload the page to join again.`);
  });
  room.onError((code, message) => {
    if (room.reconnection.isReconnecting) log("info", "Reconnect attempt failed: trying again…");
    else log("error", `Connection error${code ? ` ${code}` : ""}${message ? `: ${message}` : ""}`);
  });
}

function bubble() {
  const view = replies.current;
  if (!view) return { view, note: "" };
  if (view.retracted) return { view, note: "(withdrawn: it broke the content rules)" };
  return { view, note: view.end ? END_NOTES[view.end.reason] : "" };
}

function wireChat(room: Room<AiCharacterState>) {
  input.addEventListener("keydown", (e) => {
    // Enter that confirms an IME candidate (Chinese, Japanese...) is not a send.
    if (e.key !== "Enter" || e.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    const parsed = ChatMessage.safeParse({ content: input.value, timestamp: Date.now() });
    if (!parsed.success) {
      log("error", `Not sent: ${parsed.error.issues[0]?.message ?? "invalid message"}`);
      return;
    }
    room.send("chat", parsed.data);
    log("you", `you: ${parsed.data.content}`);
    input.value = "";
  });
  stopButton.addEventListener("click", () => room.send("stop", {}));
}

async function start() {
  connection.textContent = "joining…";
  const session = await joinSession();
  const { room } = session;
  listen(room);
  wireChat(room);
  linkField.value = session.link;
  connection.textContent = "connected";
  log("info", `You are ${session.userId}. Open the session link in another tab to join this conversation.`);

  const scene = new DemoScene({
    room,
    bubble,
    statusLine: () => queueLine(room),
    inspected: () => inspected,
    inspect: (itemId) => room.send("action", { action_id: "inspect_item", target_id: itemId }),
  });
  new Phaser.Game({
    type: Phaser.AUTO, width: WIDTH, height: HEIGHT, parent: "game", backgroundColor: "#2b3a4a", scene: [scene],
  });
  input.focus();

  // Test hooks: read what the page shows; the tests act through the page itself.
  Object.assign(window, {
    parleyDemo: {
      ...received,
      get reconnects() { return received.reconnects; },
      userId: session.userId,
      sessionId: room.sessionId,
      link: session.link,
      status: () => status,
      bubbleText: () => scene.bubbleText(),
      bubbleNote: () => bubble().note,
      currentReply: () => replies.current && { ...replies.current },
      lastEnd: () => received.ends.at(-1),
      duplicates: () => replies.duplicates,
      repairs: () => replies.repairs,
      itemPoint: (id: string) => scene.itemPoint(id),
      avatars: () => scene.avatarNames(),
      ready: () => scene.sys.isActive() && scene.avatarNames().length > 0,
    },
  });
}

start().catch((err: unknown) => {
  connection.textContent = "not connected";
  log("error", `Could not join: ${err instanceof Error ? err.message : String(err)}`);
  console.error(err);
});
