import type { ChatLogRecord, ChatLogStore } from "./chat-log.ts";
import { processChatLogSeq } from "./chat-log-seq.ts";
import type { ChatLogSeq } from "./chat-log-seq.ts";
import type { SqlClient } from "./sql.ts";

const COLUMNS = [
  "id", "session_id", "user_id", "character_id", "role", "content", "action_type", "created_at", "metadata", "seq",
] as const;
const CASTS = ["text", "text", "text", "text", "text", "text", "text", "timestamptz", "jsonb", "bigint"] as const;
/** Keeps one statement far below PostgreSQL's 65,535 bind parameters. */
const ROWS_PER_STATEMENT = 1_000;

const MIGRATION = [
  `CREATE TABLE IF NOT EXISTS chat_logs (
    id text PRIMARY KEY,
    session_id text NOT NULL,
    user_id text NOT NULL,
    character_id text NOT NULL,
    role text NOT NULL CHECK (role IN ('user', 'ai', 'system')),
    content text NOT NULL,
    action_type text NULL,
    created_at timestamptz NOT NULL,
    metadata jsonb NULL,
    seq bigint NOT NULL
  )`,
  // Serves "the newest turns of a session" (see chat-log-seq.ts for why seq, not created_at).
  `CREATE INDEX IF NOT EXISTS chat_logs_session_seq ON chat_logs (session_id, seq)`,
  `CREATE INDEX IF NOT EXISTS chat_logs_user_character_created ON chat_logs (user_id, character_id, created_at DESC)`,
];

/** A row as the driver returns it: PGlite and pg may give `created_at` as text. */
type ChatLogRow = Omit<ChatLogRecord, "created_at"> & { created_at: Date | string };

export interface PgChatLogStoreOptions {
  seq?: ChatLogSeq;
}

/**
 * Chat logs in PostgreSQL, through any SqlClient (a `pg.Pool`, or PGlite when embedded).
 * The client is shared with other stores, so `close` leaves it open for its owner to end.
 */
export class PgChatLogStore implements ChatLogStore {
  private readonly sql: SqlClient;
  private readonly seq: ChatLogSeq;

  constructor(sql: SqlClient, options: PgChatLogStoreOptions = {}) {
    this.sql = sql;
    this.seq = options.seq ?? processChatLogSeq;
  }

  async migrate(): Promise<void> {
    for (const statement of MIGRATION) await this.sql.query(statement);
  }

  async append(records: readonly ChatLogRecord[]): Promise<void> {
    for (let start = 0; start < records.length; start += ROWS_PER_STATEMENT) {
      const chunk = records.slice(start, start + ROWS_PER_STATEMENT);
      const params: unknown[] = [];
      const rows = chunk.map((r) => {
        const values = [
          r.id, r.session_id, r.user_id, r.character_id, r.role, r.content, r.action_type,
          r.created_at.toISOString(),
          r.metadata === null ? null : JSON.stringify(r.metadata),
          String(this.seq.next(r.created_at)),
        ];
        const placeholders = values.map((v, i) => `$${params.push(v)}::${CASTS[i]}`);
        return `(${placeholders.join(", ")})`;
      });
      try {
        await this.sql.query(
          `INSERT INTO chat_logs (${COLUMNS.join(", ")}) VALUES ${rows.join(", ")} ON CONFLICT (id) DO NOTHING`,
          params,
        );
      } catch (err) {
        throw new Error(`chat_logs: inserting ${chunk.length} records failed: ${messageOf(err)}`, { cause: err });
      }
    }
  }

  async recent(sessionId: string, limit: number): Promise<ChatLogRecord[]> {
    if (limit <= 0) return [];
    try {
      const { rows } = await this.sql.query<ChatLogRow>(
        `SELECT id, session_id, user_id, character_id, role, content, action_type, created_at, metadata
           FROM chat_logs WHERE session_id = $1 ORDER BY seq DESC LIMIT $2`,
        [sessionId, limit],
      );
      return rows.reverse().map(fromRow);
    } catch (err) {
      throw new Error(`chat_logs: reading session ${sessionId} failed: ${messageOf(err)}`, { cause: err });
    }
  }

  async ping(): Promise<void> {
    await this.sql.query("SELECT 1");
  }

  async close(): Promise<void> {}
}

function fromRow({ created_at, ...fields }: ChatLogRow): ChatLogRecord {
  return { ...fields, created_at: created_at instanceof Date ? created_at : new Date(created_at) };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
