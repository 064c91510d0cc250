/**
 * The MongoDB chat log through the official driver over TCP, against an in-memory server that
 * stores and queries (src/testing/wire-mongo-server.ts). The same store on a real MongoDB:
 * mongo-chat-log-store.live.test.ts, when MONGODB_URL is set.
 */
import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoClient } from "mongodb";
import { ChatLogSeq } from "./chat-log-seq.ts";
import { CHAT_LOGS_COLLECTION, MongoChatLogStore } from "./mongo-chat-log-store.ts";
import { isPermanentWriteError } from "./write-errors.ts";
import { chatRecord, chatRecords } from "../testing/chat-log-records.ts";
import { WireMongoServer } from "../testing/wire-mongo-server.ts";

const DB = "parley";

describe("MongoChatLogStore through the driver", () => {
  let server: WireMongoServer;
  let client: MongoClient;
  let store: MongoChatLogStore;
  const stored = () => server.documents(DB, CHAT_LOGS_COLLECTION);

  beforeEach(async () => {
    server = await WireMongoServer.start();
    client = new MongoClient(server.url);
    await client.connect();
    store = new MongoChatLogStore(client.db(DB), { seq: new ChatLogSeq() });
  });

  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it("creates the session index and the per-player index", async () => {
    await store.ensureIndexes();
    assert.deepEqual(server.indexes(DB, CHAT_LOGS_COLLECTION).map((i) => i.key), [
      { _id: 1 },
      { session_id: 1, seq: 1 },
      { user_id: 1, character_id: 1, created_at: -1 },
    ]);
    await store.ensureIndexes();
    assert.equal(server.indexes(DB, CHAT_LOGS_COLLECTION).length, 3, "a second start creates nothing new");
  });

  it("stores the records unordered, with _id, every field and the ordering seq", async () => {
    const tied = chatRecord(2, "session-1", { created_at: chatRecord(1).created_at, action_type: "inspect_item" });
    const records = [chatRecord(1), tied];
    await store.append(records);

    const [insert, ...more] = server.commandsNamed("insert");
    assert.deepEqual(more, [], "one command for the batch");
    assert.equal(insert?.ordered, false);
    const t = records[0]!.created_at.getTime() * 1000;
    assert.deepEqual(stored(), records.map(({ id, ...rest }, i) => ({ _id: id, ...rest, seq: t + i })));
  });

  it("sends nothing for an empty batch", async () => {
    await store.append([]);
    assert.equal(server.commandsNamed("insert").length, 0);
  });

  it("reads the newest turns of a session by seq and returns them oldest first, other sessions left out", async () => {
    const mine = chatRecords(1, 5);
    await store.append([...mine, chatRecord(9, "session-2")]);
    assert.deepEqual(await store.recent("session-1", 3), mine.slice(2));
    assert.deepEqual(await store.recent("session-1", 10), mine);
    assert.deepEqual(await store.recent("session-3", 10), []);
  });

  it("round-trips what a turn holds: metadata, an action, text of any script", async () => {
    const record = chatRecord(1, "session-1", {
      content: "剣を見せて 🗡️", action_type: "inspect_item", metadata: { tool_calls: [{ name: "give_item", args: { item: "sword" } }] },
    });
    await store.append([record]);
    assert.deepEqual(await store.recent("session-1", 1), [record]);
  });

  it("rejects with a clear error when the server refuses the insert", async () => {
    server.replyNext("insert", { ok: 0, code: 13, codeName: "Unauthorized", errmsg: "not authorized on parley" });
    await assert.rejects(store.append(chatRecords(1, 3)), (err: Error) => {
      assert.match(err.message, /chat_logs: inserting 3 records failed: not authorized on parley/);
      return true;
    });
    assert.deepEqual(stored(), []);
  });

  it("treats a record already stored as stored, and stores the rest of the batch", async () => {
    await store.append(chatRecords(1, 2));
    // A retry after a lost reply sends turn 2 again, with turn 3.
    await assert.doesNotReject(store.append(chatRecords(2, 3)));
    assert.deepEqual(stored().map((d) => d._id), ["session-1-turn-1", "session-1-turn-2", "session-1-turn-3"]);
  });

  it("does not ignore duplicate keys when the write is not known to be durable", async () => {
    server.replyNext("insert", {
      ok: 1, n: 1,
      writeErrors: [{ index: 1, code: 11000, errmsg: "E11000 duplicate key error" }],
      writeConcernError: { code: 64, errmsg: "waiting for replication timed out" },
    });
    await assert.rejects(store.append(chatRecords(1, 2)), /chat_logs: inserting 2 records failed/);
  });

  it("does not hide a refused record next to duplicate keys, and the refusal is permanent", async () => {
    await store.append(chatRecords(1, 1));
    server.refuseDocuments((doc) => doc._id === "session-1-turn-2");
    const err = await store.append(chatRecords(1, 3)).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof Error && /chat_logs: inserting 3 records failed/.test(err.message), String(err));
    assert.equal(isPermanentWriteError(err), true, "a document that fails validation is set aside, not retried forever");
    assert.deepEqual(stored().map((d) => d._id), ["session-1-turn-1", "session-1-turn-3"], "the unordered insert stored the rest");
  });

  it("rejects when the connection drops, and works again once the server answers", async () => {
    server.dropNext("insert");
    const err = await store.append(chatRecords(1, 2)).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof Error && /chat_logs: inserting 2 records failed/.test(err.message), String(err));
    assert.equal(isPermanentWriteError(err), false, "a dropped connection is retried");

    await store.append(chatRecords(3, 4));
    assert.deepEqual(stored().map((d) => d._id), ["session-1-turn-3", "session-1-turn-4"]);
  });

  it("answers ping through the database", async () => {
    await store.ping();
    assert.equal(server.commandsNamed("ping").length, 1);
  });
});

describe("MongoChatLogStore.connect", () => {
  it("connects, creates the indexes, and closes its own client", async () => {
    const server = await WireMongoServer.start();
    try {
      const store = await MongoChatLogStore.connect(server.url, { dbName: DB });
      assert.equal(server.indexes(DB, CHAT_LOGS_COLLECTION).length, 3);
      await store.close();
      await assert.rejects(store.ping());
    } finally {
      await server.close();
    }
  });

  it("fails, rather than waiting, when nothing answers", async () => {
    const server = await WireMongoServer.start();
    const url = server.url;
    await server.close();
    await assert.rejects(MongoChatLogStore.connect(url, { dbName: DB, serverSelectionTimeoutMS: 300 }), /ECONNREFUSED|Server selection timed out/);
  });
});
