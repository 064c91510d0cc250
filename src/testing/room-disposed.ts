/** Waits for a room of this process to finish disposing, its onDispose included. */
import { once, type EventEmitter } from "node:events";
import { matchMaker } from "@colyseus/core";

/**
 * Call it while the room is alive (before its last player leaves). Colyseus emits the room's
 * internal "disconnect" once onDispose has resolved; nothing public marks that moment.
 */
export function roomDisposed(roomId: string): Promise<void> {
  const room = matchMaker.getLocalRoomById(roomId);
  if (!room) throw new Error(`no room ${roomId} in this process`);
  return once(room["_events"] as EventEmitter, "disconnect").then(() => undefined);
}
