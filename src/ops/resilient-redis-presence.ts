/**
 * RedisPresence whose writes never reject. Colyseus fires several of them and forgets them: the
 * process stats (`hset` on a timer), IPC replies and lobby notices (`publish`), `unsubscribe` and
 * `hdel` when a room goes. During a Redis outage each failed one was an unhandled rejection, and
 * Node ends the process on the first (`MaxRetriesPerRequestError`, exit 1). A lost write of these
 * is repaired by the next one (stats are rewritten every change, subscriptions are reconciled on
 * reconnect), so it is logged instead. Reads and the room-creation lock still reject: a join that
 * needs them fails, and is retried by its player.
 */
import { RedisPresence } from "@colyseus/redis-presence";
import type { ParleyRedisOptions } from "./redis-options.ts";

export type PresenceErrorListener = (operation: string, err: Error) => void;

export class ResilientRedisPresence extends RedisPresence {
  readonly #onError: PresenceErrorListener;

  constructor(options: ParleyRedisOptions, onError: PresenceErrorListener) {
    super(options);
    this.#onError = onError;
  }

  async #quietly<T>(operation: string, write: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await write();
    } catch (err) {
      this.#onError(operation, err instanceof Error ? err : new Error(String(err)));
      return fallback;
    }
  }

  override publish(topic: string, data: unknown) { return this.#quietly("publish", () => super.publish(topic, data), undefined); }
  override unsubscribe(topic: string, callback?: (...args: unknown[]) => void) {
    return this.#quietly("unsubscribe", () => super.unsubscribe(topic, callback), this);
  }
  override hset(key: string, field: string, value: string) { return this.#quietly("hset", () => super.hset(key, field, value), false); }
  override hdel(key: string, field: string) { return this.#quietly("hdel", () => super.hdel(key, field), false); }

  /** For /readyz: both connections up, and the publishing one answers. */
  async check(): Promise<void> {
    if (this.sub.status !== "ready" && this.sub.status !== "connect") throw new Error(`subscriber connection ${this.sub.status}`);
    await this.pub.ping();
  }
}
