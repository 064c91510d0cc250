import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { PGlite } from "@electric-sql/pglite";
import { openEmbeddedPostgres } from "../store/embedded-postgres.ts";
import type { SqlClient } from "../store/sql.ts";
import { HashingEmbedder } from "./hashing-embedder.ts";
import type { MemoryEntry } from "./long-term-memory.ts";
import { PgLongTermMemory } from "./pg-long-term-memory.ts";
import { vectorBinary, vectorLiteral, type VectorEncoding } from "./pgvector-params.ts";
import { createMemoryIndexes, createMemoryTable, migrateLongTermMemory, type VectorIndex } from "./pg-memory-schema.ts";

const DATABASE_URL = process.env.PARLEY_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/parley_test";
const NOW = new Date("2025-06-01T12:00:00Z");
const hoursAgo = (hours: number): Date => new Date(NOW.getTime() - hours * 60 * 60 * 1000);

const entry = (user_id: string, character_id: string, content: string, ageHours = 24, importance = 0.5): MemoryEntry => ({
  user_id,
  character_id,
  session_id: `session-${user_id}`,
  content,
  importance,
  created_at: hoursAgo(ageHours),
});

/** Each topic appears once per player and character, so the right answer is never a tie. */
const SEED: MemoryEntry[] = [
  entry("ada", "captain", "Player: my cat is named Whiskers. Captain: A fine name for a ship's cat!"),
  entry("ada", "captain", "Player: I grew up in a lighthouse on the northern coast. Captain: Then you know storms."),
  entry("ada", "captain", "Player: I am afraid of deep water. Captain: We will stay near the shore."),
  entry("ada", "captain", "玩家：我最喜欢吃火锅。船长：下次靠岸请你吃！"),
  entry("ada", "captain", "玩家：我的生日是五月三日。船长：记住了。"),
  entry("ada", "captain", "Player: hello. Captain: Ahoy!", 1, 0.05),
  entry("ada", "merchant", "Player: my cat is named Pepper. Merchant: Cats keep the rats away."),
  entry("bob", "captain", "Player: my cat is named Mittens. Captain: Bring Mittens aboard."),
  entry("bob", "captain", "玩家：我最喜欢吃饺子。船长：饺子好！"),
];

/** Runs the same recall checks on any SqlClient holding a fresh `table`, with either vector index and encoding. */
function recallScenario(getSql: () => SqlClient, getTable: () => string, vectorIndex: VectorIndex, vectorEncoding: VectorEncoding = "text"): void {
  let memory: PgLongTermMemory;

  before(async () => {
    const sql = getSql();
    const table = getTable();
    memory = new PgLongTermMemory({ sql, embedder: new HashingEmbedder({ dimensions: 256 }), table, now: () => NOW, vectorEncoding });
    // Bulk load first, then build the indexes once over the loaded rows.
    await createMemoryTable(sql, { table, dimensions: 256 });
    await memory.rememberAll(SEED);
    await createMemoryIndexes(sql, { table, vectorIndex });
  });

  test(`creates the player/character index${vectorIndex === "hnsw" ? " and the HNSW cosine index" : ", and no vector index"}`, async () => {
    const defs = await indexDefinitions(getSql(), getTable());
    assert.equal(defs.some((def) => /USING hnsw \(embedding vector_cosine_ops\)/.test(def)), vectorIndex === "hnsw", defs.join("\n"));
    assert.ok(defs.some((def) => /\(user_id, character_id\)/.test(def)), defs.join("\n"));
  });

  test("recalls the relevant memory first, only from that player and character", async () => {
    const recalled = await memory.recall({ user_id: "ada", character_id: "captain", text: "What is my cat called?", limit: 3 });
    assert.ok(recalled.length > 0 && recalled.length <= 3);
    assert.match(recalled[0]!.content, /Whiskers/);
    for (const m of recalled) {
      assert.equal(m.user_id, "ada");
      assert.equal(m.character_id, "captain");
      assert.ok(m.relevance >= 0 && m.relevance <= 1);
      assert.match(m.id, /^[0-9a-f-]{36}$/);
      assert.ok(m.created_at instanceof Date);
    }
    for (let i = 1; i < recalled.length; i++) assert.ok(recalled[i - 1]!.score >= recalled[i]!.score);
    assert.ok(recalled[0]!.relevance > recalled[recalled.length - 1]!.relevance);

    const bob = await memory.recall({ user_id: "bob", character_id: "captain", text: "What is my cat called?", limit: 3 });
    assert.match(bob[0]!.content, /Mittens/);
    assert.ok(bob.every((m) => m.user_id === "bob"));

    const merchant = await memory.recall({ user_id: "ada", character_id: "merchant", text: "my cat", limit: 3 });
    assert.deepEqual(merchant.map((m) => m.character_id), ["merchant"]);
  });

  test("answers many lookups in one statement, each as its own recall would", async () => {
    const queries = [
      { user_id: "ada", character_id: "captain", text: "What is my cat called?", limit: 3 },
      { user_id: "bob", character_id: "captain", text: "我最喜欢吃什么？", limit: 2 },
      { user_id: "nobody \"quoted\" \\ {x,y}", character_id: "captain", text: "my cat", limit: 3 },
      { user_id: "ada", character_id: "merchant", text: "my cat", limit: 0 },
    ];
    const all = await memory.recallAll(queries);
    assert.equal(all.length, queries.length);
    assert.deepEqual(all[0]!.map((m) => m.id), (await memory.recall(queries[0]!)).map((m) => m.id));
    assert.match(all[1]![0]!.content, /饺子/);
    assert.ok(all[1]!.every((m) => m.user_id === "bob"));
    assert.deepEqual(all[2], [], "a player id with quotes, backslashes and braces is one unknown player");
    assert.deepEqual(all[3], [], "a limit of 0 asks for nothing");
  });

  test("recalls Chinese memories", async () => {
    const ada = await memory.recall({ user_id: "ada", character_id: "captain", text: "我最喜欢吃什么？", limit: 2 });
    assert.match(ada[0]!.content, /火锅/);
    const bob = await memory.recall({ user_id: "bob", character_id: "captain", text: "我最喜欢吃什么？", limit: 2 });
    assert.match(bob[0]!.content, /饺子/);
  });

  test("finds memories written after the index was built; recency breaks a tie", async () => {
    await memory.remember(entry("ada", "captain", "Player: my sister Clara sails a sloop. Captain: A sailor in the family!", 48));
    await memory.remember(entry("ada", "captain", "Player: my sister Clara sails a sloop. Captain: A sailor in the family!", 2));
    const recalled = await memory.recall({ user_id: "ada", character_id: "captain", text: "who is Clara, my sister?", limit: 2 });
    assert.equal(recalled.length, 2);
    assert.match(recalled[0]!.content, /Clara/);
    assert.match(recalled[1]!.content, /Clara/);
    assert.ok(recalled[0]!.created_at.getTime() > recalled[1]!.created_at.getTime());
  });

  test("returns nothing for limit 0 or an unknown player", async () => {
    assert.deepEqual(await memory.recall({ user_id: "ada", character_id: "captain", text: "cat", limit: 0 }), []);
    assert.deepEqual(await memory.recall({ user_id: "nobody", character_id: "captain", text: "cat", limit: 5 }), []);
  });

  test("stops on an aborted signal", async () => {
    await assert.rejects(
      memory.recall({ user_id: "ada", character_id: "captain", text: "cat", limit: 3 }, AbortSignal.abort()),
      { name: "AbortError" },
    );
  });

  test("refuses use after close, leaving the SQL client open", async () => {
    const sql = getSql();
    const closing = new PgLongTermMemory({ sql, embedder: new HashingEmbedder(), table: getTable() });
    await closing.close();
    await assert.rejects(closing.recall({ user_id: "ada", character_id: "captain", text: "cat", limit: 1 }), /closed/);
    await assert.rejects(closing.remember(entry("ada", "captain", "x")), /closed/);
    assert.deepEqual((await sql.query<{ one: number }>("SELECT 1 AS one")).rows, [{ one: 1 }]);
  });
}

async function indexDefinitions(sql: SqlClient, table: string): Promise<string[]> {
  const [schema, name] = table.split(".");
  const { rows } = await sql.query<{ indexdef: string }>(
    "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2",
    [schema, name],
  );
  return rows.map((row) => row.indexdef);
}

describe("PgLongTermMemory on PostgreSQL", () => {
  const schema = `parley_test_ltm_${process.pid}_${randomBytes(4).toString("hex")}`;
  let pool: pg.Pool;

  before(async () => {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    try {
      await pool.query(`CREATE SCHEMA "${schema}"`);
    } catch (error) {
      throw new Error(`cannot prepare ${DATABASE_URL} (run scripts/setup.sh): ${String(error)}`);
    }
  });

  after(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await pool.end();
  });

  describe("without a vector index (the default)", () => recallScenario(() => pool, () => `${schema}.memories`, "none"));
  describe("with the HNSW index", () => recallScenario(() => pool, () => `${schema}.hnsw_memories`, "hnsw"));
  describe("with binary vectors", () => recallScenario(() => pool, () => `${schema}.binary_memories`, "none", "binary"));

  test("a vector goes to pgvector to 7 decimal places, and comes back within that", async () => {
    const vector = Array.from(new Float32Array([0.0625, -0.123456789, 3.3e-9, 1e-7, -0.5]));
    const literal = vectorLiteral(vector);
    assert.equal(literal, "[0.0625,-0.1234568,0,1e-7,-0.5]");
    const { rows } = await pool.query<{ v: string }>("SELECT $1::vector::text AS v", [literal]);
    const back = rows[0]!.v.slice(1, -1).split(",").map(Number);
    back.forEach((x, i) => assert.ok(Math.abs(x - vector[i]!) <= 5e-8 + 1e-7, `${x} vs ${vector[i]}`));
  });

  test("a binary vector reaches pgvector exactly as the float32s it holds", async () => {
    const vector = Array.from(new Float32Array([0.0625, -0.123456789, 3.3e-9, 1e-7, -0.5, 7]));
    const { rows } = await pool.query<{ v: string; dims: number }>("SELECT $1::vector::text AS v, vector_dims($1::vector) AS dims", [vectorBinary(vector)]);
    assert.equal(rows[0]!.dims, vector.length);
    assert.deepEqual(Array.from(new Float32Array(rows[0]!.v.slice(1, -1).split(",").map(Number))), vector);
  });

  test("migration is idempotent and keeps the data", async () => {
    const table = `${schema}.memories`;
    const before = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    await migrateLongTermMemory(pool, { table, dimensions: 256 });
    const after = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    assert.equal(after.rows[0]!.n, before.rows[0]!.n);
  });

  test("the vector index follows the setting: built when asked for, dropped when not", async () => {
    const table = `${schema}.switched_memories`;
    const hasGraph = async (): Promise<boolean> => (await indexDefinitions(pool, table)).some((def) => /USING hnsw/.test(def));
    await migrateLongTermMemory(pool, { table, dimensions: 256 });
    assert.equal(await hasGraph(), false);
    await migrateLongTermMemory(pool, { table, dimensions: 256, vectorIndex: "hnsw" });
    assert.equal(await hasGraph(), true);
    await migrateLongTermMemory(pool, { table, dimensions: 256 });
    assert.equal(await hasGraph(), false);
  });
});

describe("PgLongTermMemory on PostgreSQL, an index a failed start left behind", () => {
  const schema = `parley_test_ltm_invalid_${process.pid}_${randomBytes(4).toString("hex")}`;
  let pool: pg.Pool;

  before(async () => {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    await pool.query(`CREATE SCHEMA "${schema}"`);
  });

  after(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await pool.end();
  });

  test("is built again, where IF NOT EXISTS alone would keep it unused for good", async () => {
    const table = `${schema}.memories`;
    await migrateLongTermMemory(pool, { table, dimensions: 4, vectorIndex: "hnsw" });
    const graph = `"${schema}"."memories_embedding_hnsw_idx"`;
    const valid = async (): Promise<boolean | undefined> =>
      (await pool.query<{ v: boolean }>("SELECT indisvalid AS v FROM pg_index WHERE indexrelid = to_regclass($1)", [graph])).rows[0]?.v;
    // What an interrupted CREATE INDEX CONCURRENTLY leaves: the index, marked invalid.
    await pool.query("UPDATE pg_index SET indisvalid = false WHERE indexrelid = to_regclass($1)", [graph]);
    assert.equal(await valid(), false);
    await migrateLongTermMemory(pool, { table, dimensions: 4, vectorIndex: "hnsw" });
    assert.equal(await valid(), true);
  });
});

describe("PgLongTermMemory on embedded PostgreSQL", () => {
  let dir: string;
  let db: PGlite;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "parley-ltm-"));
    db = await openEmbeddedPostgres(dir);
    await db.query("CREATE SCHEMA parley");
  });

  after(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  recallScenario(() => db, () => "parley.memories", "none");

  test("drops a graph an earlier start built", async () => {
    const table = "parley.switched_memories";
    await migrateLongTermMemory(db, { table, dimensions: 256, vectorIndex: "hnsw" });
    assert.ok((await indexDefinitions(db, table)).some((def) => /USING hnsw/.test(def)));
    await migrateLongTermMemory(db, { table, dimensions: 256 });
    assert.ok(!(await indexDefinitions(db, table)).some((def) => /USING hnsw/.test(def)));
  });
});

describe("PgLongTermMemory validation", () => {
  test("refuses table names that are not plain identifiers", () => {
    const sql: SqlClient = { query: async () => ({ rows: [] }) };
    assert.throws(() => new PgLongTermMemory({ sql, embedder: new HashingEmbedder(), table: "m; DROP TABLE x" }), /table/);
    assert.throws(() => new PgLongTermMemory({ sql, embedder: new HashingEmbedder(), table: "a.b.c" }), /table/);
  });

  test("refuses an embedder whose vectors do not match its declared size", async () => {
    const sql: SqlClient = { query: async () => ({ rows: [] }) };
    const embedder = { dimensions: 4, embed: async (texts: readonly string[]) => texts.map(() => [1, 0, 0]) };
    const memory = new PgLongTermMemory({ sql, embedder });
    await assert.rejects(memory.remember(entry("ada", "captain", "x")), /3 dimensions, expected 4/);
  });
});

describe("PgLongTermMemory statements", () => {
  const recording = () => {
    const statements: Array<{ text: string; params: unknown[] }> = [];
    const sql: SqlClient = { query: async (text, params = []) => { statements.push({ text, params }); return { rows: [] }; } };
    let embedCalls = 0;
    const embedder = { dimensions: 3, embed: async (texts: readonly string[]) => { embedCalls++; return texts.map(() => [1, 0, 0]); } };
    return { statements, sql, embedder, embedCalls: () => embedCalls };
  };
  const three = () => ["a", "b", "c"].map((c) => entry("ada", "captain", c));

  test("stores a batch with one embeddings call and one INSERT by default", async () => {
    const r = recording();
    await new PgLongTermMemory({ sql: r.sql, embedder: r.embedder }).rememberAll(three());
    assert.equal(r.embedCalls(), 1);
    assert.equal(r.statements.length, 1);
    assert.equal(r.statements[0]!.params.length, 24);
  });

  test("binary encoding sends each vector as a Buffer, in inserts and lookups", async () => {
    const r = recording();
    const memory = new PgLongTermMemory({ sql: r.sql, embedder: r.embedder, vectorEncoding: "binary" });
    await memory.rememberAll(three());
    await memory.recallAll([{ user_id: "ada", character_id: "captain", text: "a", limit: 3 }, { user_id: "bob", character_id: "captain", text: "b", limit: 3 }]);
    const [insert, lookup] = r.statements;
    assert.deepEqual([7, 15, 23].map((i) => Buffer.isBuffer(insert!.params[i])), [true, true, true]);
    assert.deepEqual(lookup!.params.filter(Buffer.isBuffer).length, 2);
    assert.deepEqual(lookup!.params.filter((p) => typeof p === "string"), ["ada", "captain", "bob", "captain"]);
  });

  test("more lookups than one statement takes go in several, each answered in order", async () => {
    const r = recording();
    // The database answers the last statement's first lookup with one memory.
    const sql: SqlClient = {
      query: async <R,>(text: string, params: unknown[] = []) => {
        await r.sql.query(text, params);
        const row = { query_index: 2000, id: "m1", user_id: "u2000", character_id: "captain", session_id: "s", content: "found", importance: 0.5, created_at: NOW, distance: 0.1 };
        return { rows: (params[1] === "u2000" ? [row] : []) as R[] };
      },
    };
    const queries = Array.from({ length: 2500 }, (_, i) => ({ user_id: `u${i}`, character_id: "captain", text: "a", limit: 3 }));
    const found = await new PgLongTermMemory({ sql, embedder: r.embedder, now: () => NOW }).recallAll(queries);
    assert.deepEqual(r.statements.map((s) => s.params.length), [3001, 3001, 1501]);
    assert.deepEqual(found.map((f, i) => [i, f.map((m) => m.content)]).filter(([, c]) => (c as string[]).length > 0), [[2000, ["found"]]]);
  });

  test("with one row per INSERT, still one embeddings call, and the rows go one statement at a time", async () => {
    const r = recording();
    await new PgLongTermMemory({ sql: r.sql, embedder: r.embedder, rowsPerInsert: 1 }).rememberAll(three());
    assert.equal(r.embedCalls(), 1);
    assert.deepEqual(r.statements.map((s) => s.params[4]), ["a", "b", "c"]);
  });
});
