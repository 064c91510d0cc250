/**
 * A process loads only the drivers its settings use: on the embedded default neither Redis,
 * PostgreSQL, MongoDB nor LangChain's model client is in memory (about a fifth of an idle process,
 * npm run bench:idle-rss), and the embedded database is loaded by its worker thread only.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startParleyProcess } from "../testing/process-cluster.ts";
import { TEST_DATABASE_URL } from "../testing/pg-schema.ts";
import { LOADED_PACKAGE_PREFIX } from "../testing/report-packages.ts";

const REPORTER = fileURLToPath(new URL("../testing/report-packages.ts", import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const DRIVERS = ["ioredis", "pg", "mongodb", "@langchain/openai", "@electric-sql/pglite"];

async function packagesLoadedBy(env: Record<string, string>): Promise<Set<string>> {
  const parley = await startParleyProcess({ env: { LOG_LEVEL: "info", NODE_OPTIONS: `--import=${REPORTER}`, ...env } });
  try {
    return new Set(parley.logs.filter((l) => l.startsWith(LOADED_PACKAGE_PREFIX)).map((l) => l.slice(LOADED_PACKAGE_PREFIX.length)));
  } finally {
    await parley.stop();
  }
}

test("the embedded default loads none of the drivers on its main thread", async () => {
  const loaded = await packagesLoadedBy({});
  assert.ok(loaded.has("@colyseus/core"), `the reporter saw the packages: ${[...loaded].join(", ")}`);
  assert.deepEqual(DRIVERS.filter((d) => loaded.has(d)), []);
});

test("each driver is loaded when its setting asks for it", async () => {
  const loaded = await packagesLoadedBy({
    REDIS_URL, DATABASE_URL: TEST_DATABASE_URL,
    // The model is never asked: its probe fails fast and is only a warning.
    MODEL_CLIENT: "langchain", OPENAI_BASE_URL: "http://127.0.0.1:1/v1",
  });
  assert.deepEqual(["ioredis", "pg", "@langchain/openai"].filter((d) => !loaded.has(d)), []);
});
