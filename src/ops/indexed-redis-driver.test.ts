import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { IRoomCache } from "@colyseus/core";
import { Redis } from "ioredis";
import { IndexedRedisDriver, ROOM_INDEX_KEY } from "./indexed-redis-driver.ts";
import { redisOptionsFromUrl } from "./redis-options.ts";

const REDIS_URL = process.env.PARLEY_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

describe("IndexedRedisDriver (real Redis)", () => {
  let driver: IndexedRedisDriver;
  let redis: Redis;
  const made: string[] = [];

  before(() => {
    redis = new Redis(REDIS_URL);
    driver = new IndexedRedisDriver(redisOptionsFromUrl(REDIS_URL), new Redis(REDIS_URL), { roomName: "ai_character", field: "session_id" });
  });
  after(async () => {
    for (const roomId of made) await driver.remove(roomId);
    await driver.shutdown();
    redis.disconnect();
  });

  const listing = (session: string, extra: Partial<IRoomCache> = {}): IRoomCache => {
    const roomId = randomUUID();
    made.push(roomId);
    return {
      roomId, name: "ai_character", clients: 0, maxClients: 8, locked: false, private: false, unlisted: false,
      processId: "test", publicAddress: undefined, createdAt: new Date(), metadata: { session_id: session }, ...extra,
    } as unknown as IRoomCache;
  };
  const search = (session: string) => ({ name: "ai_character", locked: false, private: false, session_id: session });

  test("finds a session's room through the index, and no other", async () => {
    const a = listing(`s-${randomUUID()}`);
    const b = listing(`s-${randomUUID()}`);
    await driver.persist(a, true);
    await driver.persist(b, true);
    assert.equal((await driver.findOne(search(a.metadata.session_id)))?.roomId, a.roomId);
    assert.equal((await driver.findOne(search(b.metadata.session_id)))?.roomId, b.roomId);
    assert.equal(await driver.findOne(search("no-such-session")), undefined);
    assert.equal(await redis.hget(ROOM_INDEX_KEY, `ai_character:${a.metadata.session_id}`), a.roomId);
  });

  test("a locked or private room is not offered, as with the plain driver", async () => {
    const session = `s-${randomUUID()}`;
    const room = listing(session);
    await driver.persist(room, true);
    await driver.update(room, { $set: { locked: true } });
    assert.equal(await driver.findOne(search(session)), undefined);
  });

  test("removing a room drops its index entry, but not a newer room's", async () => {
    const session = `s-${randomUUID()}`;
    const older = listing(session);
    const newer = listing(session);
    await driver.persist(older, true);
    await driver.persist(newer, true);
    await driver.remove(older.roomId);
    assert.equal((await driver.findOne(search(session)))?.roomId, newer.roomId);
    await driver.remove(newer.roomId);
    assert.equal(await redis.hget(ROOM_INDEX_KEY, `ai_character:${session}`), null);
    assert.equal(await driver.findOne(search(session)), undefined);
  });

  test("an index entry whose room is gone finds nothing", async () => {
    const session = `s-${randomUUID()}`;
    await redis.hset(ROOM_INDEX_KEY, `ai_character:${session}`, "vanished-room");
    assert.equal(await driver.findOne(search(session)), undefined);
    await redis.hdel(ROOM_INDEX_KEY, `ai_character:${session}`);
  });

  test("searches without the indexed filter still go through the RedisDriver", async () => {
    const session = `s-${randomUUID()}`;
    const room = listing(session, { name: "lobby" } as Partial<IRoomCache>);
    await driver.persist(room, true);
    assert.equal((await driver.findOne({ name: "lobby", session_id: session } as Partial<IRoomCache>))?.roomId, room.roomId);
    assert.equal((await driver.findOne({ roomId: room.roomId }))?.roomId, room.roomId);
    assert.equal(await redis.hexists(ROOM_INDEX_KEY, `lobby:${session}`), 0);
  });
});
