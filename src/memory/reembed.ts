/**
 * Moves a memories table to another embedder. New vectors go into a column of their own
 * (`embedding_next`), batch by batch, keyed by id; the old column serves meanwhile and nothing is
 * overwritten. A run that stops halfway leaves the filled part, and the next run goes on from
 * there. At the end one transaction swaps the columns and records the new embedder.
 */
import type { SqlClient } from "../store/sql.ts";
import { sameEmbedder, createEmbedderTable, embedderTable, readEmbedderRecord } from "./memory-embedder-record.ts";
import type { EmbedderIdentity } from "./embedder-choice.ts";
import type { Embedder } from "./long-term-memory.ts";
import { memoryTableName } from "./pg-memory-schema.ts";
import { vectorLiteral } from "./pgvector-params.ts";

export interface ReembedOptions {
  /** One session (a `pg.Client` or PGlite): the swap is a transaction. */
  sql: SqlClient;
  table?: string;
  embedder: Embedder;
  identity: EmbedderIdentity;
  /** Memories per embeddings request and UPDATE. */
  batch?: number;
  onProgress?(done: number, total: number): void;
  signal?: AbortSignal;
}

const DEFAULT_BATCH = 256;

/** Returns how many memories this run embedded (0 when the table already uses `identity`). */
export async function reembedMemories(options: ReembedOptions): Promise<number> {
  const { sql, identity, embedder } = options;
  if (embedder.dimensions !== identity.dimensions) throw new Error(`re-embed: the embedder makes ${embedder.dimensions} dimensions, not ${identity.dimensions}`);
  const table = memoryTableName(options.table).sql;
  const record = embedderTable(options.table);
  await createEmbedderTable(sql, options.table);
  const found = await readEmbedderRecord(sql, options.table);
  if (sameEmbedder(found?.current ?? null, identity) && found?.next === null) return 0;
  if (!sameEmbedder(found?.next ?? null, identity)) {
    // A new target: vectors an earlier run made for another one are of no use.
    await sql.query(`ALTER TABLE ${table} DROP COLUMN IF EXISTS embedding_next`);
    await sql.query(
      `INSERT INTO ${record.sql} (memory_table, next_kind, next_model, next_dimensions) VALUES ($1, $2, $3, $4)
        ON CONFLICT (memory_table) DO UPDATE SET next_kind = $2, next_model = $3, next_dimensions = $4, updated_at = now()`,
      [record.key, identity.kind, identity.model, identity.dimensions]);
  }
  await sql.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS embedding_next vector(${identity.dimensions})`);

  const counts = await sql.query<{ total: string; left: string }>(
    `SELECT count(*)::text AS total, count(*) FILTER (WHERE embedding_next IS NULL)::text AS left FROM ${table}`);
  const total = Number(counts.rows[0]!.total);
  let done = total - Number(counts.rows[0]!.left);
  options.onProgress?.(done, total);
  let embedded = 0;
  const step = async (): Promise<number> => {
    options.signal?.throwIfAborted();
    const { rows } = await sql.query<{ id: string; content: string }>(
      `SELECT id::text AS id, content FROM ${table} WHERE embedding_next IS NULL ORDER BY id LIMIT $1`, [options.batch ?? DEFAULT_BATCH]);
    if (rows.length === 0) return 0;
    const vectors = await embedder.embed(rows.map((r) => r.content), options.signal);
    if (vectors.length !== rows.length) throw new Error(`re-embed: asked for ${rows.length} vectors, got ${vectors.length}`);
    await sql.query(
      `UPDATE ${table} AS m SET embedding_next = v.embedding::vector
        FROM (SELECT unnest($1::uuid[]) AS id, unnest($2::text[]) AS embedding) AS v WHERE m.id = v.id`,
      [rows.map((r) => r.id), vectors.map(vectorLiteral)]);
    embedded += rows.length;
    return rows.length;
  };
  for (let n = await step(); n > 0; n = await step()) {
    done += n;
    options.onProgress?.(Math.min(done, total), total);
  }

  await sql.query("BEGIN");
  try {
    // Memories written since the last batch (a server still running) are embedded under the lock.
    await sql.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    while ((await step()) > 0);
    await sql.query(`ALTER TABLE ${table} DROP COLUMN embedding`);
    await sql.query(`ALTER TABLE ${table} RENAME COLUMN embedding_next TO embedding`);
    await sql.query(`ALTER TABLE ${table} ALTER COLUMN embedding SET NOT NULL`);
    await sql.query(
      `UPDATE ${record.sql} SET kind = next_kind, model = next_model, dimensions = next_dimensions,
          next_kind = NULL, next_model = NULL, next_dimensions = NULL, updated_at = now()
        WHERE memory_table = $1`, [record.key]);
    await sql.query("COMMIT");
  } catch (err) {
    await sql.query("ROLLBACK");
    throw err;
  }
  return embedded;
}
