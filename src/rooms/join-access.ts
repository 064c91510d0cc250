/**
 * The one ownership rule every way into a room meets. `onAuth` resolves the session a player may
 * have (session.ts); this module adds what only matchmaking knows: which room a `joinById` names,
 * and whether a `create` would open a second room for a session that already has one.
 */
import { type AuthContext, matchMaker, ServerError } from "@colyseus/core";
import { isPrivateSessionId } from "./session.ts";

/** The method and its target (room name, or room id for joinById/reconnect) of a seat request. */
export interface MatchmakeRequest { method: string; target: string }

/** Read from the HTTP path `/matchmake/:method/:target`; undefined for a join made in process. */
export function matchmakeRequest(context: AuthContext | undefined): MatchmakeRequest | undefined {
  const url = (context?.req as { url?: unknown } | undefined)?.url;
  if (typeof url !== "string") return undefined;
  const match = /\/matchmake\/([A-Za-z]+)\/([^/?#]+)/.exec(url);
  return match ? { method: match[1]!, target: decodeURIComponent(match[2]!) } : undefined;
}

/** The session a room was created for, from its listing (shared through the driver). */
async function sessionOfRoom(roomId: string): Promise<string | undefined> {
  const listing = await matchMaker.driver.findOne({ roomId });
  const value: unknown = (listing as unknown as Record<string, unknown> | undefined)?.session_id
    ?? (listing?.metadata as Record<string, unknown> | undefined)?.session_id;
  return typeof value === "string" ? value : undefined;
}

/**
 * Refuses the request that would seat a player outside the session resolved for it: a `joinById`
 * into a room of another session (its id is no key), or a `create` of a session that has a room.
 */
export async function checkJoinAccess(request: MatchmakeRequest | undefined, roomName: string, sessionId: string): Promise<void> {
  if (request?.method === "joinById") {
    const roomSession = await sessionOfRoom(request.target);
    // An unknown room is Colyseus' to refuse (it looked before calling onAuth).
    if (roomSession !== undefined && roomSession !== sessionId) throw refusal(roomSession);
  } else if (request?.method === "create") {
    const existing = await matchMaker.driver.findOne({ name: roomName, session_id: sessionId } as Parameters<typeof matchMaker.driver.findOne>[0]);
    if (existing) throw new ServerError(409, "that session already has a room; join it instead");
  }
}

/** The same refusal `onJoin` gives when a seat reached a room of another session anyway. */
export function refusal(roomSession: string): ServerError {
  return isPrivateSessionId(roomSession)
    ? new ServerError(403, "that session is private to another player")
    : new ServerError(403, "this room holds another session; join with its session_id");
}
