import assert from "node:assert/strict";
import { test } from "node:test";
import { reconnectDelay, REDIS_RECONNECT_MAX_MS, redisOptionsFromUrl } from "./redis-options.ts";

const outage = { maxRetriesPerRequest: 1, retryStrategy: reconnectDelay };

test("a plain URL gives host, port and database 0, with auto-pipelining", () => {
  assert.deepEqual(redisOptionsFromUrl("redis://127.0.0.1:6379"), { host: "127.0.0.1", port: 6379, db: 0, enableAutoPipelining: true, ...outage });
});

test("credentials, database and TLS are carried over", () => {
  assert.deepEqual(redisOptionsFromUrl("rediss://parley:s%40cret@cache.internal:6380/3"), {
    host: "cache.internal", port: 6380, username: "parley", password: "s@cret", db: 3, tls: {}, enableAutoPipelining: true, ...outage,
  });
  assert.equal(redisOptionsFromUrl("redis://:only-password@h").password, "only-password");
  assert.equal(redisOptionsFromUrl("redis://h").port, 6379);
});

test("other schemes and bad database numbers are refused", () => {
  assert.throws(() => redisOptionsFromUrl("http://h:6379"), /redis:\/\//);
  assert.throws(() => redisOptionsFromUrl("redis://h/x"), /database number/);
});

test("reconnection is tried again at least every second, so joins come back soon after Redis does", () => {
  assert.deepEqual([1, 2, 5, 50].map(reconnectDelay), [100, 200, 500, REDIS_RECONNECT_MAX_MS]);
});
