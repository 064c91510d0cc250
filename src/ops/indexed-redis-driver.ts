/**
 * Colyseus' RedisDriver answers every `joinOrCreate` by loading and parsing every room of the
 * cluster (HGETALL): at a thousand rooms each join costs milliseconds of CPU, and a wave of joins
 * queues for seconds (BENCHMARKS.md, "Joining"). Parley finds a room by one filter (the session),
 * so this driver keeps an index from that filter's value to the room and reads just that room.
 * Everything else is the RedisDriver's own.
 */
import type { IRoomCache, MatchMakerDriver, SortOptions } from "@colyseus/core";
import { RedisDriver } from "@colyseus/redis-driver";
import type { Redis } from "ioredis";
import type { ParleyRedisOptions } from "./redis-options.ts";

export const ROOM_INDEX_KEY = "parley:room-index";

// Deletes the index entry only if it still names this room: a newer room may have taken the key.
const DELETE_IF_ROOM = `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0`;

export interface IndexedRoom {
  /** The room type whose rooms are indexed. */
  roomName: string;
  /** The filter (a `filterBy` field) every join of that room type gives. */
  field: string;
}

export class IndexedRedisDriver implements MatchMakerDriver {
  readonly #inner: RedisDriver;
  readonly #redis: Redis;
  readonly #indexed: IndexedRoom;
  /** Index keys of the rooms this process listed: rooms are removed by the process that owns them. */
  readonly #keyOfRoom = new Map<string, string>();
  /** Rooms gone while Redis was: their listings are removed once it is back (roomId -> index key). */
  readonly #unremoved = new Map<string, string | undefined>();
  readonly #onError: (err: Error) => void;

  /**
   * `redis` keeps the index; the RedisDriver opens its own connection (it bundles another ioredis),
   * whose connection errors go to `onConnectionError`: without a listener ioredis prints each one
   * as an "Unhandled error event". Removals that fail go there too.
   */
  constructor(options: ParleyRedisOptions, redis: Redis, indexed: IndexedRoom, onError: (err: Error) => void = () => {}) {
    this.#redis = redis;
    this.#inner = new RedisDriver(options);
    (this.#inner as unknown as { _client: { on(event: "error", listener: (err: Error) => void): void } })._client.on("error", onError);
    this.#indexed = indexed;
    this.#onError = onError;
    redis.on("ready", () => {
      for (const [roomId, key] of this.#unremoved) {
        this.#unremoved.delete(roomId);
        void this.#removeListing(roomId, key);
      }
    });
  }

  has(roomId: string) { return this.#inner.has(roomId); }
  query(conditions: Partial<IRoomCache>, sortOptions?: SortOptions) { return this.#inner.query(conditions, sortOptions); }
  cleanup(processId: string) { return this.#inner.cleanup(processId); }
  findByIds(roomIds: string[]) { return this.#inner.findByIds(roomIds); }
  update(room: IRoomCache, operations: Parameters<RedisDriver["update"]>[1]) { return this.#inner.update(room, operations); }
  clear() { return Promise.all([this.#inner.clear(), this.#redis.del(ROOM_INDEX_KEY)]).then(() => undefined); }
  async shutdown() {
    await this.#inner.shutdown();
    this.#redis.disconnect();
  }

  async findOne(conditions: Partial<IRoomCache>, sortOptions?: SortOptions): Promise<IRoomCache> {
    const key = this.#keyOf(conditions);
    if (key === undefined) return this.#inner.findOne(conditions, sortOptions);
    const roomId = await this.#redis.hget(ROOM_INDEX_KEY, key);
    if (!roomId) return undefined as unknown as IRoomCache;
    const room = await this.#inner.findOne({ roomId });
    return (room && satisfies(room, conditions) ? room : undefined) as IRoomCache;
  }

  async persist(room: IRoomCache, create?: boolean): Promise<boolean> {
    const saved = await this.#inner.persist(room, create);
    const key = this.#keyOf(room);
    if (saved && key !== undefined && this.#keyOfRoom.get(room.roomId) !== key) {
      await this.#redis.hset(ROOM_INDEX_KEY, key, room.roomId);
      this.#keyOfRoom.set(room.roomId, key);
    }
    return saved;
  }

  /**
   * Colyseus removes a disposed room's listing without awaiting it: this never rejects. A listing
   * left behind would send that session's joins to a room that is gone, so a removal that failed
   * (Redis away) is made again when the connection is back.
   */
  async remove(roomId: string): Promise<boolean> {
    const key = this.#keyOfRoom.get(roomId);
    this.#keyOfRoom.delete(roomId);
    return this.#removeListing(roomId, key);
  }

  async #removeListing(roomId: string, key: string | undefined): Promise<boolean> {
    try {
      if (key !== undefined) await this.#redis.eval(DELETE_IF_ROOM, 1, ROOM_INDEX_KEY, key, roomId);
      return await this.#inner.remove(roomId);
    } catch (err) {
      this.#unremoved.set(roomId, key);
      this.#onError(err instanceof Error ? err : new Error(String(err)));
      return false;
    }
  }

  /** The index key for a room or a search, if it is of the indexed room type and gives the filter. */
  #keyOf(roomOrConditions: Partial<IRoomCache>): string | undefined {
    if (roomOrConditions.name !== this.#indexed.roomName) return undefined;
    const value: unknown = (roomOrConditions as Record<string, unknown>)[this.#indexed.field]
      ?? (roomOrConditions.metadata as Record<string, unknown> | undefined)?.[this.#indexed.field];
    return typeof value === "string" ? `${this.#indexed.roomName}:${value}` : undefined;
  }
}

/** The RedisDriver's own matching rule: a field of the listing, or else of its metadata, must be equal. */
function satisfies(room: IRoomCache, conditions: Partial<IRoomCache>): boolean {
  const listing = room as unknown as Record<string, unknown>;
  const metadata = (room.metadata ?? {}) as Record<string, unknown>;
  for (const [field, value] of Object.entries(conditions)) {
    if (Object.hasOwn(listing, field)) {
      if (listing[field] !== value) return false;
    } else if (Object.hasOwn(metadata, field)) {
      if (metadata[field] !== value) return false;
    } else {
      return false;
    }
  }
  return true;
}
