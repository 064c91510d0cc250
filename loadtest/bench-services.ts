/**
 * The "services" store of the benchmark: PostgreSQL with pgvector and Redis, as a production
 * deployment runs them. The bench uses its own database, emptied before every run.
 */
import pg from "pg";
import { Redis } from "ioredis";

export type Store = "embedded" | "services";

/** Creates the bench database and pgvector in it; the reason when the services cannot be used. */
export async function prepareServices(databaseUrl: string, redisUrl: string): Promise<string | null> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `database name "${name}" is not a plain identifier`;
  const admin = new URL(databaseUrl);
  admin.pathname = "/postgres";
  try {
    await withClient(admin.toString(), async (c) => {
      const { rowCount } = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (!rowCount) await c.query(`CREATE DATABASE "${name}"`);
    });
    await withClient(databaseUrl, (c) => c.query("CREATE EXTENSION IF NOT EXISTS vector"));
  } catch (err) {
    return `PostgreSQL at ${target.host}: ${(err as Error).message}`;
  }
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    return `Redis at ${redisUrl}: ${(err as Error).message}`;
  } finally {
    redis.disconnect();
  }
  return null;
}

/**
 * Drops what Parley keeps, so a run neither pays for nor benefits from earlier runs' rows, and
 * Parley creates its tables and indexes as the current code defines them.
 */
export async function emptyServiceTables(databaseUrl: string): Promise<void> {
  await withClient(databaseUrl, async (c) => {
    await c.query("DROP TABLE IF EXISTS chat_logs, memories");
  });
}

async function withClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
