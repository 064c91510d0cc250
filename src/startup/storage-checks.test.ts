import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryDimensionsError } from "../memory/pg-memory-schema.ts";
import { StartupError } from "./startup-error.ts";
import { explainMigrationError, urlForMessage } from "./storage-checks.ts";

/** What PostgreSQL answers CREATE EXTENSION vector without pgvector installed, and without the right to create it. */
const pgErrors = [
  Object.assign(new Error('could not open extension control file "/usr/share/postgresql/16/extension/vector.control": No such file or directory'), { code: "58P01" }),
  Object.assign(new Error('permission denied to create extension "vector"'), { code: "42501" }),
];

test("a server refusing CREATE EXTENSION vector is one line saying what to run", () => {
  for (const err of pgErrors) {
    const explained = explainMigrationError(err, false);
    assert.ok(explained instanceof StartupError, err.message);
    assert.equal(explained.setting, "DATABASE_URL");
    assert.match(explained.message, /CREATE EXTENSION vector;/);
    assert.match(explained.message, /pgvector\/pgvector/);
  }
});

test("other database errors keep their stack: they are not the operator's to fix", () => {
  const err = new Error('relation "chat_logs" violates something unexpected');
  assert.equal(explainMigrationError(err, false), err);
  assert.equal(explainMigrationError(pgErrors[0], true), pgErrors[0], "the embedded database ships pgvector: a failure there is a bug");
});

test("a memories table of another vector size names both sizes and the fix", () => {
  const explained = explainMigrationError(new MemoryDimensionsError("memories", 1536, 256), false);
  assert.ok(explained instanceof StartupError);
  assert.equal(explained.message, "EMBEDDING_DIMENSIONS: is 256, but the table memories holds vectors of 1536 dimensions; set EMBEDDING_DIMENSIONS=1536, or rename the table (ALTER TABLE memories RENAME TO memories_1536) so a new one is made");
});

test("URLs in messages lose their credentials", () => {
  assert.equal(urlForMessage("postgres://parley:s3cret@db:5432/parley"), "postgres://db:5432/parley");
  assert.equal(urlForMessage("redis://:pw@cache:6379"), "redis://cache:6379");
});
