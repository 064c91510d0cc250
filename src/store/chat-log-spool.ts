import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, writeSync } from "node:fs";
import { appendFile, mkdir, open, stat, truncate } from "node:fs/promises";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import type { ChatLogRecord } from "./chat-log.ts";

export interface SpoolLogger {
  error(obj: object, msg?: string): void;
}

export interface SpoolBatch {
  records: ChatLogRecord[];
  /** Byte offset just past the batch; pass it to `commit` once the batch is stored. */
  end: number;
  /** Lines that were not records (a torn write); they are skipped. */
  skipped: number;
}

/**
 * An append-only file of chat log records (JSON lines) waiting for the database. Records are read
 * back from `offset`, which advances only after a batch is stored; the file is emptied once every
 * line has been stored. It is emptied, not removed: a new file would cost a directory fsync on the
 * next append, and every reply's end waits for that append. A restart therefore replays at most some records twice, and ids are
 * idempotent, so nothing is lost and nothing duplicated.
 */
export class ChatLogSpool {
  private offset = 0;
  /** Size of the file as last seen by this process. */
  private size = 0;
  /** Records not yet stored: the file past `offset` plus `unwritten`. */
  private pendingCount = 0;
  /** Accepted, not yet on disk; a failed write keeps them here for the next attempt. */
  private unwritten: ChatLogRecord[] = [];
  private chain: Promise<unknown> = Promise.resolve();

  readonly path: string;
  private readonly logger: SpoolLogger;

  constructor(path: string, logger: SpoolLogger) {
    this.path = path;
    this.logger = logger;
  }

  /** Records waiting, for a gauge. */
  get count(): number {
    return this.pendingCount;
  }

  /** True while any record in the spool is not yet stored. */
  get hasPending(): boolean {
    return this.unwritten.length > 0 || this.size > this.offset;
  }

  /** Finds a spool left by a previous run and counts its records. */
  async open(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const size = await fileSize(this.path);
    this.size = size;
    if (size === 0) return;
    const fh = await open(this.path, "r");
    const last = Buffer.alloc(1);
    try {
      await fh.read(last, 0, 1, size - 1);
    } finally {
      await fh.close();
    }
    // A crash can tear the last line; end it so that later appends start on a fresh line.
    if (last[0] !== 0x0a) await appendFile(this.path, "\n");
    this.size = await fileSize(this.path);
    let lines = 0;
    for await (const line of readLines(this.path, 0)) if (line.trim() !== "") lines++;
    this.pendingCount += lines;
  }

  /** Adds records at the end and resolves once they are synced to disk. */
  append(records: readonly ChatLogRecord[]): Promise<void> {
    this.unwritten.push(...records);
    this.pendingCount += records.length;
    return this.serial(() => this.writeUnwritten());
  }

  /** For the last records after shutdown, when nothing asynchronous will run any more. */
  appendSync(records: readonly ChatLogRecord[]): void {
    const data = encode(records);
    mkdirSync(dirname(this.path), { recursive: true });
    const fd = openSync(this.path, "a");
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.size += Buffer.byteLength(data);
    this.pendingCount += records.length;
  }

  /** Resolves once every accepted record is on disk. */
  settle(): Promise<void> {
    return this.serial(() => this.writeUnwritten());
  }

  /** The next records after `offset`, after the ones still to be written have been. */
  readBatch(max: number): Promise<SpoolBatch> {
    return this.serial(async () => {
      await this.writeUnwritten();
      const fh = await open(this.path, "r").catch(() => null);
      if (!fh) return { records: [], end: this.offset, skipped: 0 };
      try {
        // Grows only when a single line is longer than the chunk.
        for (let chunk = 256 * 1024; ; chunk *= 2) {
          const buf = Buffer.alloc(chunk);
          const { bytesRead } = await fh.read(buf, 0, chunk, this.offset);
          const batch = parseLines(buf.subarray(0, bytesRead), this.offset, max, bytesRead < chunk);
          if (batch.end > this.offset || bytesRead < chunk) return batch;
        }
      } finally {
        await fh.close();
      }
    });
  }

  commit(batch: SpoolBatch): void {
    if (batch.end <= this.offset) return;
    this.offset = batch.end;
    this.pendingCount = this.offset >= this.size
      ? this.unwritten.length
      : Math.max(0, this.pendingCount - batch.records.length - batch.skipped);
  }

  /** Empties the file once every line in it is stored; false while records remain. */
  removeIfDone(): Promise<boolean> {
    return this.serial(async () => {
      if (this.unwritten.length > 0 || (await fileSize(this.path)) > this.offset) return false;
      await truncate(this.path, 0).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== "ENOENT") throw err;
      });
      this.offset = 0;
      this.size = 0;
      this.pendingCount = 0;
      return true;
    });
  }

  /** The last `limit` records of a session that are still waiting, on disk or about to be. */
  async readSession(sessionId: string, limit: number): Promise<ChatLogRecord[]> {
    const found: ChatLogRecord[] = [];
    try {
      for await (const line of readLines(this.path, this.offset)) {
        const record = decode(line);
        if (record?.session_id !== sessionId) continue;
        found.push(record);
        if (found.length > limit) found.shift();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    return found.concat(this.unwritten.filter((r) => r.session_id === sessionId)).slice(-limit);
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.chain.then(op, op);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async writeUnwritten(): Promise<void> {
    if (this.unwritten.length === 0) return;
    const records = this.unwritten.slice();
    try {
      const created = !(await exists(this.path));
      if (created) await mkdir(dirname(this.path), { recursive: true });
      const fh = await open(this.path, "a");
      try {
        await fh.appendFile(encode(records));
        await fh.sync();
      } finally {
        await fh.close();
      }
      if (created) await syncDirectory(dirname(this.path));
    } catch (err) {
      this.logger.error({ err, records: records.length, path: this.path }, "chat log spool write failed; retrying later");
      throw err;
    } finally {
      this.size = await fileSize(this.path).catch(() => this.size);
    }
    this.unwritten.splice(0, records.length);
  }
}

function encode(records: readonly ChatLogRecord[]): string {
  return records.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) + "\n").join("");
}

function decode(line: string): ChatLogRecord | null {
  try {
    const raw = JSON.parse(line) as Partial<Record<keyof ChatLogRecord, unknown>>;
    if (typeof raw.id !== "string" || typeof raw.session_id !== "string" || typeof raw.created_at !== "string") return null;
    const created = new Date(raw.created_at);
    if (Number.isNaN(created.getTime())) return null;
    return { ...(raw as unknown as ChatLogRecord), created_at: created };
  } catch {
    return null;
  }
}

function parseLines(buf: Buffer, start: number, max: number, atEnd: boolean): SpoolBatch {
  const records: ChatLogRecord[] = [];
  let skipped = 0;
  let pos = 0;
  while (records.length < max) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl === -1) break;
    const line = buf.toString("utf8", pos, nl);
    pos = nl + 1;
    if (line.trim() === "") continue;
    const record = decode(line);
    if (record) records.push(record);
    else skipped++;
  }
  // Only a torn write leaves bytes after the last newline at the end of the file.
  if (atEnd && records.length < max && pos < buf.length) {
    skipped++;
    pos = buf.length;
  }
  return { records, end: start + pos, skipped };
}

function readLines(path: string, start: number): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path, { start }), crlfDelay: Infinity });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw err;
  }
}

/** Makes a newly created spool file survive a power loss, not only its contents. */
async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, "r").catch(() => null);
  try {
    await fh?.sync();
  } catch {
    // Some platforms cannot sync a directory; the file's own sync still holds.
  } finally {
    await fh?.close();
  }
}
