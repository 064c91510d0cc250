import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { HashingEmbedder } from "../../src/memory/hashing-embedder.ts";
import { openEmbeddedPostgres } from "../../src/store/embedded-postgres.ts";
import { evalDataset, unrelatedExchanges } from "./dataset.ts";
import { loadStore, percentile, scoreQuestions } from "./recall-eval.ts";

describe("memory eval data", () => {
  test("is the same in every run, with 50 facts in two languages among the unrelated memories", () => {
    const a = evalDataset({ unrelated: 1000 });
    const b = evalDataset({ unrelated: 1000 });
    assert.deepEqual(a, b);
    assert.equal(a.memories.length, 1050);
    assert.equal(a.questions.length, 50);
    assert.equal(a.questions.filter((q) => q.fact.language === "zh").length, 25);
    const contents = new Set(a.memories.map((m) => m.content));
    assert.equal(contents.size, 1050, "every memory is distinct, so a hit is unambiguous");
    for (const q of a.questions) assert.ok(contents.has(q.answer));
    assert.ok(a.memories.every((m) => m.created_at < a.now));
  });

  test("no unrelated memory answers a question: none mentions a fact's key words", () => {
    const others = unrelatedExchanges(1000).map((o) => `${o.said} ${o.answered}`).join("\n");
    for (const key of ["Mei Ling", "Biscuit", "Thunderhoof", "Pepper", "小雨", "豆豆", "年糕", "麻婆豆腐", "龙井"]) {
      assert.ok(!others.includes(key), key);
    }
  });

  test("percentile takes the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 99), 99);
  });
});

describe("memory eval, small, in the embedded database", () => {
  const dir = mkdtempSync(join(tmpdir(), "parley-memory-eval-test-"));
  let db: PGlite;
  before(async () => { db = await openEmbeddedPostgres(dir); });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the local embedder keeps its floor at 200 unrelated memories", async () => {
    const dataset = evalDataset({ unrelated: 200 });
    const handle = await loadStore({ sql: db, table: "eval_small", embedder: new HashingEmbedder({ dimensions: 256 }), vectorEncoding: "text", recallLimit: 4 }, dataset);
    const result = await scoreQuestions(handle, dataset);
    await handle.close();
    // The floor is what hashing-v2 reaches today (README, Memory eval), less a margin: a change
    // that makes recall worse fails here.
    assert.ok(result.all.hit3 >= FLOOR_HIT3, `hit@3 ${result.all.hit3}/50 < ${FLOOR_HIT3}; missed:\n${result.misses.join("\n")}`);
  });
});

const FLOOR_HIT3 = 30;
