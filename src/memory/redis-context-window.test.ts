import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { Redis } from "ioredis";
import { contextKey, RedisContextWindow } from "./redis-context-window.ts";

const REDIS_URL = process.env.PARLEY_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const TTL = 1800;
const MAX = 4;
const RUN = `test-${randomBytes(6).toString("hex")}`;

const used = new Set<string>();
const session = (name: string): string => {
  const id = `${RUN}-${name}`;
  used.add(contextKey(id));
  return id;
};

const turn = (i: number): BaseMessage[] => [
  new HumanMessage({ content: `question ${i}`, name: "player_1" }),
  new AIMessage(`answer ${i}`),
];
const view = (messages: readonly BaseMessage[] | null) =>
  messages?.map((m) => ({ type: m.type, content: m.content, name: m.name }));

describe("RedisContextWindow", () => {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  const window = new RedisContextWindow({ redis, maxMessages: MAX, ttlSeconds: TTL });

  // The connection's own error (ECONNREFUSED, ...) says more than the "Connection is closed" that follows it.
  let connectionError: unknown = null;
  redis.on("error", (err: unknown) => { connectionError = err; });

  before(async () => {
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      const cause = String(connectionError ?? err);
      throw new Error(`Redis is required for the test suite and did not answer at ${REDIS_URL} (set PARLEY_TEST_REDIS_URL): ${cause}`);
    }
  });

  after(async () => {
    if (redis.status === "ready") {
      if (used.size > 0) await redis.del(...used);
      await window.close();
      await redis.quit();
    } else {
      redis.disconnect();
    }
  });

  test("a conversation is a List of StoredMessage JSON, trimmed, with a time-to-live", async () => {
    const id = session("append");
    await window.append(id, turn(1));
    await window.append(id, [...turn(2), ...turn(3)]);

    const key = contextKey(id);
    assert.equal(key, `chat:context:${id}`);
    assert.equal(await redis.type(key), "list");
    const entries = await redis.lrange(key, 0, -1);
    assert.equal(entries.length, MAX);
    const stored = entries.map((e) => JSON.parse(e) as { type: string; data: { content: string; name?: string } });
    assert.deepEqual(stored.map((s) => [s.type, s.data.content]), [
      ["human", "question 2"], ["ai", "answer 2"], ["human", "question 3"], ["ai", "answer 3"],
    ]);
    assert.equal(stored[0]?.data.name, "player_1");
    const ttl = await redis.ttl(key);
    assert.ok(ttl > 0 && ttl <= TTL, `ttl ${ttl}`);
  });

  test("one append larger than the window keeps only the newest messages", async () => {
    const id = session("big-append");
    await window.append(id, [...turn(1), ...turn(2), ...turn(3)]);
    assert.deepEqual(view(await window.load(id))?.map((m) => m.content), ["question 2", "answer 2", "question 3", "answer 3"]);
  });

  test("load returns the messages in order, keeps names, and refreshes the time-to-live", async () => {
    const id = session("load");
    await window.append(id, turn(1));
    await redis.expire(contextKey(id), 5);

    const loaded = await window.load(id);
    assert.ok(loaded?.[0] instanceof HumanMessage);
    assert.ok(loaded?.[1] instanceof AIMessage);
    assert.deepEqual(view(loaded), [
      { type: "human", content: "question 1", name: "player_1" },
      { type: "ai", content: "answer 1", name: undefined },
    ]);
    // A TTL that only counts down could never climb back above 5.
    assert.ok((await redis.ttl(contextKey(id))) > 5);
  });

  test("a missing key is a miss (null), and loading it creates nothing", async () => {
    const id = session("missing");
    assert.equal(await window.load(id), null);
    assert.equal(await redis.exists(contextKey(id)), 0);
  });

  test("replace drops what was cached", async () => {
    const id = session("replace");
    await window.append(id, [...turn(1), ...turn(2)]);
    await window.replace(id, turn(9));
    assert.deepEqual(view(await window.load(id))?.map((m) => m.content), ["question 9", "answer 9"]);
    const ttl = await redis.ttl(contextKey(id));
    assert.ok(ttl > 0 && ttl <= TTL, `ttl ${ttl}`);

    await window.replace(id, []);
    assert.equal(await window.load(id), null);
  });

  test("appending still works after the server forgot its scripts (a restart, SCRIPT FLUSH)", async () => {
    const id = session("script-flush");
    await window.append(id, turn(1));
    await redis.script("FLUSH");
    await window.append(id, turn(2));
    assert.deepEqual(view(await window.load(id))?.map((m) => m.content), ["question 1", "answer 1", "question 2", "answer 2"]);
  });

  test("a plain chat line is stored small; a message with tool calls keeps them", async () => {
    const id = session("shapes");
    const acting = new AIMessage({ content: "", tool_calls: [{ id: "call_1", name: "give_item", args: { item: "map" } }] });
    await window.append(id, [turn(1)[0]!, acting]);

    const [plain, rich] = await redis.lrange(contextKey(id), 0, -1);
    assert.deepEqual(JSON.parse(plain!), { type: "human", data: { content: "question 1", name: "player_1" } });
    assert.equal((JSON.parse(rich!) as { data: { tool_calls: unknown[] } }).data.tool_calls.length, 1);
    const loaded = await window.load(id);
    assert.deepEqual((loaded?.[1] as AIMessage).tool_calls?.map((c) => [c.name, c.args]), [["give_item", { item: "map" }]]);
  });

  test("a tool exchange is kept in LangChain's stored form: the AI message with its calls, the tool message", async () => {
    const id = session("tools");
    await window.append(id, [
      new AIMessage({ content: "Take it.", tool_calls: [{ id: "call_1", name: "give_item", args: { item_id: "sword_001" }, type: "tool_call" }] }),
      new ToolMessage({ content: "{\"ok\":true}", tool_call_id: "call_1" }),
    ]);
    const stored = (await redis.lrange(contextKey(id), 0, -1)).map((e) => JSON.parse(e) as { type: string; data: { tool_calls?: unknown[]; tool_call_id?: string } });
    assert.deepEqual(stored.map((s) => s.type), ["ai", "tool"]);
    assert.equal(stored[1]!.data.tool_call_id, "call_1");
    const [ai, tool] = (await window.load(id))!;
    assert.deepEqual((ai as AIMessage).tool_calls?.map((c) => [c.id, c.name, c.args]), [["call_1", "give_item", { item_id: "sword_001" }]]);
    assert.equal(tool!.getType(), "tool");
    assert.equal((tool as ToolMessage).tool_call_id, "call_1");
  });

  test("malformed entries are skipped", async () => {
    const id = session("malformed");
    const roomy = new RedisContextWindow({ redis, maxMessages: 20, ttlSeconds: TTL });
    await roomy.append(id, turn(1));
    await redis.rpush(contextKey(id), "not json", '{"type":"human"}', "42", "null", '{"type":"bogus","data":{"content":"x"}}');
    await roomy.append(id, [new AIMessage("still here")]);
    assert.equal(await redis.llen(contextKey(id)), 8);
    assert.deepEqual(view(await roomy.load(id))?.map((m) => m.content), ["question 1", "answer 1", "still here"]);
  });
});
