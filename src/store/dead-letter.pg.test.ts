/**
 * With the real PostgreSQL and with the embedded PGlite store: what they refuse is classified as
 * permanent, a refused record is set aside while the rest are stored, and text with U+0000 or a
 * lone surrogate is stored cleaned.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChatLogRecord } from "./chat-log.ts";
import { DurableChatLog } from "./durable-chat-log.ts";
import { openEmbeddedPostgresInWorker } from "./embedded-postgres-thread.ts";
import { PgChatLogStore } from "./pg-chat-log-store.ts";
import type { SqlClient } from "./sql.ts";
import { chatRecord, chatRecords } from "../testing/chat-log-records.ts";
import { createTestSchema } from "../testing/pg-schema.ts";
import { captureLogger } from "../testing/test-clock.ts";
import { isPermanentWriteError } from "./write-errors.ts";

const backends: Array<{ name: string; open(dir: string): Promise<{ sql: SqlClient; close(): Promise<void> }> }> = [
  {
    name: "PostgreSQL",
    async open() {
      const schema = await createTestSchema();
      return { sql: schema.pool, close: () => schema.drop() };
    },
  },
  {
    name: "embedded PGlite",
    async open(dir) {
      const db = await openEmbeddedPostgresInWorker(join(dir, "pglite"));
      return { sql: db, close: () => db.close() };
    },
  },
];

for (const backend of backends) {
  describe(`records ${backend.name} refuses`, () => {
    const cleanup: Array<() => Promise<void>> = [];
    after(async () => {
      for (const f of cleanup.reverse()) await f();
    });

    const setUp = async () => {
      const dir = await mkdtemp(join(tmpdir(), "parley-dead-letter-pg-"));
      cleanup.push(() => rm(dir, { recursive: true, force: true }));
      const db = await backend.open(dir);
      cleanup.push(() => db.close());
      const store = new PgChatLogStore(db.sql);
      await store.migrate();
      return { dir, db, store };
    };

    it("are refused with errors classified as permanent, unless cleaned first", async () => {
      const { store } = await setUp();
      // Straight to the store, past the cleaning in DurableChatLog.
      const raw = (n: number, fields: Partial<ChatLogRecord>) => () => store.append([chatRecord(n, "raw", fields)]);
      for (const attempt of [
        raw(1, { content: "nul \u0000 inside" }),
        raw(2, { metadata: { term: "nul \u0000 in jsonb" } }),
        raw(3, { metadata: { term: "lone \uD800 in jsonb" } }),
        raw(4, { role: "narrator" as ChatLogRecord["role"] }),
      ]) {
        await assert.rejects(attempt(), (err: Error) => isPermanentWriteError(err));
      }
    });

    it("sets the refused record aside and stores the rest, cleaned where needed", async () => {
      const { dir, db, store } = await setUp();
      await db.sql.query("ALTER TABLE chat_logs ADD CONSTRAINT no_forbidden CHECK (content <> 'forbidden')");
      const logger = captureLogger();
      const log = new DurableChatLog({ store, spoolPath: join(dir, "spool.jsonl"), logger, batchSize: 10, flushIntervalMs: 1, retryBaseMs: 5, retryMaxMs: 20 });
      await log.open();
      const records = chatRecords(1, 8);
      records[2] = { ...records[2]!, content: "forbidden" };
      records[4] = { ...records[4]!, content: "nul \u0000 and lone \uDC00", metadata: { note: "\u0000" } };
      for (const r of records) log.record(r);
      assert.deepEqual(await log.flush(10_000), { queued: 0, spooled: 0 });

      const { rows } = await db.sql.query<{ id: string; content: string; metadata: unknown }>("SELECT id, content, metadata FROM chat_logs ORDER BY seq");
      assert.deepEqual(rows.map((r) => r.id), records.map((r) => r.id).filter((id) => id !== records[2]!.id));
      const cleaned = rows.find((r) => r.id === records[4]!.id)!;
      assert.equal(cleaned.content, "nul \uFFFD and lone \uFFFD");
      assert.deepEqual(cleaned.metadata, { note: "\uFFFD" });

      const letters = (await readFile(join(dir, "chat-log-dead-letter.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { record: { id: string }; error: { code: string } });
      assert.deepEqual(letters.map((l) => [l.record.id, l.error.code]), [[records[2]!.id, "23514"]]);
      assert.equal(log.deadLetterCount, 1);
      await log.close(1_000);
    });
  });
}
