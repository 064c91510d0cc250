/** What start-up checks of the stores report when a store cannot be used: one line, and what to do. */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MemoryDimensionsError } from "../memory/pg-memory-schema.ts";
import { EMBEDDED_DB_BUSY } from "../store/embedded-folder-lock.ts";
import { describeError, errorCode, StartupError } from "./startup-error.ts";

/**
 * How long a store named by a URL may take to answer at start. A reachable Redis or PostgreSQL
 * answers in milliseconds; a closed port or a dropped packet should end the start in seconds, not
 * in a minute of reconnect attempts.
 */
export const STORE_CHECK_MS = 5_000;

/** host:port/path of a URL, without its credentials, for messages. */
export function urlForMessage(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}

/** Creates `dir` and writes a file in it, so an unwritable folder fails now rather than deep in the database. */
export async function checkWritable(dir: string, setting = "DATA_DIR"): Promise<void> {
  const probe = join(dir, `.parley-write-check-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, "");
    await rm(probe, { force: true });
  } catch (err) {
    throw new StartupError(setting, `cannot write to ${dir} (${describeError(err)})`,
      "give the server's user write access to it, choose another DATA_DIR, or set DATABASE_URL");
  }
}

/** The embedded database failed to open: a folder held by another process is the operator's to fix. */
export function explainEmbeddedOpenError(err: unknown, dir: string): unknown {
  if (errorCode(err) === EMBEDDED_DB_BUSY) {
    return new StartupError("DATA_DIR", `the embedded database in ${dir} is in use by another Parley process`,
      "stop that process, give this one its own DATA_DIR, or set DATABASE_URL to share a PostgreSQL server");
  }
  if (errorCode(err) === "EACCES" || errorCode(err) === "EROFS" || errorCode(err) === "EPERM") {
    return new StartupError("DATA_DIR", `cannot write the embedded database in ${dir} (${describeError(err)})`,
      "give the server's user write access to it, choose another DATA_DIR, or set DATABASE_URL");
  }
  return err;
}

/** A failed connection to the PostgreSQL server of `DATABASE_URL`. */
export function databaseUnreachable(url: string): (err: unknown) => StartupError {
  return (err) => new StartupError("DATABASE_URL", `cannot use PostgreSQL at ${urlForMessage(url)} (${describeError(err)})`,
    "start PostgreSQL (with pgvector) there, or fix DATABASE_URL; unset it to use the embedded database");
}

/**
 * A migration that failed for a reason the operator can fix: pgvector missing or not allowed
 * (`could not open extension control file`, `permission denied to create extension`), or a memories
 * table of another vector size. Anything else is returned as it is.
 */
export function explainMigrationError(err: unknown, embedded: boolean): unknown {
  if (err instanceof MemoryDimensionsError) {
    return new StartupError("EMBEDDING_DIMENSIONS",
      `is ${err.wanted}, but the table ${err.table} holds vectors of ${err.existing} dimensions`,
      `set EMBEDDING_DIMENSIONS=${err.existing}, or rename the table (ALTER TABLE ${err.table} RENAME TO ${err.table}_${err.existing}) so a new one is made`);
  }
  const message = err instanceof Error ? err.message : "";
  if (err instanceof Error && err.name === "MongoServerSelectionError") {
    return new StartupError("MONGODB_URL", `no answer from MongoDB (${describeError(err)})`,
      "start MongoDB, fix MONGODB_URL, or unset it to keep chat logs in PostgreSQL");
  }
  if (!embedded && /extension/i.test(message) && /vector/i.test(message)) {
    return new StartupError("DATABASE_URL", `PostgreSQL refused CREATE EXTENSION vector (${describeError(err)})`,
      "install pgvector on the server (the pgvector/pgvector image has it) and run CREATE EXTENSION vector; in that database as a superuser (once; Parley then needs no superuser)");
  }
  return err;
}
