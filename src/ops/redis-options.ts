/**
 * Connection options for every Redis client Parley opens (presence, matchmaking, context cache).
 *
 * Auto-pipelining sends the commands issued in one event-loop turn as one write: a wave of joins
 * or chats then costs a few socket writes instead of one per command, which is where the Redis
 * clients' CPU went under load (BENCHMARKS.md). The Colyseus Redis packages take options, not a
 * URL plus options, hence the parsing.
 */
export interface ParleyRedisOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: Record<string, never>;
  enableAutoPipelining: true;
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
  };
}
