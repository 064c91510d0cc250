/**
 * Where a session's summary lives: beside the memories, in PostgreSQL (or the embedded one), so it
 * outlives the context window's TTL, a Redis flush and a restart.
 */
import type { SqlClient } from "../store/sql.ts";

export interface SessionSummary {
  text: string;
  /** Messages the summary covers, all told: how far behind the window it reaches. */
  covered: number;
}

export interface SessionSummaryStore {
  /** Null when the session has none (a new session, or one from before summaries). */
  load(sessionId: string): Promise<SessionSummary | null>;
  save(sessionId: string, summary: SessionSummary): Promise<void>;
}

export async function migrateSessionSummaries(sql: SqlClient): Promise<void> {
  await sql.query(`CREATE TABLE IF NOT EXISTS session_summaries (
    session_id text PRIMARY KEY,
    summary text NOT NULL,
    covered_messages integer NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`);
}

export class PgSessionSummaryStore implements SessionSummaryStore {
  readonly #sql: SqlClient;

  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  async load(sessionId: string): Promise<SessionSummary | null> {
    const { rows } = await this.#sql.query<{ summary: string; covered_messages: number }>(
      "SELECT summary, covered_messages FROM session_summaries WHERE session_id = $1", [sessionId]);
    const row = rows[0];
    return row ? { text: row.summary, covered: Number(row.covered_messages) } : null;
  }

  async save(sessionId: string, summary: SessionSummary): Promise<void> {
    await this.#sql.query(
      `INSERT INTO session_summaries (session_id, summary, covered_messages) VALUES ($1, $2, $3)
       ON CONFLICT (session_id) DO UPDATE SET summary = EXCLUDED.summary, covered_messages = EXCLUDED.covered_messages, updated_at = now()`,
      [sessionId, summary.text, summary.covered]);
  }
}

export class InMemorySessionSummaryStore implements SessionSummaryStore {
  readonly saved = new Map<string, SessionSummary>();

  async load(sessionId: string): Promise<SessionSummary | null> {
    return this.saved.get(sessionId) ?? null;
  }

  async save(sessionId: string, summary: SessionSummary): Promise<void> {
    this.saved.set(sessionId, { ...summary });
  }
}
