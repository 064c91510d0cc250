import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";

/** Lives in the data folder; holds the pid of the process that has the folder open. */
export const LOCK_FILE_NAME = "parley.lock";
/** The code of the error thrown when another process holds the folder. */
export const EMBEDDED_DB_BUSY = "EMBEDDED_DB_BUSY";

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

// PGlite is a single session inside this process and takes no lock of its own: two
// instances on one folder would corrupt it, so this process keeps track of what it opened.
const openFolders = new Set<string>();

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

/**
 * Marks a data folder as open in this thread; the returned function releases it. Throws if it is
 * open already. (A worker thread has its own set: the one that starts the worker claims too.)
 */
export function claimFolder(dataDir: string): () => void {
  const folder = resolve(dataDir);
  if (openFolders.has(folder)) {
    throw new Error(`embedded PostgreSQL: ${folder} is already open in this process`);
  }
  openFolders.add(folder);
  return () => { openFolders.delete(folder); };
}

function takeLock(folder: string): string {
  const lockPath = join(folder, LOCK_FILE_NAME);
  const holder = readLockPid(lockPath);
  if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
    throw Object.assign(new Error(
      `embedded PostgreSQL: ${folder} is in use by process ${holder} (lock file ${lockPath})`,
    ), { code: EMBEDDED_DB_BUSY });
  }
  // The holder is gone (or was an earlier run that reused this pid): the lock is stale.
  if (holder !== undefined) rmSync(lockPath, { force: true });
  let fd: number;
  try {
    fd = openSync(lockPath, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw Object.assign(new Error(`embedded PostgreSQL: ${folder} was locked by another process just now`), { code: EMBEDDED_DB_BUSY });
    }
    throw error;
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  return lockPath;
}

function readLockPid(lockPath: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(lockPath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const pid = Number.parseInt(text.trim(), 10);
  // An unreadable lock file is treated as stale rather than blocking the folder forever.
  return Number.isSafeInteger(pid) && pid > 0 ? pid : 0;
}

function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function removeOwnLock(lockPath: string): void {
  if (readLockPid(lockPath) === process.pid) rmSync(lockPath, { force: true });
}
