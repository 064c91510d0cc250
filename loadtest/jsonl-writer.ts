/**
 * Appends records to a JSON-lines file in batches. Writes are synchronous so that a process
 * killed by a signal can still flush from its exit handler.
 */
import { appendFileSync } from "node:fs";

export interface JsonlWriter<T> {
  write(record: T): void;
  /** Writes what is buffered; safe to call from an `exit` handler. */
  flush(): void;
  close(): void;
}

export function openJsonlWriter<T>(path: string, flushEveryMs = 250): JsonlWriter<T> {
  let buffer: string[] = [];
  const flush = () => {
    if (buffer.length === 0) return;
    const text = buffer.join("");
    buffer = [];
    appendFileSync(path, text);
  };
  const timer = setInterval(flush, flushEveryMs);
  timer.unref();
  return {
    write(record) {
      buffer.push(`${JSON.stringify(record)}\n`);
      if (buffer.length >= 2000) flush();
    },
    flush,
    close() {
      clearInterval(timer);
      flush();
    },
  };
}
