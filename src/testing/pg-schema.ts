import { randomUUID } from "node:crypto";
import pg from "pg";

export const TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * A schema of its own for one test run, and a pool whose every connection uses it.
 * `drop` ends the pool and removes the schema.
 */
export interface TestSchema {
  name: string;
  /** A pool whose connections use the schema; give it to the code under test. */
  pool: pg.Pool;
  /** Builds another pool on the same schema, e.g. one that goes through a proxy. */
  poolOptions(connectionString?: string): pg.PoolConfig;
  drop(): Promise<void>;
}

export async function createTestSchema(connectionString = TEST_DATABASE_URL): Promise<TestSchema> {
  const name = `parley_test_${randomUUID().replaceAll("-", "")}`;
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${name}`);
  } finally {
    await admin.end();
  }
  const poolOptions = (url = connectionString): pg.PoolConfig => ({
    connectionString: url,
    options: `-c search_path=${name}`,
    max: 4,
  });
  const pool = new pg.Pool(poolOptions());
  return {
    name,
    pool,
    poolOptions,
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA ${name} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
