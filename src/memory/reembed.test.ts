import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { PGlite } from "@electric-sql/pglite";
import { StartupError } from "../startup/startup-error.ts";
import { openEmbeddedPostgres } from "../store/embedded-postgres.ts";
import type { SqlClient } from "../store/sql.ts";
import { embedderIdentity } from "./embedder-choice.ts";
import { HashingEmbedder } from "./hashing-embedder.ts";
import type { Embedder, MemoryEntry } from "./long-term-memory.ts";
import { checkMemoryEmbedder, readEmbedderRecord } from "./memory-embedder-record.ts";
import { PgLongTermMemory } from "./pg-long-term-memory.ts";
import { migrateLongTermMemory } from "./pg-memory-schema.ts";
import { reembedMemories } from "./reembed.ts";

const DATABASE_URL = process.env.PARLEY_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/parley_test";
const NOW = new Date("2026-06-01T12:00:00Z");
const OLD = embedderIdentity({ kind: "local", model: "", dimensions: 16 });
const NEW = embedderIdentity({ kind: "local", model: "", dimensions: 32 });

const memories: MemoryEntry[] = Array.from({ length: 30 }, (_, i) => ({
  user_id: "ada", character_id: "captain", session_id: `s${i % 3}`, importance: 0.5, created_at: NOW,
  content: i === 7 ? "The player said: my horse is named Thunderhoof" : `The player said: crate number ${i} holds ${i * 3} apples`,
}));

/** Counts what it embeds, and fails once it has embedded `failAfter` texts. */
function countingEmbedder(dimensions: number, failAfter = Infinity): Embedder & { texts: number } {
  const inner = new HashingEmbedder({ dimensions });
  const embedder = {
    dimensions, texts: 0,
    async embed(texts: readonly string[]) {
      if (embedder.texts + texts.length > failAfter) throw new Error("embeddings endpoint went away");
      embedder.texts += texts.length;
      return inner.embed(texts);
    },
  };
  return embedder;
}

function scenario(getSql: () => SqlClient, table: () => string): void {
  before(async () => {
    await migrateLongTermMemory(getSql(), { table: table(), dimensions: OLD.dimensions });
    await checkMemoryEmbedder(getSql(), { table: table(), identity: OLD });
    await new PgLongTermMemory({ sql: getSql(), table: table(), embedder: new HashingEmbedder({ dimensions: 16 }) }).rememberAll(memories);
  });

  const recallHorse = async (dimensions: number) => {
    const memory = new PgLongTermMemory({ sql: getSql(), table: table(), embedder: new HashingEmbedder({ dimensions }), now: () => NOW });
    return memory.recall({ user_id: "ada", character_id: "captain", text: "what is my horse named?", limit: 3 });
  };

  test("a start with another embedder is refused with one line that says what to do", async () => {
    await checkMemoryEmbedder(getSql(), { table: table(), identity: OLD });
    await assert.rejects(checkMemoryEmbedder(getSql(), { table: table(), identity: NEW }), (err: Error) => {
      assert.ok(err instanceof StartupError);
      assert.doesNotMatch(err.message, /\n/);
      assert.match(err.message, /local\/hashing-v\d+\/16.*local\/hashing-v\d+\/32.*npm run memory:reembed/);
      return true;
    });
    await assert.rejects(checkMemoryEmbedder(getSql(), { table: table(), identity: { kind: "openai", model: "text-embedding-3-small", dimensions: 16 } }), StartupError);
  });

  test("a re-embedding that stops halfway loses nothing, and the next run finishes only what is left", async () => {
    const failing = countingEmbedder(32, 20);
    await assert.rejects(reembedMemories({ sql: getSql(), table: table(), embedder: failing, identity: NEW, batch: 10 }), /went away/);
    // Halfway: the old space still serves, and a start with the old settings still goes.
    assert.deepEqual((await readEmbedderRecord(getSql(), table()))?.current, OLD);
    await checkMemoryEmbedder(getSql(), { table: table(), identity: OLD });
    assert.match((await recallHorse(16))[0]!.content, /Thunderhoof/);

    const progress: Array<[number, number]> = [];
    const resumed = countingEmbedder(32);
    const embedded = await reembedMemories({ sql: getSql(), table: table(), embedder: resumed, identity: NEW, batch: 10, onProgress: (d, t) => progress.push([d, t]) });
    assert.equal(embedded, 10);
    assert.equal(resumed.texts, 10);
    assert.deepEqual(progress, [[20, 30], [30, 30]]);

    const record = await readEmbedderRecord(getSql(), table());
    assert.deepEqual(record, { current: NEW, next: null });
    await checkMemoryEmbedder(getSql(), { table: table(), identity: NEW });
    await assert.rejects(checkMemoryEmbedder(getSql(), { table: table(), identity: OLD }), StartupError);
    const { rows } = await getSql().query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table()}`);
    assert.equal(rows[0]!.n, "30");
    assert.match((await recallHorse(32))[0]!.content, /Thunderhoof/);
    // Done is done: a second run embeds nothing.
    assert.equal(await reembedMemories({ sql: getSql(), table: table(), embedder: countingEmbedder(32), identity: NEW }), 0);
  });

  test("memories stored before embedders were recorded are refused until re-embedded", async () => {
    const legacy = `${table()}_legacy`;
    await migrateLongTermMemory(getSql(), { table: legacy, dimensions: 16 });
    await new PgLongTermMemory({ sql: getSql(), table: legacy, embedder: new HashingEmbedder({ dimensions: 16 }) }).rememberAll(memories.slice(0, 3));
    await assert.rejects(checkMemoryEmbedder(getSql(), { table: legacy, identity: OLD }), /vector space is unknown.*npm run memory:reembed/);
    assert.equal(await reembedMemories({ sql: getSql(), table: legacy, embedder: countingEmbedder(16), identity: OLD }), 3);
    await checkMemoryEmbedder(getSql(), { table: legacy, identity: OLD });
  });
}

describe("memory embedder record and re-embedding, PostgreSQL", () => {
  const schema = `reembed_${randomBytes(4).toString("hex")}`;
  let client: pg.Client;
  before(async () => {
    client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
  });
  after(async () => {
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    await client.end();
  });
  scenario(() => client, () => `${schema}.memories`);
});

describe("memory embedder record and re-embedding, embedded PGlite", () => {
  const dir = mkdtempSync(join(tmpdir(), "parley-reembed-"));
  let db: PGlite;
  before(async () => { db = await openEmbeddedPostgres(dir); });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  scenario(() => db, () => "memories");
});
