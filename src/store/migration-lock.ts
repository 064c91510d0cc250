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

export interface MigrationLockOptions {
  pollMs?: number;
  /** Called once if another process holds the lock, so a start that waits says why. */
  onWait?: () => void;
}

export async function withMigrationLock<T>(pool: pg.Pool, work: () => Promise<T>, options: MigrationLockOptions = {}): Promise<T> {
  const lock = await pool.connect();
  try {
    for (let waited = false; ; waited = true) {
      const { rows } = await lock.query<{ taken: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS taken", [LOCK_KEY]);
      if (rows[0]?.taken) break;
      if (!waited) options.onWait?.();
      await sleep(options.pollMs ?? 100);
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
