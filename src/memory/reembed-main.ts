/**
 * `npm run memory:reembed`: re-embeds the memories table with the embedder the current settings
 * choose (EMBEDDINGS, EMBEDDING_MODEL, EMBEDDING_DIMENSIONS), so Parley starts with them. Stop
 * Parley first; the command is resumable: run it again after an interruption.
 */
import { resolve } from "node:path";
import pg from "pg";
import { loadConfig } from "../config.ts";
import { openEmbeddedPostgres } from "../store/embedded-postgres.ts";
import type { SqlClient } from "../store/sql.ts";
import { chooseEmbedder, createEmbedder, describeEmbedder, embedderIdentity, embedderSettings } from "./embedder-choice.ts";
import { migrateLongTermMemory } from "./pg-memory-schema.ts";
import { reembedMemories } from "./reembed.ts";

const config = loadConfig();
const decision = await chooseEmbedder(embedderSettings(config));
if (decision.warning) console.error(decision.warning);
const identity = embedderIdentity(decision.settings);
const embedder = createEmbedder(decision.settings);

let sql: SqlClient;
let close: () => Promise<void>;
if (config.databaseUrl) {
  const client = new pg.Client({ connectionString: config.databaseUrl });
  await client.connect();
  sql = client;
  close = () => client.end();
} else {
  const db = await openEmbeddedPostgres(resolve(config.dataDir, "pglite"));
  sql = db;
  close = () => db.close();
}

try {
  await migrateLongTermMemory(sql, { dimensions: config.memory.dimensions, vectorIndex: "none" });
  const started = performance.now();
  let last = 0;
  const count = await reembedMemories({
    sql, embedder, identity,
    onProgress: (done, total) => {
      if (done === total || performance.now() - last > 1000) {
        last = performance.now();
        console.error(`re-embedding with ${describeEmbedder(identity)}: ${done}/${total}`);
      }
    },
  });
  console.error(count === 0
    ? `memories already use ${describeEmbedder(identity)}`
    : `re-embedded ${count} memories with ${describeEmbedder(identity)} in ${((performance.now() - started) / 1000).toFixed(1)} s; start Parley (with MEMORY_VECTOR_INDEX=hnsw the graph is built again at start)`);
} finally {
  embedder.close?.();
  await close();
}
