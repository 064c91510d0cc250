import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChatLogRecord } from "./chat-log.ts";
import { DurableChatLog } from "./durable-chat-log.ts";
import type { DurableChatLogOptions } from "./durable-chat-log.ts";
import { MemoryChatLogStore } from "./memory-chat-log-store.ts";
import { chatRecords } from "../testing/chat-log-records.ts";
import { captureLogger, ManualScheduler, settle, waitFor } from "../testing/test-clock.ts";

/** Every spooled line is stored: the file is gone or empty. */
const spoolDone = (path: string) => !existsSync(path) || statSync(path).size === 0;
const ids = (records: ReadonlyArray<{ id: string }>) => records.map((r) => r.id);

describe("DurableChatLog", () => {
  let dir: string;
  let spoolPath: string;
  let store: MemoryChatLogStore;
  const open: DurableChatLog[] = [];

  const start = async (options: Partial<DurableChatLogOptions> = {}) => {
    const log = new DurableChatLog({
      store,
      spoolPath,
      logger: captureLogger(),
      batchSize: 5,
      flushIntervalMs: 1,
      maxQueued: 1_000,
      retryBaseMs: 1,
      retryMaxMs: 5,
      ...options,
    });
    open.push(log);
    await log.open();
    return log;
  };
  const recordAll = (log: DurableChatLog, records: readonly ChatLogRecord[]) => records.forEach((r) => log.record(r));
  const spoolLines = async () => (await readFile(spoolPath, "utf8")).split("\n").filter(Boolean).map((l) => JSON.parse(l) as { id: string });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "parley-durable-"));
    spoolPath = join(dir, "spool", "chat-logs.jsonl");
    store = new MemoryChatLogStore();
  });

  afterEach(async () => {
    store.resume();
    for (const log of open.splice(0)) await log.close(0);
    await rm(dir, { recursive: true, force: true });
  });

  it("writes in batches of at most batchSize, in arrival order", async () => {
    const log = await start();
    recordAll(log, chatRecords(1, 23));
    assert.deepEqual(await log.flush(5_000), { queued: 0, spooled: 0 });
    assert.deepEqual(ids(store.stored()), ids(chatRecords(1, 23)));
    assert.ok(store.batches.every((n) => n >= 1 && n <= 5), `batches ${store.batches.join(",")}`);
  });

  it("accepts records without waiting while the store hangs", async () => {
    store.pause();
    const log = await start();
    recordAll(log, chatRecords(1, 12));
    assert.equal(log.backlog().queued, 12);
    store.resume();
    await log.flush(5_000);
    assert.deepEqual(ids(store.stored()), ids(chatRecords(1, 12)));
  });

  it("keeps every record through an outage and stores each exactly once, in order", async () => {
    const log = await start();
    recordAll(log, chatRecords(1, 10));
    await waitFor(() => store.stored().length === 10, "the first records");
    store.fail();
    recordAll(log, chatRecords(11, 30));
    const attempts = store.batches.length;
    await waitFor(() => store.batches.length > attempts + 2, "retries during the outage");
    assert.equal(store.stored().length, 10);
    store.recover();
    await waitFor(() => log.backlog().queued === 0, "the backlog to drain");
    assert.deepEqual(ids(store.stored()), ids(chatRecords(1, 30)));
  });

  it("does not duplicate the part of a batch that landed before a failure", async () => {
    store.failPartway(3);
    const log = await start();
    recordAll(log, chatRecords(1, 5));
    await log.flush(5_000);
    assert.deepEqual(ids(store.stored()), ids(chatRecords(1, 5)));
    assert.ok(store.batches.length >= 2);
  });

  it("moves records past the bound to the spool file and replays it in order after recovery", async () => {
    store.fail();
    const log = await start({ maxQueued: 10 });
    recordAll(log, chatRecords(1, 35));
    const { queued, spooled } = log.backlog();
    assert.equal(queued + spooled, 35);
    assert.ok(queued < 10 && spooled >= 30, `queued ${queued}, spooled ${spooled}`);
    await waitFor(() => existsSync(spoolPath), "the spool file");
    store.recover();
    await waitFor(() => log.backlog().queued + log.backlog().spooled === 0, "the spool replay");
    assert.deepEqual(ids(store.stored()), ids(chatRecords(1, 35)));
    await waitFor(() => spoolDone(spoolPath), "the spool file to be emptied");
  });

  it("spools what it cannot write by the shutdown deadline, and the next start replays it once", async () => {
    store.fail();
    const first = await start();
    recordAll(first, chatRecords(1, 7));
    await first.close(20);
    assert.deepEqual(ids(await spoolLines()), ids(chatRecords(1, 7)));

    store = new MemoryChatLogStore();
    await store.append(chatRecords(1, 2)); // written just before the outage, and also in the spool
    const second = await start();
    assert.equal(second.backlog().spooled, 7);
    recordAll(second, chatRecords(8, 9)); // newer than the spool, so written after it
    await second.flush(5_000);
    assert.deepEqual(ids(store.stored()), ids(chatRecords(1, 9)));
    assert.ok(spoolDone(spoolPath));
  });

  it("spools records that arrive after close", async () => {
    const first = await start();
    await first.close(1_000);
    recordAll(first, chatRecords(1, 2));
    store = new MemoryChatLogStore();
    const second = await start();
    await second.flush(5_000);
    assert.deepEqual(ids(store.stored()), ids(chatRecords(1, 2)));
  });

  it("replays a spool whose last line a crash tore, skipping only that line", async () => {
    const good = chatRecords(1, 3).map((r) => JSON.stringify(r)).join("\n");
    await mkdir(join(dir, "spool"), { recursive: true });
    await writeFile(spoolPath, `${good}\n{"id":"session-1-tu`);
    const logger = captureLogger();
    const log = await start({ logger });
    log.record(chatRecords(4, 4)[0]!);
    await log.flush(5_000);
    assert.deepEqual(ids(store.stored()), ids(chatRecords(1, 4)));
    assert.ok(logger.lines.some((l) => l.level === "error" && /unreadable lines/.test(l.msg ?? "")));
  });

  it("reads a session through the store plus the records not yet written", async () => {
    const log = await start();
    recordAll(log, chatRecords(1, 4));
    await log.flush(5_000);
    store.failAppends();
    recordAll(log, chatRecords(5, 7));
    recordAll(log, chatRecords(1, 2, "other"));
    assert.deepEqual(ids(await log.recent("session-1", 5)), ids(chatRecords(3, 7)));

    store.fail();
    assert.deepEqual(ids(await log.recent("session-1", 5)), ids(chatRecords(5, 7)));
  });

  it("includes spooled records when reading during an outage", async () => {
    store.fail();
    const log = await start({ maxQueued: 5 });
    recordAll(log, chatRecords(1, 12));
    assert.ok(log.backlog().spooled >= 10);
    assert.deepEqual(ids(await log.recent("session-1", 8)), ids(chatRecords(5, 12)));
  });

  it("counts a store call that hangs past storeTimeoutMs as failed, and stores once when it returns", async () => {
    store.pause();
    const log = await start({ storeTimeoutMs: 5 });
    recordAll(log, chatRecords(1, 6));
    await waitFor(() => store.batches.length >= 3, "retries of the hung write");
    store.resume();
    await log.flush(5_000);
    await settle();
    assert.deepEqual(ids(store.stored()), ids(chatRecords(1, 6)));
  });

  it("logs a growing backlog and its end", async () => {
    store.fail();
    const logger = captureLogger();
    const log = await start({ logger, batchSize: 2 });
    recordAll(log, chatRecords(1, 250));
    await waitFor(() => store.batches.length > 0, "a failed write");
    store.recover();
    await log.flush(5_000);
    const messages = logger.lines.map((l) => `${l.level} ${l.msg}`);
    assert.ok(messages.includes("warn chat log backlog growing"), messages.join("\n"));
    assert.ok(messages.includes("warn chat log writes failing; keeping records until they succeed"));
    assert.equal(messages.at(-1), "info chat log backlog written");
  });

  it("retries with a doubling, capped delay", async () => {
    const scheduler = new ManualScheduler();
    store.fail();
    const log = await start({ scheduler, random: () => 1, flushIntervalMs: 7, retryBaseMs: 10, retryMaxMs: 80 });
    log.record(chatRecords(1, 1)[0]!);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      await settle();
      assert.equal(scheduler.pendingDelays().length, 1);
      delays.push(scheduler.pendingDelays()[0]!);
      scheduler.fireNext();
    }
    assert.deepEqual(delays, [7, 10, 20, 40, 80, 80]);
    store.recover();
    await settle();
    scheduler.fireNext();
    await settle();
    assert.equal(store.stored().length, 1);
    assert.deepEqual(scheduler.pendingDelays(), []);
  });
});
