/**
 * Which failed writes are worth retrying. A permanent error is the database refusing these records
 * as they are: the same write fails again however long we wait, so retrying it would block every
 * record behind it. Anything not known to be permanent (a refused connection, a timeout, a server
 * shutting down) is treated as transient and retried.
 */

/**
 * SQLSTATE classes that depend on the data, not on the server's health: 22 data exception
 * (e.g. 22021 a NUL byte, 22P05 an untranslatable character), 23 integrity constraint violation,
 * 42 syntax error or access rule violation. Classes 08 (connection), 53 (resources), 57 (operator
 * intervention, e.g. 57P01 admin shutdown) and 40 (rollback) pass with time.
 */
const PERMANENT_SQL_CLASSES = new Set(["22", "23", "42"]);
/**
 * Class 42 codes an operator fixes without touching the records (a missing table or column, a
 * privilege): retried, so that a misconfigured database does not empty the log into dead letters.
 */
const SCHEMA_SQL_CODES = new Set(["42P01", "42703", "42501", "42P02"]);

/**
 * MongoDB server codes for a document it will never accept: 2 BadValue, 22 InvalidBSON,
 * 121 DocumentValidationFailure, 10334 BSONObjectTooLarge, 17280 KeyTooLong.
 */
const PERMANENT_MONGO_CODES = new Set([2, 22, 121, 10334, 17280]);
const MONGO_DUPLICATE_KEY = 11000;

export function isPermanentWriteError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (name === "BSONError" || name === "BSONVersionError") return true;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return PERMANENT_SQL_CLASSES.has(code.slice(0, 2)) && !SCHEMA_SQL_CODES.has(code);
    const writeErrors = (e as { writeErrors?: unknown }).writeErrors;
    if (name === "MongoBulkWriteError" && writeErrors) {
      const codes = (Array.isArray(writeErrors) ? writeErrors : [writeErrors]).map((w: { code?: unknown }) => w.code);
      const refused = codes.filter((c) => c !== MONGO_DUPLICATE_KEY);
      return refused.length > 0 && refused.every((c) => typeof c === "number" && PERMANENT_MONGO_CODES.has(c));
    }
    if (typeof code === "number" && name !== undefined && String(name).startsWith("Mongo")) return PERMANENT_MONGO_CODES.has(code);
  }
  return false;
}

/** A short description of a refusal, for the dead-letter file. */
export function describeWriteError(err: unknown): { message: string; code?: string | number } {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { code } = e as { code?: unknown };
    if (typeof code === "string" || typeof code === "number") return { message: messageOf(e), code };
  }
  return { message: messageOf(err) };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
