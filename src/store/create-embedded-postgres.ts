/**
 * Creates an embedded database folder and exits: `node create-embedded-postgres.ts <folder>`.
 * Run by `openEmbeddedPostgresInWorker` as a child process on a first start (see there why).
 * Prints nothing on success; on failure, one JSON line `{ message, code? }` on stderr and exit 1.
 */
import { openEmbeddedPostgres } from "./embedded-postgres.ts";
import { portableError } from "./portable-error.ts";

const folder = process.argv[2];
try {
  if (!folder) throw new Error("usage: create-embedded-postgres.ts <folder>");
  const db = await openEmbeddedPostgres(folder);
  await db.close();
} catch (err) {
  process.stderr.write(`${JSON.stringify(portableError(err))}\n`);
  process.exitCode = 1;
}
