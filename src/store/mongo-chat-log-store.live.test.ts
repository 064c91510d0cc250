/** Runs against a real MongoDB when MONGODB_URL is set; each run uses, then drops, its own database. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { MongoChatLogStore } from "./mongo-chat-log-store.ts";
import { chatRecord, chatRecords } from "../testing/chat-log-records.ts";

const url = process.env.MONGODB_URL;

describe("MongoChatLogStore on a real MongoDB", { skip: url ? false : "MONGODB_URL not set" }, () => {
  const dbName = `parley_test_${randomUUID().replaceAll("-", "")}`;
  let store: MongoChatLogStore;
  let admin: MongoClient;

  before(async () => {
    store = await MongoChatLogStore.connect(url!, { dbName, serverSelectionTimeoutMS: 5_000 });
    admin = await new MongoClient(url!).connect();
  });

  after(async () => {
    await store?.close();
    await admin?.db(dbName).dropDatabase();
    await admin?.close();
  });

  it("stores each id once, however often it is appended", async () => {
    await store.append(chatRecords(1, 3, "real-a"));
    await store.append(chatRecords(2, 5, "real-a"));
    const count = await admin.db(dbName).collection("chat_logs").countDocuments({ session_id: "real-a" });
    assert.equal(count, 5);
  });

  it("returns the newest turns oldest first, in append order even within one millisecond", async () => {
    const at = new Date();
    const turns = [1, 2, 3, 4].map((n) => chatRecord(n, "real-b", { created_at: at }));
    await store.append(turns);
    const got = await store.recent("real-b", 3);
    assert.deepEqual(got.map((r) => r.id), turns.slice(1).map((r) => r.id));
    assert.deepEqual(got[2], turns[3]);
  });

  it("has the session and per-player indexes", async () => {
    const indexes = await admin.db(dbName).collection("chat_logs").indexes();
    const keys = indexes.map((i) => i.key);
    assert.deepEqual(keys.slice(1), [
      { session_id: 1, seq: 1 },
      { user_id: 1, character_id: 1, created_at: -1 },
    ]);
  });

  it("answers ping", async () => {
    await store.ping();
  });
});
