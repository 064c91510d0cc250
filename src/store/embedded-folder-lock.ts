/**
 * Who has an embedded data folder open. Kept apart from the database itself so the main thread,
 * which only starts the database's worker, does not load PGlite.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync } from "node:fs";
import { join, resolve } from "node:path";

/** Lives in the data folder; holds the pid of the process that has the folder open. */
export const LOCK_FILE_NAME = "parley.lock";
/** The code of the error thrown when another process holds the folder. */
export const EMBEDDED_DB_BUSY = "EMBEDDED_DB_BUSY";

// PGlite is a single session inside this process and takes no lock of its own: two
// instances on one folder would corrupt it, so this process keeps track of what it opened.
const openFolders = new Set<string>();

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

export function takeLock(folder: string): string {
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

export function removeOwnLock(lockPath: string): void {
  if (readLockPid(lockPath) === process.pid) rmSync(lockPath, { force: true });
}
