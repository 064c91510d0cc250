import type { SqlClient } from "../store/sql.ts";

export interface MemoryTableOptions {
  /** `table` or `schema.table`; letters, digits and underscores. Default `memories`. */
  table?: string;
  /** The embedder's vector size. */
  dimensions: number;
  /** See `VectorIndex`. Default `none`. */
  vectorIndex?: VectorIndex;
}

/**
 * `none`: recall finds a player's memories through the (user_id, character_id) btree index and
 * ranks them by exact distance. `hnsw`: also an approximate-nearest-neighbour graph over all
 * memories, for players whose memories run to tens of thousands. The graph is paid on every turn:
 * each memory stored is inserted into it, at 50 times the cost of the row (BENCHMARKS.md), and the
 * cost grows with the table.
 */
export type VectorIndex = "none" | "hnsw";

export interface MemoryTableName {
  /** Quoted and ready to put into SQL. */
  sql: string;
  /** The bare table name, used to name its indexes. */
  base: string;
  /** `"schema".` when the name has one, else empty: indexes live in their table's schema. */
  schemaPrefix: string;
}

/** HNSW graph settings for the memories index; see createMemoryIndexes for why. */
const HNSW = Object.freeze({ m: 8, efConstruction: 32 });

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function memoryTableName(table = "memories"): MemoryTableName {
  const parts = table.split(".");
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new Error(`memory table: "${table}" is not a plain [schema.]table name`);
  }
  return {
    sql: parts.map((part) => `"${part}"`).join("."),
    base: parts[parts.length - 1]!,
    schemaPrefix: parts.length === 2 ? `"${parts[0]}".` : "",
  };
}

/** The memories table exists with vectors of another size: every write to it would fail. */
export class MemoryDimensionsError extends Error {
  readonly existing: number;
  readonly wanted: number;
  readonly table: string;
  constructor(table: string, existing: number, wanted: number) {
    super(`memory table ${table} holds vectors of ${existing} dimensions, not ${wanted}`);
    this.name = "MemoryDimensionsError";
    this.table = table;
    this.existing = existing;
    this.wanted = wanted;
  }
}

/** The vector size of an existing memories table (pgvector keeps it as the column's type modifier), or undefined. */
export async function memoryTableDimensions(sql: SqlClient, tableName?: string): Promise<number | undefined> {
  const table = memoryTableName(tableName);
  const { rows } = await sql.query<{ dimensions: number }>(
    "SELECT atttypmod AS dimensions FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'embedding' AND NOT attisdropped",
    [table.sql],
  );
  const dimensions = Number(rows[0]?.dimensions);
  return Number.isInteger(dimensions) && dimensions > 0 ? dimensions : undefined;
}

/** The table alone, without the vector index: bulk loads go faster before the index exists. */
export async function createMemoryTable(sql: SqlClient, options: MemoryTableOptions): Promise<void> {
  if (!Number.isInteger(options.dimensions) || options.dimensions < 1 || options.dimensions > 16000) {
    throw new Error(`memory table: dimensions must be an integer in 1..16000, got ${options.dimensions}`);
  }
  const table = memoryTableName(options.table);
  await sql.query("CREATE EXTENSION IF NOT EXISTS vector");
  await sql.query(
    `CREATE TABLE IF NOT EXISTS ${table.sql} (
      id uuid PRIMARY KEY,
      user_id text NOT NULL,
      character_id text NOT NULL,
      session_id text NOT NULL,
      content text NOT NULL,
      importance real NOT NULL,
      created_at timestamptz NOT NULL,
      embedding vector(${options.dimensions}) NOT NULL
    )`,
  );
  const existing = await memoryTableDimensions(sql, options.table);
  if (existing !== undefined && existing !== options.dimensions) throw new MemoryDimensionsError(table.base, existing, options.dimensions);
}

/**
 * The indexes `vectorIndex` asks for. The setting describes the schema: with `none`, a graph an
 * earlier start built under Parley's name is dropped, so turns stop paying for it. Indexes are
 * built and dropped concurrently: processes of another version may be serving from the table, and
 * a graph over a large table takes minutes to build.
 */
export async function createMemoryIndexes(sql: SqlClient, options: Pick<MemoryTableOptions, "table" | "vectorIndex">): Promise<void> {
  const table = memoryTableName(options.table);
  await createIndexConcurrently(sql, table, `${table.base}_user_character_idx`, "(user_id, character_id)");
  const graph = `${table.base}_embedding_hnsw_idx`;
  if ((options.vectorIndex ?? "none") === "none") {
    await sql.query(`DROP INDEX CONCURRENTLY IF EXISTS ${table.schemaPrefix}"${graph}"`);
    return;
  }
  // These settings cost a quarter of pgvector's defaults (m 16, ef_construction 64) per insert
  // (BENCHMARKS.md); recall re-ranks what it returns anyway.
  await createIndexConcurrently(sql, table, graph,
    `USING hnsw (embedding vector_cosine_ops) WITH (m = ${HNSW.m}, ef_construction = ${HNSW.efConstruction})`);
}

/**
 * A concurrent build that fails (a crash, a cancelled start) leaves an invalid index behind, which
 * `IF NOT EXISTS` would keep for good, unused by every query: such an index is dropped and built again.
 */
async function createIndexConcurrently(sql: SqlClient, table: MemoryTableName, name: string, definition: string): Promise<void> {
  const index = `${table.schemaPrefix}"${name}"`;
  const { rows } = await sql.query<{ valid: boolean }>(
    "SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass($1)", [index],
  );
  if (rows[0]?.valid === false) await sql.query(`DROP INDEX CONCURRENTLY IF EXISTS ${index}`);
  await sql.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "${name}" ON ${table.sql} ${definition}`);
}

/** Creates the memory table and its indexes if they are missing. */
export async function migrateLongTermMemory(sql: SqlClient, options: MemoryTableOptions): Promise<void> {
  await createMemoryTable(sql, options);
  await createMemoryIndexes(sql, options);
}
