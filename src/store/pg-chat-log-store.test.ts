import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PGlite } from "@electric-sql/pglite";
import type { ChatLogRecord } from "./chat-log.ts";
import { ChatLogSeq } from "./chat-log-seq.ts";
import { PgChatLogStore } from "./pg-chat-log-store.ts";
import type { SqlClient } from "./sql.ts";
import { chatRecord, chatRecords } from "../testing/chat-log-records.ts";
import { createTestSchema } from "../testing/pg-schema.ts";
import type { TestSchema } from "../testing/pg-schema.ts";

interface Backend {
  sql: SqlClient;
  close(): Promise<void>;
}

function storeContract(name: string, open: () => Promise<Backend>): void {
  describe(`PgChatLogStore on ${name}`, () => {
    let backend: Backend;
    let store: PgChatLogStore;
    const count = async (sessionId: string) => {
      const { rows } = await backend.sql.query<{ n: number | string }>(
        "SELECT count(*) AS n FROM chat_logs WHERE session_id = $1",
        [sessionId],
      );
      return Number(rows[0]?.n);
    };

    before(async () => {
      backend = await open();
      store = new PgChatLogStore(backend.sql, { seq: new ChatLogSeq() });
      await store.migrate();
      await store.migrate();
    });

    after(async () => {
      await store?.close();
      await backend?.close();
    });

    it("gives back every field as appended", async () => {
      const records = [
        chatRecord(1, "fields"),
        chatRecord(2, "fields", { action_type: "inspect_item", metadata: { tokens: { in: 3, out: 9 }, flags: ["ok"] } }),
        chatRecord(3, "fields", { role: "system", user_id: "", content: "she ✓ said \"hi\"\n" }),
      ];
      await store.append(records);
      assert.deepEqual(await store.recent("fields", 10), records);
    });

    it("stores each id once, across and within appends", async () => {
      await store.append(chatRecords(1, 3, "dupes"));
      await store.append([...chatRecords(2, 5, "dupes"), chatRecord(5, "dupes")]);
      assert.equal(await count("dupes"), 5);
      assert.deepEqual((await store.recent("dupes", 10)).map((r) => r.content), ["turn 1", "turn 2", "turn 3", "turn 4", "turn 5"]);
    });

    it("returns the newest turns oldest first, in append order when created_at ties", async () => {
      const at = new Date("2025-03-01T00:00:00.000Z");
      const turns: ChatLogRecord[] = ["z", "a", "m", "b"].map((id) => chatRecord(0, "ties", { id: `ties-${id}`, created_at: at }));
      await store.append(turns.slice(0, 2));
      await store.append(turns.slice(2));
      assert.deepEqual((await store.recent("ties", 3)).map((r) => r.id), ["ties-a", "ties-m", "ties-b"]);
      assert.deepEqual(await store.recent("ties", 0), []);
    });

    it("keeps sessions apart", async () => {
      await store.append([chatRecord(1, "apart-a"), chatRecord(1, "apart-b")]);
      assert.deepEqual((await store.recent("apart-a", 5)).map((r) => r.id), ["apart-a-turn-1"]);
    });

    it("writes batches larger than one statement", async () => {
      await store.append(chatRecords(1, 2_345, "large"));
      assert.equal(await count("large"), 2_345);
      assert.deepEqual((await store.recent("large", 2)).map((r) => r.content), ["turn 2344", "turn 2345"]);
    });

    it("rejects a role outside user, ai and system with a clear error", async () => {
      const bad = { ...chatRecord(1, "bad"), role: "narrator" } as unknown as ChatLogRecord;
      await assert.rejects(store.append([bad]), /chat_logs: inserting 1 records failed: .*check constraint/);
    });

    it("answers ping", async () => {
      await store.ping();
    });
  });
}

let schema: TestSchema | undefined;
storeContract("PostgreSQL", async () => {
  schema = await createTestSchema();
  return { sql: schema.pool, close: () => schema!.drop() };
});

storeContract("PGlite", async () => {
  const db = new PGlite();
  return { sql: db, close: () => db.close() };
});

describe("PgChatLogStore statements", () => {
  it("appends with one multi-row INSERT that skips known ids", async () => {
    const seen: Array<{ text: string; params: unknown[] | undefined }> = [];
    const sql: SqlClient = {
      async query<R>(text: string, params?: unknown[]) {
        seen.push({ text, params });
        return { rows: [] as R[] };
      },
    };
    await new PgChatLogStore(sql).append(chatRecords(1, 3));
    assert.equal(seen.length, 1);
    assert.match(seen[0]!.text, /^INSERT INTO chat_logs \(id, .*, seq\) VALUES \(.*\), \(.*\), \(.*\) ON CONFLICT \(id\) DO NOTHING$/);
    assert.equal(seen[0]!.params?.length, 30);
  });

  it("sends nothing for an empty batch", async () => {
    let calls = 0;
    const sql: SqlClient = { query: async <R>() => (calls++, { rows: [] as R[] }) };
    await new PgChatLogStore(sql).append([]);
    assert.equal(calls, 0);
  });
});
