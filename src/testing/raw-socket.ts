/**
 * A client below the SDK, for tests that must misbehave: it reserves a seat over HTTP as the SDK
 * does, then speaks (or fails to speak) the Colyseus WebSocket protocol byte by byte.
 */
import { pack } from "msgpackr";
import { WebSocket } from "ws";

/** Colyseus protocol codes a raw client sends or waits for. */
export const PROTOCOL = { JOIN_ROOM: 10, ERROR: 11, LEAVE_ROOM: 12, ROOM_DATA: 13, PING: 18 } as const;

export interface SeatReservation {
  roomId: string;
  processId: string;
  sessionId: string;
}

export async function reserveSeat(
  httpUrl: string, token: string, options: Record<string, unknown>, method = "joinOrCreate",
): Promise<SeatReservation> {
  const res = await fetch(`${httpUrl}/matchmake/${method}/ai_character`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(options),
  });
  const body = await res.json() as SeatReservation & { error?: string };
  if (!res.ok || !body.sessionId) throw new Error(`seat refused: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

export function seatUrl(wsUrl: string, seat: SeatReservation, token: string): string {
  return `${wsUrl}/${seat.processId}/${seat.roomId}?sessionId=${seat.sessionId}&_authToken=${token}`;
}

/** A ROOM_DATA frame as the SDK encodes it: a string type, then the msgpack payload. */
export function roomDataFrame(type: string, payload?: unknown): Buffer {
  const name = Buffer.from(type, "utf8");
  if (name.length > 31) throw new Error("roomDataFrame: types up to 31 bytes");
  const head = Buffer.from([PROTOCOL.ROOM_DATA, 0xa0 | name.length]);
  return Buffer.concat([head, name, payload === undefined ? Buffer.alloc(0) : pack(payload)]);
}

/** Frames received by each socket that openSocket opened, from the first: one may come with the open. */
const received = new WeakMap<WebSocket, Buffer[]>();

/** Opens a socket and resolves once it is open (or rejects when it cannot open). */
export function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const frames: Buffer[] = [];
    received.set(ws, frames);
    ws.on("message", (data: Buffer) => frames.push(data));
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

/** Resolves with the first frame (received or to come) whose first byte is `code`. */
export async function nextFrame(ws: WebSocket, code: number, timeoutMs = 5000): Promise<Buffer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = received.get(ws)?.find((f) => f[0] === code);
    if (found) return found;
    if (Date.now() > deadline || ws.readyState === WebSocket.CLOSED) throw new Error(`no frame ${code} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves with the close code once the socket is closed. */
export function closed(ws: WebSocket): Promise<number> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve(1006);
  return new Promise((resolve) => ws.once("close", (code: number) => resolve(code)));
}
