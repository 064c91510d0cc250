/**
 * One vector space per memories table. `memory_embedders` records, per table, the embedder that
 * made its vectors (kind, model, dimensions) and, while a re-embedding runs, the one it moves to.
 * A start whose embedder differs is refused: vectors of two spaces compared by cosine give
 * nonsense without any error.
 */
import { StartupError } from "../startup/startup-error.ts";
import type { SqlClient } from "../store/sql.ts";
import { describeEmbedder, type EmbedderIdentity } from "./embedder-choice.ts";
import { memoryTableName } from "./pg-memory-schema.ts";

export interface EmbedderRecord {
  current: EmbedderIdentity | null;
  /** Set while `npm run memory:reembed` has work in progress. */
  next: EmbedderIdentity | null;
}

interface RecordRow {
  kind: string | null; model: string | null; dimensions: number | null;
  next_kind: string | null; next_model: string | null; next_dimensions: number | null;
}

/** `memory_embedders` in the memories table's schema, and the key of that table in it. */
export function embedderTable(table = "memories"): { sql: string; key: string } {
  const name = memoryTableName(table);
  return { sql: `${name.schemaPrefix}"memory_embedders"`, key: name.base };
}

export async function createEmbedderTable(sql: SqlClient, table?: string): Promise<void> {
  await sql.query(`CREATE TABLE IF NOT EXISTS ${embedderTable(table).sql} (
    memory_table text PRIMARY KEY,
    kind text, model text, dimensions integer,
    next_kind text, next_model text, next_dimensions integer,
    updated_at timestamptz NOT NULL DEFAULT now()
  )`);
}

export async function readEmbedderRecord(sql: SqlClient, table?: string): Promise<EmbedderRecord | null> {
  const t = embedderTable(table);
  const { rows } = await sql.query<RecordRow>(
    `SELECT kind, model, dimensions, next_kind, next_model, next_dimensions FROM ${t.sql} WHERE memory_table = $1`, [t.key]);
  const row = rows[0];
  if (!row) return null;
  return { current: identityOf(row.kind, row.model, row.dimensions), next: identityOf(row.next_kind, row.next_model, row.next_dimensions) };
}

function identityOf(kind: string | null, model: string | null, dimensions: number | null): EmbedderIdentity | null {
  if (kind === null || model === null || dimensions === null) return null;
  return { kind: kind as EmbedderIdentity["kind"], model, dimensions: Number(dimensions) };
}

export function sameEmbedder(a: EmbedderIdentity | null, b: EmbedderIdentity | null): boolean {
  return a !== null && b !== null && a.kind === b.kind && a.model === b.model && a.dimensions === b.dimensions;
}

const REEMBED_HINT = "run `npm run memory:reembed` with the new settings to re-embed them, or configure";

/**
 * At start: records `identity` for a table without memories, accepts the recorded one, and refuses
 * any other with one line that says what to do.
 */
export async function checkMemoryEmbedder(sql: SqlClient, options: { table?: string; identity: EmbedderIdentity }): Promise<void> {
  const { identity } = options;
  await createEmbedderTable(sql, options.table);
  const record = await readEmbedderRecord(sql, options.table);
  const table = memoryTableName(options.table).sql;
  if (record?.current && sameEmbedder(record.current, identity)) return;
  if (record?.current) {
    throw new StartupError("EMBEDDINGS", `memories in ${table} were embedded by ${describeEmbedder(record.current)}, but this configuration embeds with ${describeEmbedder(identity)}`,
      `${REEMBED_HINT} EMBEDDINGS, EMBEDDING_MODEL and EMBEDDING_DIMENSIONS as they were`);
  }
  const { rows } = await sql.query<{ found: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table}) AS found`);
  if (rows[0]?.found) {
    throw new StartupError("EMBEDDINGS", `memories in ${table} were embedded before Parley recorded embedders, so their vector space is unknown`,
      `run \`npm run memory:reembed\` to re-embed them with ${describeEmbedder(identity)}`);
  }
  const t = embedderTable(options.table);
  await sql.query(
    `INSERT INTO ${t.sql} (memory_table, kind, model, dimensions) VALUES ($1, $2, $3, $4)
      ON CONFLICT (memory_table) DO UPDATE SET kind = EXCLUDED.kind, model = EXCLUDED.model, dimensions = EXCLUDED.dimensions, updated_at = now()
      WHERE ${t.sql}.kind IS NULL`,
    [t.key, identity.kind, identity.model, identity.dimensions]);
  const after = await readEmbedderRecord(sql, options.table);
  // Another process recorded a different embedder in between.
  if (!sameEmbedder(after?.current ?? null, identity)) await checkMemoryEmbedder(sql, options);
}
