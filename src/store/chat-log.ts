/** One turn of a conversation, with the fields of the `chat_logs` collection/table. */
export type ChatRole = "user" | "ai" | "system";

export interface ChatLogRecord {
  /** Idempotency key: writing the same id twice stores it once. */
  id: string;
  session_id: string;
  /** The player's id (the JWT `sub`); empty for turns that belong to no player. */
  user_id: string;
  character_id: string;
  role: ChatRole;
  content: string;
  /** Set for game actions (`inspect_item`, ...); null for chat. */
  action_type: string | null;
  created_at: Date;
  /** Token usage, model, reply id, end reason, time to first token, moderation flags. */
  metadata: Record<string, unknown> | null;
}

export interface ChatLogStore {
  /** Stores the records; a record whose id is already stored is skipped. */
  append(records: readonly ChatLogRecord[]): Promise<void>;
  /** The latest `limit` records of a session, oldest first. */
  recent(sessionId: string, limit: number): Promise<ChatLogRecord[]>;
  /** Resolves when the database answers; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
