import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoClient } from "mongodb";
import { ChatLogSeq } from "./chat-log-seq.ts";
import { MongoChatLogStore } from "./mongo-chat-log-store.ts";
import { chatRecord, chatRecords } from "../testing/chat-log-records.ts";
import { cursorReply, MockMongoServer } from "../testing/mock-mongo-server.ts";

describe("MongoChatLogStore against a scripted server", () => {
  let server: MockMongoServer;
  let client: MongoClient;
  let store: MongoChatLogStore;

  beforeEach(async () => {
    server = await MockMongoServer.start();
    server.on("insert", (r) => r.reply({ ok: 1, n: (r.command.documents as unknown[]).length }));
    client = new MongoClient(server.url);
    await client.connect();
    store = new MongoChatLogStore(client.db("parley"), { seq: new ChatLogSeq() });
  });

  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it("creates the session index and the per-player index", async () => {
    await store.ensureIndexes();
    const [command] = server.commandsNamed("createIndexes");
    assert.ok(command);
    assert.equal(command.createIndexes, "chat_logs");
    const keys = (command.indexes as Array<{ key: unknown }>).map((i) => i.key);
    assert.deepEqual(keys, [
      { session_id: 1, seq: 1 },
      { user_id: 1, character_id: 1, created_at: -1 },
    ]);
  });

  it("inserts the records unordered, with _id, every field and the ordering seq", async () => {
    const tied = chatRecord(2, "session-1", { created_at: chatRecord(1).created_at, action_type: "inspect_item" });
    const records = [chatRecord(1), tied];
    await store.append(records);

    const inserts = server.commandsNamed("insert");
    assert.equal(inserts.length, 1);
    const t = records[0]!.created_at.getTime() * 1000;
    assert.deepEqual(inserts[0], {
      insert: "chat_logs",
      documents: records.map(({ id, ...rest }, i) => ({ _id: id, ...rest, seq: t + i })),
      ordered: false,
    });
  });

  it("sends nothing for an empty batch", async () => {
    await store.append([]);
    assert.equal(server.commandsNamed("insert").length, 0);
  });

  it("reads the newest turns of a session by seq and returns them oldest first", async () => {
    const [older, newer] = chatRecords(1, 2);
    const asStored = [newer!, older!].map(({ id, ...rest }, i) => ({ _id: id, ...rest, seq: 10 - i }));
    server.on("find", (r) => r.reply(cursorReply("parley.chat_logs", asStored)));

    const got = await store.recent("session-1", 2);

    assert.deepEqual(got, [older, newer]);
    const [find] = server.commandsNamed("find");
    assert.deepEqual(
      { find: find?.find, filter: find?.filter, sort: find?.sort, limit: find?.limit },
      { find: "chat_logs", filter: { session_id: "session-1" }, sort: { seq: -1 }, limit: 2 },
    );
  });

  it("rejects with a clear error when the server refuses the insert", async () => {
    server.once("insert", (r) => r.reply({ ok: 0, code: 13, codeName: "Unauthorized", errmsg: "not authorized on parley" }));
    await assert.rejects(store.append(chatRecords(1, 3)), (err: Error) => {
      assert.match(err.message, /chat_logs: inserting 3 records failed: not authorized on parley/);
      return true;
    });
  });

  it("treats duplicate keys as already stored", async () => {
    server.once("insert", (r) =>
      r.reply({ ok: 1, n: 1, writeErrors: [{ index: 1, code: 11000, errmsg: "E11000 duplicate key error" }] }),
    );
    await assert.doesNotReject(store.append(chatRecords(1, 2)));
    // One unordered insert: the record that was not a duplicate went in the same command, and was stored.
    const [insert, ...more] = server.commandsNamed("insert");
    assert.deepEqual(more, []);
    assert.equal(insert?.ordered, false);
    assert.deepEqual((insert?.documents as Array<{ _id: string }>).map((d) => d._id), ["session-1-turn-1", "session-1-turn-2"]);
  });

  it("does not ignore duplicate keys when the write is not known to be durable", async () => {
    server.once("insert", (r) =>
      r.reply({
        ok: 1,
        n: 1,
        writeErrors: [{ index: 1, code: 11000, errmsg: "E11000 duplicate key error" }],
        writeConcernError: { code: 64, errmsg: "waiting for replication timed out" },
      }),
    );
    await assert.rejects(store.append(chatRecords(1, 2)), /chat_logs: inserting 2 records failed/);
  });

  it("does not hide other write errors next to duplicate keys", async () => {
    server.once("insert", (r) =>
      r.reply({
        ok: 1,
        n: 0,
        writeErrors: [
          { index: 0, code: 11000, errmsg: "E11000 duplicate key error" },
          { index: 1, code: 121, errmsg: "Document failed validation" },
        ],
      }),
    );
    await assert.rejects(store.append(chatRecords(1, 2)), /chat_logs: inserting 2 records failed/);
  });

  it("rejects when the connection drops, and works again once the server answers", async () => {
    server.once("insert", (r) => r.drop());
    await assert.rejects(store.append(chatRecords(1, 2)), /chat_logs: inserting 2 records failed/);

    await store.append(chatRecords(3, 4));
    const inserts = server.commandsNamed("insert");
    assert.equal(inserts.length, 2);
    assert.deepEqual((inserts[1]!.documents as Array<{ _id: string }>).map((d) => d._id), ["session-1-turn-3", "session-1-turn-4"]);
  });

  it("answers ping through the database", async () => {
    await store.ping();
    assert.equal(server.commandsNamed("ping").length, 1);
  });
});

describe("MongoChatLogStore.connect", () => {
  it("connects, creates the indexes, and closes its own client", async () => {
    const server = await MockMongoServer.start();
    try {
      const store = await MongoChatLogStore.connect(server.url, { dbName: "parley" });
      assert.equal(server.commandsNamed("createIndexes").length, 1);
      await store.close();
      await assert.rejects(store.ping());
    } finally {
      await server.close();
    }
  });
});
