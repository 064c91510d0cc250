/**
 * One process at a time migrates a PostgreSQL database: processes starting together would race on
 * CREATE ... IF NOT EXISTS. The lock is an advisory lock, taken by polling rather than waited for:
 * a session waiting inside `pg_advisory_lock` holds a snapshot, and the holder's
 * `CREATE INDEX CONCURRENTLY` waits for every older snapshot to go, so the two would wait for each
 * other for ever.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";

const LOCK_KEY = "parley-migrations";
const POLL_MS = 100;

export async function withMigrationLock<T>(pool: pg.Pool, work: () => Promise<T>, pollMs = POLL_MS): Promise<T> {
  const lock = await pool.connect();
  try {
    for (;;) {
      const { rows } = await lock.query<{ taken: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS taken", [LOCK_KEY]);
      if (rows[0]?.taken) break;
      await sleep(pollMs);
    }
    try {
      return await work();
    } finally {
      await lock.query("SELECT pg_advisory_unlock(hashtext($1))", [LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    lock.release();
  }
}
