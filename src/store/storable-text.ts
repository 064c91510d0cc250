/**
 * Text both PostgreSQL and MongoDB can store. PostgreSQL refuses U+0000 in `text` and in `jsonb`;
 * a lone UTF-16 surrogate has no UTF-8 (or BSON) encoding, and `jsonb` refuses its `\ud800` escape.
 * Each becomes U+FFFD, the character Unicode keeps for "something was here that cannot be shown".
 */
import type { ChatLogRecord } from "./chat-log.ts";

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
export const REPLACEMENT = "\uFFFD";

export function storableText(text: string): string {
  // The common case allocates nothing: most text has nothing to replace.
  UNSTORABLE.lastIndex = 0;
  if (!UNSTORABLE.test(text)) return text;
  UNSTORABLE.lastIndex = 0;
  return text.replace(UNSTORABLE, REPLACEMENT);
}

/** Every string in a JSON-like value, keys included. */
export function storableValue<T>(value: T): T {
  if (typeof value === "string") return storableText(value) as T;
  if (Array.isArray(value)) return value.map(storableValue) as T;
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[storableText(k)] = storableValue(v);
    return out as T;
  }
  return value;
}

/** The record with every string field, and every string inside its metadata, made storable. */
export function storableRecord(r: ChatLogRecord): ChatLogRecord {
  return {
    ...r,
    id: storableText(r.id),
    session_id: storableText(r.session_id),
    user_id: storableText(r.user_id),
    character_id: storableText(r.character_id),
    content: storableText(r.content),
    action_type: r.action_type === null ? null : storableText(r.action_type),
    metadata: r.metadata === null ? null : storableValue(r.metadata),
  };
}
