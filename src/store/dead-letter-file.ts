import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import type { ChatLogRecord } from "./chat-log.ts";
import { describeWriteError } from "./write-errors.ts";

/**
 * Records a store refused for good, one JSON line each: `{"at", "error": {"message", "code"},
 * "record"}`. Kept so that an operator can see, fix and re-import them; never read by Parley.
 */
export class DeadLetterFile {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** Resolves once the line is synced: only then may the record leave the spool. */
  async add(record: ChatLogRecord, err: unknown): Promise<void> {
    const line = JSON.stringify({ at: new Date().toISOString(), error: describeWriteError(err), record }) + "\n";
    await mkdir(dirname(this.path), { recursive: true });
    const fh = await open(this.path, "a");
    try {
      await fh.appendFile(line);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}
