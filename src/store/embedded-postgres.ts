import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { claimFolder, removeOwnLock, takeLock } from "./embedded-folder-lock.ts";

export { EMBEDDED_DB_BUSY, LOCK_FILE_NAME } from "./embedded-folder-lock.ts";

/**
 * PostgreSQL's settings for the embedded database. Its defaults are sized for a server shared by
 * 100 connections; PGlite is one session, and its memory lives in the WASM heap, which never gives
 * pages back. The default 128 MB of shared buffers made the heap grow to 189 MB at the first start
 * (and Parley idle at 650 MB RSS); 16 MB keeps the heap at its 128 MB floor. Pages that miss the
 * buffers are read from the operating system's file cache, not the disk.
 */
export const EMBEDDED_SETTINGS: Readonly<Record<string, string>> = Object.freeze({
  shared_buffers: "16MB",
  // Scales with shared_buffers by default (1/32, so 512 kB here); named so the figure is visible.
  wal_buffers: "512kB",
});

class LockedPGlite extends PGlite {
  release: () => void = () => {};

  override async close(): Promise<void> {
    try {
      if (!this.closed) await super.close();
    } finally {
      this.release();
    }
  }
}

/**
 * Opens (creating if needed) an embedded PostgreSQL with pgvector whose data lives in
 * `dataDir`. The folder is locked to this instance until `close()`: a second open in this
 * process, or an open while another live process holds the lock file, is refused.
 */
export async function openEmbeddedPostgres(dataDir: string): Promise<PGlite> {
  const folder = resolve(dataDir);
  const unclaim = claimFolder(folder);
  let lockPath: string | undefined;
  const release = (): void => {
    if (lockPath !== undefined) removeOwnLock(lockPath);
    lockPath = undefined;
    unclaim();
  };
  try {
    mkdirSync(folder, { recursive: true });
    lockPath = takeLock(folder);
    const startParams = [...PGlite.defaultStartParams, ...Object.entries(EMBEDDED_SETTINGS).flatMap(([name, value]) => ["-c", `${name}=${value}`])];
    const db = new LockedPGlite(folder, { extensions: { vector }, startParams });
    db.release = release;
    try {
      await db.waitReady;
      await db.exec("CREATE EXTENSION IF NOT EXISTS vector");
    } catch (error) {
      await db.close().catch(() => {});
      throw error;
    }
    return db;
  } catch (error) {
    release();
    throw error;
  }
}
