/**
 * Connection options for every Redis client Parley opens (presence, matchmaking, context cache).
 *
 * Auto-pipelining sends the commands issued in one event-loop turn as one write: a wave of joins
 * or chats then costs a few socket writes instead of one per command, which is where the Redis
 * clients' CPU went under load (BENCHMARKS.md). The Colyseus Redis packages take options, not a
 * URL plus options, hence the parsing.
 *
 * Outages: a command waits in the offline queue for at most one reconnection attempt, then fails
 * (`maxRetriesPerRequest`), so a join during an outage fails in about a second instead of hanging
 * for ten (ioredis' 20 retries); reconnection is retried at least every second
 * (`retryStrategy`), so joins work again within a second or two of Redis coming back.
 */
export interface ParleyRedisOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: Record<string, never>;
  enableAutoPipelining: true;
  maxRetriesPerRequest: number;
  retryStrategy(times: number): number;
}

/** Retries per command while disconnected: one reconnection attempt, then the command fails. */
export const REDIS_RETRIES_PER_COMMAND = 1;
/** Longest wait between reconnection attempts (ioredis' default is 2 s). */
export const REDIS_RECONNECT_MAX_MS = 1000;

export function reconnectDelay(times: number): number {
  return Math.min(times * 100, REDIS_RECONNECT_MAX_MS);
}

export function redisOptionsFromUrl(redisUrl: string): ParleyRedisOptions {
  const url = new URL(redisUrl);
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new Error(`REDIS_URL must start with redis:// or rediss:// (got ${url.protocol}//)`);
  }
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new Error(`REDIS_URL: "${url.pathname.slice(1)}" is not a database number`);
  return {
    host: url.hostname || "127.0.0.1",
    port: url.port ? Number(url.port) : 6379,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    db,
    ...(url.protocol === "rediss:" ? { tls: {} } : {}),
    enableAutoPipelining: true,
    maxRetriesPerRequest: REDIS_RETRIES_PER_COMMAND,
    retryStrategy: reconnectDelay,
  };
}
