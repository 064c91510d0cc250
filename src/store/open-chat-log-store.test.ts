import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PGlite } from "@electric-sql/pglite";
import { MongoChatLogStore } from "./mongo-chat-log-store.ts";
import { openChatLogStore } from "./open-chat-log-store.ts";
import { PgChatLogStore } from "./pg-chat-log-store.ts";
import { WireMongoServer } from "../testing/wire-mongo-server.ts";

describe("openChatLogStore", () => {
  let db: PGlite;
  const tableExists = async () =>
    (await db.query<{ t: string | null }>("SELECT to_regclass('chat_logs')::text AS t")).rows[0]?.t === "chat_logs";

  before(async () => {
    db = new PGlite();
    await db.waitReady;
  });

  after(async () => {
    await db?.close();
  });

  it("chooses MongoDB when a URL is given, even with a SQL client at hand", async () => {
    const server = await WireMongoServer.start();
    try {
      const { store, backend } = await openChatLogStore({ mongodbUrl: server.url, mongodbDbName: "parley" }, { sql: db });
      assert.equal(backend, "mongodb");
      assert.ok(store instanceof MongoChatLogStore);
      assert.equal(server.commandsNamed("createIndexes").length, 1);
      await store.close();
      assert.equal(await tableExists(), false);
    } finally {
      await server.close();
    }
  });

  it("uses the SQL client, migrated, without a MongoDB URL", async () => {
    const { store, backend } = await openChatLogStore({ mongodbUrl: "" }, { sql: db });
    assert.equal(backend, "postgresql");
    assert.ok(store instanceof PgChatLogStore);
    assert.equal(await tableExists(), true);
    assert.deepEqual(await store.recent("nobody", 5), []);
  });

  it("refuses to start with neither", async () => {
    await assert.rejects(openChatLogStore({}, {}), /MongoDB URL or a PostgreSQL client/);
  });
});
