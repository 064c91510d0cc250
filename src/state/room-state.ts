/** What every client of a character room sees in sync: only what a late joiner must know. */
import { schema, t, type SchemaType } from "@colyseus/schema";

export const PlayerState = schema({
  user_id: t.string(),
  joined_at: t.number(),
}, "PlayerState");
export type PlayerState = SchemaType<typeof PlayerState>;

export const ItemState = schema({
  id: t.string(),
  name: t.string(),
  description: t.string(),
  /** The user id of the player the character gave it to; empty while the character holds it. */
  owner: t.string().default(""),
}, "ItemState");
export type ItemState = SchemaType<typeof ItemState>;

export const CharacterState = schema({
  id: t.string(),
  name: t.string(),
  /** One of the `ai_status` values: idle, thinking, searching_memory, streaming, queued. */
  status: t.string().default("idle"),
  /** One of the moods of the character's file; changes when the character uses `set_mood`. */
  mood: t.string(),
  /** The reply streaming now, so a late joiner can follow it; empty when idle. */
  reply_id: t.string().default(""),
}, "CharacterState");
export type CharacterState = SchemaType<typeof CharacterState>;

/** A chat waiting for the character to finish its current reply. */
export const QueuedChatState = schema({
  reply_id: t.string(),
  user_id: t.string(),
}, "QueuedChatState");
export type QueuedChatState = SchemaType<typeof QueuedChatState>;

export const AiCharacterState = schema({
  session_id: t.string(),
  character: CharacterState,
  /** Keyed by the Colyseus session id of each connection. */
  players: t.map(PlayerState),
  /** Keyed by item id. */
  items: t.map(ItemState),
  queue: t.array(QueuedChatState),
}, "AiCharacterState");
export type AiCharacterState = SchemaType<typeof AiCharacterState>;
