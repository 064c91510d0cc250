/** Who this tab is and which conversation it joins, all from the page's own URL and server. */
import { Client, type Room } from "@colyseus/sdk";
import { ROOM_NAME, type JoinOptions } from "../../src/protocol/messages.ts";
import type { AiCharacterState } from "../../src/state/room-state.ts";

export interface DemoSession {
  room: Room<AiCharacterState>;
  userId: string;
  /** The link that opens this same conversation in another tab or browser. */
  link: string;
}

const USER_KEY = "parley-demo-user";

/** The session id from `?session_id=`, or a new one written into the address bar so it can be shared. */
function sessionIdFromUrl(url: URL): string {
  const given = url.searchParams.get("session_id");
  if (given) return given;
  const created = `demo-${crypto.randomUUID().slice(0, 8)}`;
  url.searchParams.set("session_id", created);
  history.replaceState(null, "", url);
  return created;
}

/** One user per tab (kept across reloads of that tab), so two tabs are two players. */
function userIdOfTab(): string {
  const kept = sessionStorage.getItem(USER_KEY);
  if (kept) return kept;
  const created = `player-${crypto.randomUUID().slice(0, 4)}`;
  sessionStorage.setItem(USER_KEY, created);
  return created;
}

async function devToken(userId: string): Promise<string> {
  const res = await fetch("/auth/dev-token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user_id: userId }),
  });
  if (!res.ok) {
    throw new Error(`POST /auth/dev-token answered ${res.status}: the dev-token route is off (it is in production)`);
  }
  const body = (await res.json()) as { token: string };
  return body.token;
}

export async function joinSession(): Promise<DemoSession> {
  const url = new URL(location.href);
  const options: JoinOptions = {
    character_id: url.searchParams.get("character_id") ?? "1",
    session_id: sessionIdFromUrl(url),
  };
  const userId = userIdOfTab();
  const client = new Client(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}`);
  client.auth.token = await devToken(userId);
  const room = await client.joinOrCreate<AiCharacterState>(ROOM_NAME, options);
  // Reconnect even right after joining: the default waits 5 s of uptime, longer than a demo's patience.
  room.reconnection.minUptime = 500;
  return { room, userId, link: location.href };
}
