/**
 * A record the store refuses for good is set aside and never blocks the records behind it; an
 * error that passes is retried. Text a database cannot hold is made storable on the way in.
 */
import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChatLogRecord } from "./chat-log.ts";
import { DurableChatLog } from "./durable-chat-log.ts";
import type { DurableChatLogOptions } from "./durable-chat-log.ts";
import { MemoryChatLogStore } from "./memory-chat-log-store.ts";
import { chatRecord, chatRecords } from "../testing/chat-log-records.ts";
import { captureLogger, waitFor } from "../testing/test-clock.ts";

/** Every spooled line is stored: the file is gone or empty. */
const spoolDone = (path: string) => !existsSync(path) || statSync(path).size === 0;
const ids = (records: ReadonlyArray<{ id: string }>) => records.map((r) => r.id);
/** What PostgreSQL answers for a row a CHECK constraint refuses. */
const checkViolation = () => Object.assign(new Error("new row violates check constraint"), { code: "23514" });
/** What PostgreSQL answers when it is shutting down: passes with time. */
const adminShutdown = () => Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });

describe("DurableChatLog and records the store refuses", () => {
  let dir: string;
  let spoolPath: string;
  let deadLetterPath: string;
  let store: MemoryChatLogStore;
  const open: DurableChatLog[] = [];

  const start = async (options: Partial<DurableChatLogOptions> = {}) => {
    const log = new DurableChatLog({
      store, spoolPath, logger: captureLogger(), batchSize: 5, flushIntervalMs: 1, retryBaseMs: 1, retryMaxMs: 5, ...options,
    });
    open.push(log);
    await log.open();
    return log;
  };
  const deadLetters = async () => (await readFile(deadLetterPath, "utf8")).split("\n").filter(Boolean)
    .map((l) => JSON.parse(l) as { at: string; error: { message: string; code?: string }; record: ChatLogRecord });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "parley-dead-letter-"));
    spoolPath = join(dir, "chat-logs.spool.jsonl");
    deadLetterPath = join(dir, "chat-log-dead-letter.jsonl");
    store = new MemoryChatLogStore();
  });

  afterEach(async () => {
    for (const log of open.splice(0)) await log.close(0);
    await rm(dir, { recursive: true, force: true });
  });

  it("sets aside the one refused record, counts it, and stores every record behind it", async () => {
    const logger = captureLogger();
    const log = await start({ logger });
    store.refuse((r) => r.id === "session-1-turn-3", checkViolation());
    chatRecords(1, 12).forEach((r) => log.record(r));
    assert.deepEqual(await log.flush(5_000), { queued: 0, spooled: 0 });

    assert.deepEqual(ids(store.stored()), ids(chatRecords(1, 12)).filter((id) => id !== "session-1-turn-3"));
    const [letter, ...more] = await deadLetters();
    assert.equal(more.length, 0);
    assert.equal(letter!.record.id, "session-1-turn-3");
    assert.equal(letter!.record.content, "turn 3");
    assert.deepEqual(letter!.error, { message: "new row violates check constraint", code: "23514" });
    assert.equal(log.deadLetterCount, 1);
    assert.equal(logger.lines.filter((l) => /dead-letter/.test(l.msg ?? "")).length, 1, "one log line");
  });

  it("retries a transient error and dead-letters nothing", async () => {
    const log = await start();
    store.failAppends(adminShutdown());
    chatRecords(1, 6).forEach((r) => log.record(r));
    await waitFor(() => store.batches.length >= 3, "a few failed attempts");
    store.recover();
    assert.deepEqual(await log.flush(5_000), { queued: 0, spooled: 0 });
    assert.deepEqual(ids(store.stored()), ids(chatRecords(1, 6)));
    assert.equal(log.deadLetterCount, 0);
    assert.equal(existsSync(deadLetterPath), false);
  });

  it("keeps a refused record when the dead-letter file cannot be written, and blocks nothing once it can", async () => {
    const unwritable = join(dir, "a-directory");
    await mkdir(unwritable);
    const log = await start({ deadLetterPath: unwritable });
    store.refuse((r) => r.id === "session-1-turn-2", checkViolation());
    chatRecords(1, 3).forEach((r) => log.record(r));
    await waitFor(() => store.batches.length >= 4, "retries");
    assert.equal(log.deadLetterCount, 0);
    assert.equal(log.backlog().queued, 3, "nothing is dropped while it cannot be set aside");
  });

  it("does not replay a dead-lettered record from the spool after a restart", async () => {
    // A spool left by a run that stopped during an outage, with a record the database refuses.
    const first = await start();
    store.fail();
    chatRecords(1, 6).forEach((r) => first.record(r));
    await first.close(0);
    assert.ok(existsSync(spoolPath));
    store = new MemoryChatLogStore(); // closing the log closed the store
    store.refuse((r) => r.id === "session-1-turn-4", checkViolation());

    const second = await start();
    await waitFor(() => second.backlog().spooled === 0 && spoolDone(spoolPath), "the spool replay");
    assert.deepEqual(ids(store.stored()), ["session-1-turn-1", "session-1-turn-2", "session-1-turn-3", "session-1-turn-5", "session-1-turn-6"]);
    assert.equal(second.deadLetterCount, 1);
    await second.close(1_000);

    store = new MemoryChatLogStore();
    const third = await start();
    assert.deepEqual(third.backlog(), { queued: 0, spooled: 0 });
    await third.flush(100);
    assert.equal(store.batches.length, 0, "nothing left to replay");
    assert.equal(third.deadLetterCount, 0);
    assert.equal((await deadLetters()).length, 1);
  });

  it("stores U+0000 and lone surrogates as U+FFFD, in content, ids and metadata", async () => {
    const log = await start();
    const poisoned = chatRecord(1, "session-\u0000", { content: "a\u0000b\uD800c\uDC00d😀", metadata: { term: "x\u0000", ["k\uDFFF"]: ["\uD83D"] } });
    log.record(poisoned);
    await log.flush(5_000);
    const [stored] = store.stored();
    assert.equal(stored!.session_id, "session-\uFFFD");
    assert.equal(stored!.content, "a\uFFFDb\uFFFDc\uFFFDd😀");
    assert.deepEqual(stored!.metadata, { term: "x\uFFFD", ["k\uFFFD"]: ["\uFFFD"] });
  });

  it("resolves recordDurably once the record and every one before it are in the spool file", async () => {
    const log = await start({ flushIntervalMs: 60_000 });
    store.pause();
    log.record(chatRecord(1));
    await log.recordDurably(chatRecord(2));
    const lines = (await readFile(spoolPath, "utf8")).split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);
    assert.deepEqual(lines, ["session-1-turn-1", "session-1-turn-2"]);
    store.resume();
    assert.deepEqual(await log.flush(5_000), { queued: 0, spooled: 0 });
    assert.deepEqual(ids(store.stored()), ids(chatRecords(1, 2)));
  });
});
