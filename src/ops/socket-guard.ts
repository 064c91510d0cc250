/**
 * Guards every WebSocket at the transport, below Colyseus, from the moment it is accepted:
 *
 * - It counts every frame the client sends (room messages, protocol frames such as Colyseus
 *   pings and join acknowledgements, WebSocket pings and pongs, frames before the join and
 *   frames of unknown kinds), so no kind of frame escapes the flood limit.
 * - A listener that throws while handling one socket's event (a frame Colyseus cannot decode,
 *   say) closes that socket with an error instead of ending the process and every room on it.
 */
import { CloseCode } from "@colyseus/core";
import type { WebSocket, WebSocketServer } from "ws";
import { TokenBucket } from "../limits/token-bucket.ts";

export interface SocketGuardOptions {
  /** Frames a second a client may send, also its burst; past it the socket is closed. */
  framesPerSecond: number;
  /** A client sent frames past the limit and was disconnected. */
  onFlood(remoteAddress: string | undefined): void;
  /** A listener threw while handling a socket's event; the socket was closed. */
  onListenerError(err: unknown, event: string): void;
}

/** After the close frame, how long a flooding client gets before its socket is destroyed. */
const CLOSE_GRACE_MS = 1000;

const FRAME_EVENTS = new Set(["message", "ping", "pong"]);

export function guardSockets(wss: WebSocketServer, options: SocketGuardOptions): void {
  wss.on("connection", (ws: WebSocket, req: { socket?: { remoteAddress?: string } }) => {
    const frames = new TokenBucket(options.framesPerSecond, options.framesPerSecond);
    let cut = false;
    const closeWithError = () => {
      if (cut) return;
      cut = true;
      // Later frames of a cut socket are not handed to Colyseus at all.
      ws.removeAllListeners("message");
      try {
        ws.close(CloseCode.WITH_ERROR);
      } catch {
        // Already closing.
      }
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    };
    const emit = ws.emit.bind(ws);
    ws.emit = (event: string | symbol, ...args: unknown[]): boolean => {
      if (typeof event === "string" && FRAME_EVENTS.has(event)) {
        if (cut) return false;
        if (!frames.take()) {
          options.onFlood(req.socket?.remoteAddress);
          closeWithError();
          return false;
        }
      }
      try {
        return emit(event, ...args);
      } catch (err) {
        options.onListenerError(err, String(event));
        closeWithError();
        return false;
      }
    };
  });
}
