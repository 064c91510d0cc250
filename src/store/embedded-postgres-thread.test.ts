import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { EMBEDDED_DB_BUSY, LOCK_FILE_NAME } from "./embedded-postgres.ts";
import { openEmbeddedPostgresInWorker } from "./embedded-postgres-thread.ts";

describe("openEmbeddedPostgresInWorker", () => {
  const dir = mkdtempSync(join(tmpdir(), "parley-pglite-thread-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("answers queries from its own thread: parameters, dates and vectors go through, errors keep their code", async () => {
    const db = await openEmbeddedPostgresInWorker(dir);
    try {
      assert.ok(existsSync(join(dir, LOCK_FILE_NAME)), "the folder is locked while open");
      await db.query("CREATE TABLE t (id int PRIMARY KEY, at timestamptz, v vector(3))");
      const at = new Date("2026-01-02T03:04:05.678Z");
      await db.query("INSERT INTO t VALUES ($1, $2, $3::vector)", [1, at, "[1,2,3]"]);
      const { rows } = await db.query<{ id: number; at: Date; d: number }>("SELECT id, at, v <-> '[1,2,4]'::vector AS d FROM t");
      assert.equal(rows[0]!.id, 1);
      assert.ok(rows[0]!.at instanceof Date);
      assert.equal(rows[0]!.at.getTime(), at.getTime());
      assert.equal(rows[0]!.d, 1);
      await assert.rejects(db.query("INSERT INTO t VALUES (1, now(), '[0,0,0]')"), (err: Error & { code?: string }) =>
        /duplicate key/.test(err.message) && err.code === "23505");
      const many = await Promise.all(Array.from({ length: 50 }, (_, i) => db.query<{ n: number }>("SELECT $1::int AS n", [i])));
      assert.deepEqual(many.map((r) => r.rows[0]!.n), Array.from({ length: 50 }, (_, i) => i));
    } finally {
      await db.close();
    }
  });

  it("refuses a second open of the same folder in this process, and opens again after close", async () => {
    const db = await openEmbeddedPostgresInWorker(dir);
    await assert.rejects(openEmbeddedPostgresInWorker(join(dir, ".")), /already open in this process/);
    await db.close();
    assert.equal(existsSync(join(dir, LOCK_FILE_NAME)), false, "the lock goes with the close");
    const again = await openEmbeddedPostgresInWorker(dir);
    const { rows } = await again.query<{ n: string }>("SELECT count(*)::text AS n FROM t");
    assert.equal(rows[0]!.n, "1", "the data was kept");
    await again.close();
    await assert.rejects(again.query("SELECT 1"), /worker exited/, "a closed database refuses queries instead of hanging");
  });

  it("creates a new folder in a child process, which reports a folder another live process holds with its code", async () => {
    const fresh = join(dir, "held");
    mkdirSync(fresh);
    writeFileSync(join(fresh, LOCK_FILE_NAME), `${process.ppid}\n`);
    await assert.rejects(openEmbeddedPostgresInWorker(fresh), (err: Error & { code?: string }) =>
      err.code === EMBEDDED_DB_BUSY && new RegExp(`in use by process ${process.ppid}`).test(err.message));
    assert.equal(existsSync(join(fresh, "PG_VERSION")), false, "nothing was created under another process's lock");

    rmSync(join(fresh, LOCK_FILE_NAME));
    const db = await openEmbeddedPostgresInWorker(fresh);
    try {
      assert.ok(existsSync(join(fresh, "PG_VERSION")), "created once the folder was free");
      const { rows } = await db.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'");
      assert.equal(rows.length, 1, "with pgvector");
    } finally {
      await db.close();
    }
  });
});
