/** An outage of the real PostgreSQL, made by cutting a proxy between the pool and the server. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { DurableChatLog } from "./durable-chat-log.ts";
import { PgChatLogStore } from "./pg-chat-log-store.ts";
import { chatRecords } from "../testing/chat-log-records.ts";
import { createTestSchema } from "../testing/pg-schema.ts";
import type { TestSchema } from "../testing/pg-schema.ts";
import { TcpProxy } from "../testing/tcp-proxy.ts";
import { captureLogger, waitFor } from "../testing/test-clock.ts";

describe("DurableChatLog over PostgreSQL during an outage", () => {
  let schema: TestSchema;
  let proxy: TcpProxy;
  let proxied: pg.Pool;
  let dir: string;
  let log: DurableChatLog;
  const logger = captureLogger();

  before(async () => {
    schema = await createTestSchema();
    await new PgChatLogStore(schema.pool).migrate();
    proxy = new TcpProxy("127.0.0.1", 5432);
    await proxy.start();
    proxied = new pg.Pool({
      ...schema.poolOptions(`postgres://postgres@127.0.0.1:${proxy.port}/postgres`),
      connectionTimeoutMillis: 1_000,
      max: 2,
    });
    // Idle connections die with the proxy; the pool replaces them, nothing else to do.
    proxied.on("error", () => {});
    dir = await mkdtemp(join(tmpdir(), "parley-outage-"));
    log = new DurableChatLog({
      store: new PgChatLogStore(proxied),
      spoolPath: join(dir, "chat-logs.jsonl"),
      logger,
      batchSize: 10,
      flushIntervalMs: 5,
      maxQueued: 20,
      retryBaseMs: 10,
      retryMaxMs: 100,
      storeTimeoutMs: 3_000,
    });
    await log.open();
  });

  after(async () => {
    await log?.close(1_000);
    await proxied?.end();
    await proxy?.stop();
    await schema?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const storedIds = async () =>
    (await schema.pool.query<{ id: string }>("SELECT id FROM chat_logs ORDER BY seq")).rows.map((r) => r.id);

  it("accepts records while the database is unreachable and stores each once, in order, when it returns", async () => {
    for (const r of chatRecords(1, 15)) log.record(r);
    assert.deepEqual(await log.flush(10_000), { queued: 0, spooled: 0 });
    assert.equal((await storedIds()).length, 15);

    await proxy.stop();
    for (const r of chatRecords(16, 60)) log.record(r);
    const { queued, spooled } = log.backlog();
    assert.equal(queued + spooled, 45);
    assert.ok(spooled > 0, "past maxQueued the records go to the spool file");
    await waitFor(() => logger.lines.some((l) => l.msg?.startsWith("chat log writes failing")), "a failed write");
    assert.deepEqual((await log.recent("session-1", 3)).map((r) => r.content), ["turn 58", "turn 59", "turn 60"]);

    await proxy.start();
    assert.deepEqual(await log.flush(15_000), { queued: 0, spooled: 0 });
    assert.deepEqual(await storedIds(), chatRecords(1, 60).map((r) => r.id));
  });
});
