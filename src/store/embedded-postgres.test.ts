import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOCK_FILE_NAME, openEmbeddedPostgres } from "./embedded-postgres.ts";
import type { SqlClient } from "./sql.ts";

describe("openEmbeddedPostgres", () => {
  let root: string;

  before(() => {
    root = mkdtempSync(join(tmpdir(), "parley-pglite-"));
  });

  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  test("keeps data across close and reopen, with pgvector available", async () => {
    const dir = join(root, "persist");
    const first = await openEmbeddedPostgres(dir);
    const sql: SqlClient = first;
    await sql.query("CREATE TABLE notes (id int PRIMARY KEY, body text, v vector(3))");
    await sql.query("INSERT INTO notes VALUES ($1, $2, $3)", [1, "hello", "[1,0,0]"]);
    assert.equal(readFileSync(join(dir, LOCK_FILE_NAME), "utf8").trim(), String(process.pid));
    await first.close();
    assert.equal(existsSync(join(dir, LOCK_FILE_NAME)), false);

    const second = await openEmbeddedPostgres(dir);
    try {
      const { rows } = await second.query<{ body: string; d: number }>(
        "SELECT body, v <=> $1 AS d FROM notes WHERE id = 1",
        ["[0,1,0]"],
      );
      assert.deepEqual(rows, [{ body: "hello", d: 1 }]);
    } finally {
      await second.close();
    }
  });

  test("refuses a second open of the same folder in this process", async () => {
    const dir = join(root, "twice");
    const db = await openEmbeddedPostgres(dir);
    try {
      await assert.rejects(openEmbeddedPostgres(join(dir, ".")), /already open in this process/);
      const { rows } = await db.query<{ one: number }>("SELECT 1 AS one");
      assert.deepEqual(rows, [{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  test("refuses a folder locked by another live process, takes over a stale lock", async () => {
    const dir = join(root, "locked");
    const first = await openEmbeddedPostgres(dir);
    await first.close();

    writeFileSync(join(dir, LOCK_FILE_NAME), `${process.ppid}\n`);
    await assert.rejects(openEmbeddedPostgres(dir), new RegExp(`in use by process ${process.ppid}`));
    assert.equal(readFileSync(join(dir, LOCK_FILE_NAME), "utf8").trim(), String(process.ppid));

    // No process can have this pid: above the kernel's pid_max.
    writeFileSync(join(dir, LOCK_FILE_NAME), "2147483646\n");
    const db = await openEmbeddedPostgres(dir);
    try {
      assert.equal(readFileSync(join(dir, LOCK_FILE_NAME), "utf8").trim(), String(process.pid));
    } finally {
      await db.close();
    }
  });
});
