import assert from "node:assert/strict";
import { it } from "node:test";
import pg from "pg";
import { withSessionSetting } from "./storage.ts";

const URL_ = process.env.PARLEY_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/parley_test";

it("adds a session setting beside the options a connection string already has", async () => {
  const url = withSessionSetting(`${URL_}?options=${encodeURIComponent("-c search_path=public")}`, "hnsw.iterative_scan", "relaxed_order");
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const { rows } = await pool.query("SELECT current_setting('search_path') AS path, current_setting('hnsw.iterative_scan') AS scan");
    assert.deepEqual(rows[0], { path: "public", scan: "relaxed_order" });
  } finally {
    await pool.end();
  }
});
