/** Which conversation a join belongs to: pure, so the rules are tested without a server. */
import type { CharacterCatalog } from "../characters/catalog.ts";
import { JoinOptions } from "../protocol/messages.ts";
import { describeIssues } from "./describe-issues.ts";

/** What a verified player carries on `client.auth`. */
export interface SessionAuth {
  user_id: string;
}

const PRIVATE_PREFIX = "private:";

export type ResolvedSession =
  | { ok: true; character_id: string; session_id: string }
  | { ok: false; status: 400 | 403 | 404; message: string };

/**
 * A shared session is named by the client; a private one is derived from the player and the
 * character, so the same player finds the same conversation again after the room is gone.
 */
export function resolveSession(userId: string, options: unknown, catalog: CharacterCatalog): ResolvedSession {
  const parsed = JoinOptions.safeParse(options ?? {});
  if (!parsed.success) return { ok: false, status: 400, message: `invalid join options: ${describeIssues(parsed.error)}` };
  const character = catalog.get(parsed.data.character_id);
  if (!character) return { ok: false, status: 404, message: `unknown character "${parsed.data.character_id}"` };
  const own = privateSessionId(userId, character.id);
  const session_id = parsed.data.session_id ?? own;
  if (isPrivateSessionId(session_id) && session_id !== own) {
    return { ok: false, status: 403, message: "that session is private to another player" };
  }
  return { ok: true, character_id: character.id, session_id };
}

export function isPrivateSessionId(sessionId: string): boolean {
  return sessionId.startsWith(PRIVATE_PREFIX);
}

export function privateSessionId(userId: string, characterId: string): string {
  return `${PRIVATE_PREFIX}${encodeURIComponent(userId)}:${encodeURIComponent(characterId)}`;
}
