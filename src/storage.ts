/**
 * Opens Parley's stores once: chat logs (MongoDB, PostgreSQL or embedded), the context window
 * (Redis or in process) and long-term memory (pgvector on PostgreSQL or embedded), and closes them once.
 */
import { join, resolve } from "node:path";
import type { Redis } from "ioredis";
import { redisOptionsFromUrl } from "./ops/redis-options.ts";
import type { Config } from "./config.ts";
import type { Logger } from "./logger.ts";
import type { ContextWindow } from "./memory/context-window.ts";
import { chooseEmbedder, createEmbedder, embedderIdentity, embedderSettings } from "./memory/embedder-choice.ts";
import { InProcessContextWindow } from "./memory/in-process-context-window.ts";
import type { Embedder, LongTermMemory } from "./memory/long-term-memory.ts";
import { checkMemoryEmbedder } from "./memory/memory-embedder-record.ts";
import { migrateLongTermMemory } from "./memory/pg-memory-schema.ts";
import { PgLongTermMemory } from "./memory/pg-long-term-memory.ts";
import { RebuildingContextWindow } from "./memory/rebuilding-context-window.ts";
import { RedisContextWindow } from "./memory/redis-context-window.ts";
import { SharingEmbedder } from "./memory/sharing-embedder.ts";
import { migrateSessionSummaries, PgSessionSummaryStore, type SessionSummaryStore } from "./memory/session-summary-store.ts";
import { DurableChatLog } from "./store/durable-chat-log.ts";
import { withMigrationLock } from "./store/migration-lock.ts";
import { openChatLogStore } from "./store/open-chat-log-store.ts";
import type { SqlClient } from "./store/sql.ts";
import { StartupError, describeError, within } from "./startup/startup-error.ts";
import {
  STORE_CHECK_MS, checkWritable, databaseUnreachable, explainEmbeddedOpenError, explainMigrationError, urlForMessage,
} from "./startup/storage-checks.ts";

/** The context window lives 30 minutes after its last use. */
const CONTEXT_TTL_SECONDS = 30 * 60;
/**
 * Vectors kept for texts embedded again soon: a turn's memory and the lookup after it share one.
 * They come within a few hundred milliseconds of each other; 512 covers seconds of turns at
 * hundreds a second, for about 1.5 MB of 256-dimension vectors.
 */
const RECENT_EMBEDDINGS = 512;
/** On shutdown, how long the chat logs may take to reach the database before the rest is spooled. */
const SHUTDOWN_FLUSH_MS = 1500;

/**
 * Adds a setting to every session of a connection string, beside any it already sets. Used so
 * filtered HNSW scans cannot come back short (relaxed iterative scans, pgvector >= 0.8) without a
 * query racing the first one on each new connection.
 */
export function withSessionSetting(url: string, name: string, value: string): string {
  const parsed = new URL(url);
  const options = parsed.searchParams.get("options");
  parsed.searchParams.set("options", `${options ? `${options} ` : ""}-c ${name}=${value}`);
  return parsed.toString();
}

/** Runs `f` once; later calls get the first call's promise. */
export function once(f: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= f());
}

export interface Storage {
  chatLog: DurableChatLog;
  context: ContextWindow;
  memory: LongTermMemory;
  /** Rolling summaries, beside the memories: they outlive the context window. */
  summaries: SessionSummaryStore;
  /** Shared by presence, the driver and the context window when `REDIS_URL` is set. */
  redis: Redis | undefined;
  describe: { chat_logs: string; context: string; memory: string };
  /** Each store's reachability, for `/readyz`. */
  checks: Record<string, () => Promise<void>>;
  close(): Promise<void>;
}

/**
 * Each store's driver is loaded only when its URL is set: a process holds in memory only the
 * drivers it uses (the embedded default loads neither `pg` nor `ioredis`).
 */
export async function openStorage(config: Config, log: Logger): Promise<Storage> {
  // The spool and the embedded database live there: a folder that cannot be written fails now.
  await checkWritable(config.dataDir);
  const redis = config.redisUrl ? new (await import("ioredis")).Redis({ ...redisOptionsFromUrl(config.redisUrl), maxRetriesPerRequest: 2, lazyConnect: false }) : undefined;
  let redisFailure: unknown;
  redis?.on("error", (err) => {
    redisFailure = err;
    log.warn({ err: err.message }, "redis connection error");
  });
  if (redis) {
    await within(STORE_CHECK_MS, redis.ping(), (err) => {
      redis.disconnect();
      return new StartupError("REDIS_URL", `no answer from Redis at ${urlForMessage(config.redisUrl!)} (${describeError(redisFailure ?? err)})`,
        "start Redis there, fix REDIS_URL, or unset it to run a single process without Redis");
    });
  }

  let sql: SqlClient;
  let closeSql: () => Promise<void>;
  let migrating: <T>(work: () => Promise<T>) => Promise<T> = (work) => work();
  if (config.databaseUrl) {
    const { default: pg } = await import("pg");
    const pool = new pg.Pool({ connectionString: withSessionSetting(config.databaseUrl, "hnsw.iterative_scan", "relaxed_order"), max: 10 });
    pool.on("error", (err) => log.warn({ err: err.message }, "postgres pool error"));
    const unreachable = databaseUnreachable(config.databaseUrl);
    await within(STORE_CHECK_MS, pool.query("SELECT 1"), (err) => {
      void pool.end().catch(() => undefined);
      return unreachable(err);
    });
    sql = pool;
    closeSql = () => pool.end();
    migrating = (work) => withMigrationLock(pool, work, {
      // No deadline: a graph over a large table may take minutes to build, and the start waits for it.
      onWait: () => log.info("another process is migrating the database; waiting for it"),
    });
  } else {
    const dir = resolve(config.dataDir, "pglite");
    await checkWritable(dir);
    const { openEmbeddedPostgresInWorker } = await import("./store/embedded-postgres-thread.ts");
    const embedded = await openEmbeddedPostgresInWorker(dir).catch((err: unknown) => { throw explainEmbeddedOpenError(err, dir); });
    log.info({ dir }, "using the embedded PostgreSQL (PGlite) for chat logs and memory");
    sql = embedded;
    closeSql = () => embedded.close();
  }

  const embedded = !config.databaseUrl;
  const { store, backend } = await migrating(() => openChatLogStore({ mongodbUrl: config.mongodbUrl }, { sql }))
    .catch((err: unknown) => { throw explainMigrationError(err, embedded); });
  const chatLog = new DurableChatLog({ store, spoolPath: join(config.dataDir, `chat-logs.${config.port}.spool.jsonl`), logger: log });
  await chatLog.open();

  const cache: ContextWindow = redis
    ? new RedisContextWindow({ redis, maxMessages: config.contextWindowMessages, ttlSeconds: CONTEXT_TTL_SECONDS })
    : new InProcessContextWindow({ maxMessages: config.contextWindowMessages, ttlSeconds: CONTEXT_TTL_SECONDS });
  const context = new RebuildingContextWindow(cache, chatLog, config.contextWindowMessages);

  // One probe of the endpoint decides (embedder-choice.ts); a store of another vector space refuses the start.
  const chosen = await chooseEmbedder(embedderSettings(config));
  if (chosen.warning) log.warn(chosen.warning);
  const embedder: Embedder = new SharingEmbedder(createEmbedder(chosen.settings), { maxTexts: RECENT_EMBEDDINGS });
  await migrating(async () => {
    await migrateLongTermMemory(sql, { dimensions: config.memory.dimensions, vectorIndex: config.memory.vectorIndex })
      .catch((err: unknown) => { throw explainMigrationError(err, embedded); });
    await checkMemoryEmbedder(sql, { identity: embedderIdentity(chosen.settings) });
    await migrateSessionSummaries(sql).catch((err: unknown) => { throw explainMigrationError(err, embedded); });
  });
  const memory = new PgLongTermMemory(config.databaseUrl
    ? { sql, embedder, vectorEncoding: "binary" }
    : { sql, embedder, rowsPerInsert: 1 });

  const checks: Record<string, () => Promise<void>> = {
    chat_logs: () => store.ping(),
    memory: async () => { await sql.query("SELECT 1"); },
  };
  if (redis) checks.redis = async () => { await redis.ping(); };

  return {
    chatLog, context, memory, redis, checks, summaries: new PgSessionSummaryStore(sql),
    describe: {
      chat_logs: backend === "mongodb" ? "mongodb" : config.databaseUrl ? "postgresql" : "embedded",
      context: redis ? "redis" : "in-process",
      memory: `${config.databaseUrl ? "postgresql" : "embedded"}+pgvector (${chosen.settings.kind} embeddings)`,
    },
    close: once(async () => {
      // The durable log flushes what it holds (or spools it for the next start) and closes its store.
      await chatLog.close(SHUTDOWN_FLUSH_MS);
      await context.close();
      await memory.close();
      embedder.close?.();
      await closeSql();
      await redis?.quit().catch(() => undefined);
    }),
  };
}
