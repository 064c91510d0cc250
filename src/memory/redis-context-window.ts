import {
  mapChatMessagesToStoredMessages,
  mapStoredMessagesToChatMessages,
  type AIMessage,
  type BaseMessage,
  type StoredMessage,
} from "@langchain/core/messages";
import type { Redis } from "ioredis";
import type { ContextWindow } from "./context-window.ts";

export interface RedisContextWindowOptions {
  /** A shared connection: this class never quits it. */
  redis: Redis;
  maxMessages: number;
  /** Refreshed on every load and write, so the window lives this long after its last use. */
  ttlSeconds: number;
}

/** RPUSH, LTRIM and EXPIRE as one atomic step. ARGV: the window's size, the TTL, then the entries. */
const APPEND_SCRIPT = `
if #ARGV > 2 then
  redis.call('RPUSH', KEYS[1], unpack(ARGV, 3))
  redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1)
end
return redis.call('EXPIRE', KEYS[1], ARGV[2])`;

interface ContextScripts {
  parleyContextAppend(key: string, maxMessages: number, ttlSeconds: number, ...entries: string[]): Promise<number>;
}

export function contextKey(sessionId: string): string {
  return `chat:context:${sessionId}`;
}

/**
 * The context window in Redis, shared by every server process: one List per session whose entries
 * are LangChain StoredMessage JSON, oldest first. Each operation is one atomic round trip (a MULTI,
 * or a script for the append every turn makes), so a window is never seen untrimmed or without its expiry.
 *
 * Unlike the in-process window, an empty window cannot exist in Redis: `replace(id, [])` leaves
 * nothing cached, and the next `load` is a miss (null), which a rebuild from the chat logs answers.
 */
export class RedisContextWindow implements ContextWindow {
  readonly #redis: Redis;
  readonly #maxMessages: number;
  readonly #ttlSeconds: number;

  constructor(opts: RedisContextWindowOptions) {
    if (!Number.isInteger(opts.maxMessages) || opts.maxMessages < 1) throw new RangeError("maxMessages must be a positive integer");
    if (!Number.isInteger(opts.ttlSeconds) || opts.ttlSeconds < 1) throw new RangeError("ttlSeconds must be a positive integer");
    this.#redis = opts.redis;
    this.#maxMessages = opts.maxMessages;
    this.#ttlSeconds = opts.ttlSeconds;
    // Sent by SHA after the first call, and again in full if the server has lost it (a restart).
    if (!("parleyContextAppend" in this.#redis)) this.#redis.defineCommand("parleyContextAppend", { numberOfKeys: 1, lua: APPEND_SCRIPT });
  }

  async load(sessionId: string): Promise<BaseMessage[] | null> {
    const key = contextKey(sessionId);
    const [entries, refreshed] = await run<[string[], number]>(this.#redis.multi().lrange(key, 0, -1).expire(key, this.#ttlSeconds));
    // EXPIRE answers 0 when the key does not exist: that, not an empty LRANGE, is what marks a miss.
    if (refreshed === 0) return null;
    return entries.flatMap(decode);
  }

  /** Every turn appends: one script call, which costs far less than a MULTI's five commands. */
  async append(sessionId: string, messages: readonly BaseMessage[]): Promise<void> {
    await (this.#redis as unknown as ContextScripts).parleyContextAppend(
      contextKey(sessionId), this.#maxMessages, this.#ttlSeconds, ...encode(messages.slice(-this.#maxMessages)));
  }

  async replace(sessionId: string, messages: readonly BaseMessage[]): Promise<void> {
    const key = contextKey(sessionId);
    const tx = this.#redis.multi().del(key);
    if (messages.length > 0) {
      tx.rpush(key, ...encode(messages.slice(-this.#maxMessages))).ltrim(key, -this.#maxMessages, -1).expire(key, this.#ttlSeconds);
    }
    await run(tx);
  }

  /** Does not quit the Redis connection: it is shared, and its owner closes it. */
  async close(): Promise<void> {}
}

function encode(messages: readonly BaseMessage[]): string[] {
  return messages.map((m) => JSON.stringify(plainStoredMessage(m) ?? mapChatMessagesToStoredMessages([m])[0]));
}

/**
 * A chat line (string content, nothing else attached) as the smallest StoredMessage that decodes to
 * it again. LangChain's own mapping serialises every field of the class, a cost paid on every turn;
 * anything richer (tool calls, content blocks, extra kwargs) still goes through it.
 */
function plainStoredMessage(m: BaseMessage): StoredMessage | null {
  const type = m.getType();
  if ((type !== "human" && type !== "ai") || typeof m.content !== "string" || m.id !== undefined) return null;
  if (Object.keys(m.additional_kwargs).length > 0 || Object.keys(m.response_metadata).length > 0) return null;
  if (type === "ai") {
    const ai = m as AIMessage;
    if ((ai.tool_calls?.length ?? 0) > 0 || (ai.invalid_tool_calls?.length ?? 0) > 0 || ai.usage_metadata !== undefined) return null;
  }
  // JSON.stringify drops the undefined fields: an entry is {"type","data":{"content"[,"name"]}}.
  return { type, data: { content: m.content, role: undefined, name: m.name, tool_call_id: undefined } };
}

/** A corrupt entry costs one line of context, not the whole conversation. */
function decode(entry: string): BaseMessage[] {
  try {
    const parsed: unknown = JSON.parse(entry);
    if (!isStoredMessage(parsed)) return [];
    return mapStoredMessagesToChatMessages([parsed]);
  } catch {
    return [];
  }
}

function isStoredMessage(v: unknown): v is StoredMessage {
  if (typeof v !== "object" || v === null) return false;
  const { type, data } = v as { type?: unknown; data?: unknown };
  if (typeof type !== "string" || typeof data !== "object" || data === null) return false;
  const { content } = data as { content?: unknown };
  return typeof content === "string" || Array.isArray(content);
}

interface Exec {
  exec(): Promise<[error: Error | null, result: unknown][] | null>;
}

async function run<T extends unknown[]>(tx: Exec): Promise<T> {
  const replies = await tx.exec();
  if (replies === null) throw new Error("Redis transaction was aborted");
  const failed = replies.find(([err]) => err !== null);
  if (failed) throw failed[0];
  return replies.map(([, result]) => result) as T;
}
