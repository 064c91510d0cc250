import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { migrateLongTermMemory } from "../memory/pg-memory-schema.ts";
import { withMigrationLock } from "./migration-lock.ts";
import { until } from "../testing/until.ts";

const DATABASE_URL = process.env.PARLEY_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/parley_test";
const STARTS = 3;

describe("withMigrationLock on PostgreSQL", () => {
  const schema = `parley_test_migrate_${process.pid}_${randomBytes(4).toString("hex")}`;
  const pools: pg.Pool[] = [];

  before(async () => {
    for (let i = 0; i < STARTS; i++) pools.push(new pg.Pool({ connectionString: DATABASE_URL, max: 3 }));
    await pools[0]!.query(`CREATE SCHEMA "${schema}"`);
  });

  after(async () => {
    await pools[0]?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await Promise.all(pools.map((p) => p.end()));
  });

  test("lets one process at a time in", async () => {
    let inside = 0;
    let most = 0;
    await Promise.all(pools.map((pool) => withMigrationLock(pool, async () => {
      most = Math.max(most, ++inside);
      // Deliberately holds the lock a while, so that another process would overlap if it could.
      await sleep(50);
      inside -= 1;
    }, { pollMs: 10 })));
    assert.equal(most, 1);
  });

  test("says once that it waits, while another process holds the lock", async () => {
    let waits = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => { entered = resolve; });
    const holder = withMigrationLock(pools[0]!, async () => { entered(); await held; });
    await inside;
    const waiter = withMigrationLock(pools[1]!, async () => "after", { pollMs: 10, onWait: () => { waits += 1; } });
    await until(() => waits === 1, "the second process waiting");
    release();
    await holder;
    assert.equal(await waiter, "after");
    assert.equal(waits, 1);
  });

  test("processes starting together all build the concurrent indexes, none waiting on another for ever", async () => {
    // A waiter blocked inside pg_advisory_lock would hold a snapshot that the holder's
    // CREATE INDEX CONCURRENTLY waits for: this hung before the lock was polled.
    const table = `${schema}.memories`;
    const starts = Promise.all(pools.map((pool) =>
      withMigrationLock(pool, () => migrateLongTermMemory(pool, { table, dimensions: 4, vectorIndex: "hnsw" }))));
    const hung = sleep(20_000, "hung", { ref: false });
    assert.notEqual(await Promise.race([starts, hung]), "hung");
    const { rows } = await pools[0]!.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = $1 AND tablename = 'memories'", [schema]);
    assert.equal(rows[0]!.n, 3);
  });

  test("lets go of the lock when the work fails", async () => {
    await assert.rejects(withMigrationLock(pools[0]!, async () => { throw new Error("bad migration"); }), /bad migration/);
    assert.equal(await withMigrationLock(pools[1]!, async () => "next"), "next");
  });
});
