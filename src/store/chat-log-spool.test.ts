import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChatLogSpool } from "./chat-log-spool.ts";
import { chatRecord, chatRecords } from "../testing/chat-log-records.ts";
import { captureLogger } from "../testing/test-clock.ts";

describe("ChatLogSpool", () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "parley-spool-"));
    path = join(dir, "nested", "chat-logs.jsonl");
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads back what was appended, in order and in batches, with dates restored", async () => {
    const spool = new ChatLogSpool(path, captureLogger());
    await spool.open();
    await spool.append(chatRecords(1, 3));
    await spool.append(chatRecords(4, 5));
    const first = await spool.readBatch(4);
    assert.deepEqual(first.records, chatRecords(1, 4));
    spool.commit(first);
    assert.equal(spool.count, 1);
    const second = await spool.readBatch(4);
    assert.deepEqual(second.records, chatRecords(5, 5));
    spool.commit(second);
    assert.equal(spool.count, 0);
    assert.equal(await spool.removeIfDone(), true);
    assert.equal(statSync(path).size, 0, "emptied, kept for the next append");
  });

  it("does not remove a file that gained records after the last read", async () => {
    const spool = new ChatLogSpool(path, captureLogger());
    await spool.open();
    await spool.append(chatRecords(1, 2));
    spool.commit(await spool.readBatch(10));
    void spool.append(chatRecords(3, 3));
    assert.equal(await spool.removeIfDone(), false);
    assert.deepEqual((await spool.readBatch(10)).records, chatRecords(3, 3));
  });

  it("reads a line longer than its read chunk", async () => {
    const spool = new ChatLogSpool(path, captureLogger());
    await spool.open();
    const long = chatRecord(1, "session-1", { content: "x".repeat(600 * 1024) });
    await spool.append([long, chatRecord(2)]);
    const batch = await spool.readBatch(10);
    assert.deepEqual(batch.records, [long, chatRecord(2)]);
  });

  it("counts the records of an earlier run, and replays from the start after a restart", async () => {
    const before = new ChatLogSpool(path, captureLogger());
    await before.open();
    await before.append(chatRecords(1, 4));
    before.commit(await before.readBatch(2)); // stored, but the offset lives only in memory

    const after = new ChatLogSpool(path, captureLogger());
    await after.open();
    assert.equal(after.count, 4);
    assert.deepEqual((await after.readBatch(10)).records, chatRecords(1, 4));
  });

  it("finds the waiting records of one session", async () => {
    const spool = new ChatLogSpool(path, captureLogger());
    await spool.open();
    await spool.append([...chatRecords(1, 3, "a"), ...chatRecords(1, 2, "b"), ...chatRecords(4, 6, "a")]);
    const found = await spool.readSession("a", 4);
    assert.deepEqual(found.map((r) => r.id), ["a-turn-3", "a-turn-4", "a-turn-5", "a-turn-6"]);
  });

  it("writes synchronously after shutdown, creating the folder if needed", async () => {
    const spool = new ChatLogSpool(path, captureLogger());
    spool.appendSync(chatRecords(1, 2));
    const reopened = new ChatLogSpool(path, captureLogger());
    await reopened.open();
    assert.deepEqual((await reopened.readBatch(10)).records, chatRecords(1, 2));
  });
});
