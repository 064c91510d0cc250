import { randomUUID } from "node:crypto";
import type { SqlClient } from "../store/sql.ts";
import type { Embedder, LongTermMemory, MemoryEntry, MemoryQuery, RecalledMemory } from "./long-term-memory.ts";
import { memoryTableName } from "./pg-memory-schema.ts";
import { vectorParams, type VectorEncoding } from "./pgvector-params.ts";
import { RANKING, clamp01, overfetchCount, rankMemories } from "./rank-memories.ts";
import type { RankingTunables } from "./rank-memories.ts";

export interface PgLongTermMemoryOptions {
  /** A `pg.Pool` or an embedded PostgreSQL; it stays the caller's to close. */
  sql: SqlClient;
  embedder: Embedder;
  /** `table` or `schema.table`, created by `migrateLongTermMemory`. Default `memories`. */
  table?: string;
  ranking?: RankingTunables;
  now?: () => Date;
  newId?: () => string;
  /**
   * Rows per INSERT statement. Many suit a server; the embedded database runs one statement at a
   * time and spends milliseconds per row on the vector index, so there one row per statement lets
   * a memory lookup slip in between rows instead of waiting for the whole batch.
   */
  rowsPerInsert?: number;
  /** `binary` for a `pg.Pool` (see pgvector-params.ts); `text`, the default, for any client. */
  vectorEncoding?: VectorEncoding;
}

type CandidateRow = MemoryEntry & { id: string; distance: number | null };

// Rows per INSERT: 8 parameters each stays far below PostgreSQL's 65535-parameter limit.
const INSERT_BATCH = 1000;
// Lookups per statement: 3 parameters each, likewise.
const LOOKUPS_PER_STATEMENT = 1000;

/**
 * Long-term memory in PostgreSQL with pgvector. Recall fetches the nearest memories of
 * that player and character by cosine distance, more than asked for, and ranks them by
 * relevance, importance and recency (see `rank-memories.ts`).
 *
 * The planner filters by the (user_id, character_id) index and sorts that player's memories by
 * exact distance. Where an HNSW graph exists (`MEMORY_VECTOR_INDEX=hnsw`) and the planner picks
 * it, the filtered result can come back short; pgvector >= 0.8 avoids that when connections run
 * with `hnsw.iterative_scan = relaxed_order` (relaxed order is enough: recall re-ranks anyway).
 */
export class PgLongTermMemory implements LongTermMemory {
  private readonly sql: SqlClient;
  private readonly embedder: Embedder;
  private readonly table: string;
  private readonly ranking: RankingTunables;
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly rowsPerInsert: number;
  private readonly vectorParam: (vector: readonly number[]) => string | Buffer;
  private closed = false;

  constructor(options: PgLongTermMemoryOptions) {
    this.sql = options.sql;
    this.embedder = options.embedder;
    this.table = memoryTableName(options.table).sql;
    this.ranking = options.ranking ?? RANKING;
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
    this.rowsPerInsert = Math.max(1, Math.min(options.rowsPerInsert ?? INSERT_BATCH, INSERT_BATCH));
    this.vectorParam = vectorParams(options.vectorEncoding ?? "text");
  }

  async remember(entry: MemoryEntry): Promise<void> {
    await this.rememberAll([entry]);
  }

  /** Stores many memories with one embedding call and few round trips. */
  async rememberAll(entries: readonly MemoryEntry[], signal?: AbortSignal): Promise<void> {
    this.assertOpen();
    if (entries.length === 0) return;
    const vectors = await this.embedder.embed(
      entries.map((entry) => entry.content),
      signal,
    );
    this.checkVectors(vectors, entries.length);
    for (let start = 0; start < entries.length; start += this.rowsPerInsert) {
      signal?.throwIfAborted();
      const params: unknown[] = [];
      const rows: string[] = [];
      entries.slice(start, start + this.rowsPerInsert).forEach((entry, offset) => {
        const p = params.length;
        rows.push(`($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}, $${p + 7}, $${p + 8}::vector)`);
        params.push(
          this.newId(),
          entry.user_id,
          entry.character_id,
          entry.session_id,
          entry.content,
          clamp01(entry.importance),
          entry.created_at,
          this.vectorParam(vectors[start + offset]!),
        );
      });
      await this.sql.query(
        `INSERT INTO ${this.table}
          (id, user_id, character_id, session_id, content, importance, created_at, embedding)
          VALUES ${rows.join(", ")}`,
        params,
      );
    }
  }

  async recall(query: MemoryQuery, signal?: AbortSignal): Promise<RecalledMemory[]> {
    return (await this.recallAll([query], signal))[0]!;
  }

  /**
   * Many lookups at once: one embeddings request and one statement, which takes the nearest
   * memories of each query's player and character in a lateral join.
   */
  async recallAll(queries: readonly MemoryQuery[], signal?: AbortSignal): Promise<RecalledMemory[][]> {
    this.assertOpen();
    signal?.throwIfAborted();
    const asked = queries.filter((q) => overfetchCount(q.limit, this.ranking) > 0);
    if (asked.length === 0) return queries.map(() => []);
    const fetchCount = Math.max(...asked.map((q) => overfetchCount(q.limit, this.ranking)));
    const vectors = await this.embedder.embed(asked.map((q) => q.text), signal);
    this.checkVectors(vectors, asked.length);
    signal?.throwIfAborted();
    const candidates = asked.map(() => [] as (MemoryEntry & { id: string; relevance: number })[]);
    for (let start = 0; start < asked.length; start += LOOKUPS_PER_STATEMENT) {
      const rows = await this.nearest(asked, vectors, start, Math.min(asked.length, start + LOOKUPS_PER_STATEMENT), fetchCount);
      // The query cannot be taken back from a shared client; its result can still be dropped.
      signal?.throwIfAborted();
      for (const row of rows) {
        candidates[row.query_index]?.push({
          id: row.id,
          user_id: row.user_id,
          character_id: row.character_id,
          session_id: row.session_id,
          content: row.content,
          importance: Number(row.importance),
          created_at: row.created_at instanceof Date ? row.created_at : new Date(row.created_at),
          // Cosine distance is 0..2; similarity below zero means unrelated, which ranks as 0.
          relevance: row.distance === null ? 0 : clamp01(1 - Number(row.distance)),
        });
      }
    }
    const now = this.now();
    const found = new Map(asked.map((q, i) => [q, rankMemories(candidates[i]!, q.limit, now, this.ranking)]));
    return queries.map((q) => found.get(q) ?? []);
  }

  /**
   * The `fetchCount` nearest memories of each lookup from `from` to `to`, in one statement. One row
   * of parameters per lookup, rather than arrays: a binary vector is a parameter of its own.
   */
  private async nearest(asked: readonly MemoryQuery[], vectors: readonly number[][], from: number, to: number,
    fetchCount: number): Promise<Array<CandidateRow & { query_index: number }>> {
    const params: unknown[] = [fetchCount];
    const lookups: string[] = [];
    for (let i = from; i < to; i++) {
      params.push(asked[i]!.user_id, asked[i]!.character_id, this.vectorParam(vectors[i]!));
      const p = params.length;
      lookups.push(`(${i}, $${p - 2}::text, $${p - 1}::text, $${p}::vector)`);
    }
    const { rows } = await this.sql.query<CandidateRow & { query_index: number }>(
      `SELECT q.i AS query_index, m.id::text AS id, m.user_id, m.character_id, m.session_id, m.content,
          m.importance, m.created_at, m.distance
        FROM (VALUES ${lookups.join(", ")}) AS q(i, user_id, character_id, embedding)
        CROSS JOIN LATERAL (
          SELECT id, user_id, character_id, session_id, content, importance, created_at,
              embedding <=> q.embedding AS distance
            FROM ${this.table}
            WHERE user_id = q.user_id AND character_id = q.character_id
            ORDER BY embedding <=> q.embedding
            LIMIT $1
        ) m`,
      params,
    );
    return rows;
  }

  /** Stops further use. The SQL client belongs to the caller, who closes it. */
  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("long-term memory is closed");
  }

  private checkVectors(vectors: readonly number[][], expected: number): void {
    if (vectors.length !== expected) {
      throw new Error(`embedder returned ${vectors.length} vectors for ${expected} texts`);
    }
    for (const vector of vectors) {
      if (vector.length !== this.embedder.dimensions) {
        throw new Error(`embedder returned ${vector.length} dimensions, expected ${this.embedder.dimensions}`);
      }
    }
  }
}
