/**
 * A reconnection token is a bearer secret (9 random characters, sent only to its player, valid for
 * RECONNECT_SECONDS and replaced on every reconnection). Colyseus checks nothing else; this checks
 * that the WebSocket taking a held seat also carries a token of the player the seat was held for,
 * so a token that leaked (a log, a shared screen) is useless to anyone else.
 */
import { type BeforeUpgradeHandler, matchMaker } from "@colyseus/core";
import type { TokenIssuer } from "../auth/tokens.ts";
import type { AiCharacterState } from "../state/room-state.ts";

/** The room id, last segment of `/<processId>/<roomId>`, as the WebSocket transport reads it. */
const ROOM_PATH = /\/[a-zA-Z0-9_-]+\/([a-zA-Z0-9_-]+)$/;

export function reconnectionOwnerCheck(tokens: TokenIssuer): BeforeUpgradeHandler {
  return async (request, context) => {
    const url = new URL(request.url);
    const sessionId = url.searchParams.get("sessionId");
    if (!url.searchParams.get("reconnectionToken") || !sessionId) return;
    const roomId = ROOM_PATH.exec(url.pathname)?.[1];
    const room = roomId ? matchMaker.getLocalRoomById(roomId) : undefined;
    // A dropped player keeps its place in the state until it leaves for good.
    const owner = (room?.state as AiCharacterState | undefined)?.players?.get(sessionId)?.user_id;
    if (owner === undefined) return; // nothing held here: Colyseus refuses it itself
    if (await tokens.verify(context.token) !== owner) {
      return new Response("that seat is held for another player", { status: 403 });
    }
  };
}
