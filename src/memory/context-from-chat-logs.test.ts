import { test } from "node:test";
import assert from "node:assert/strict";
import { AIMessage, HumanMessage } from "@langchain/core/messages";
import type { ChatLogRecord } from "../store/chat-log.ts";
import { contextFromChatLogs } from "./context-from-chat-logs.ts";

let n = 0;
const rec = (fields: Partial<ChatLogRecord> & Pick<ChatLogRecord, "role" | "content">): ChatLogRecord => ({
  id: `r${++n}`,
  session_id: "s1",
  user_id: "",
  character_id: "captain",
  action_type: null,
  created_at: new Date(Date.UTC(2025, 5, 1, 12, 0, n)),
  metadata: null,
  ...fields,
});

test("chat log records become the messages the conversation would have cached", () => {
  const messages = contextFromChatLogs([
    rec({ role: "system", content: "You are the captain." }),
    rec({ role: "user", user_id: "ada@example.com", content: "Ahoy!" }),
    rec({ role: "ai", content: "Welcome aboard.", metadata: { model: "m", usage: { total_tokens: 9 } } }),
    rec({ role: "user", user_id: "bob", content: "something rude", metadata: { moderated: true } }),
    rec({ role: "ai", content: "", metadata: { reason: "moderated" } }),
    rec({ role: "user", user_id: "bob", content: "bob inspects the old map", action_type: "inspect_item" }),
    rec({ role: "ai", content: "That map shows the reef." }),
    rec({ role: "user", user_id: "bob", content: "flagged but allowed", metadata: { moderated: false } }),
  ]);

  assert.deepEqual(
    messages.map((m) => ({ type: m.type, name: m.name, content: m.content })),
    [
      { type: "human", name: "ada_example_com", content: "Ahoy!" },
      { type: "ai", name: undefined, content: "Welcome aboard." },
      { type: "human", name: "bob", content: "(bob inspects the old map)" },
      { type: "ai", name: undefined, content: "That map shows the reef." },
      { type: "human", name: "bob", content: "flagged but allowed" },
    ],
  );
  assert.ok(messages[0] instanceof HumanMessage);
  assert.ok(messages[1] instanceof AIMessage);
});

test("no records, or only skipped ones, give an empty window", () => {
  assert.deepEqual(contextFromChatLogs([]), []);
  assert.deepEqual(contextFromChatLogs([rec({ role: "system", content: "x" }), rec({ role: "ai", content: "" })]), []);
});

test("a user turn without a player has no name", () => {
  const [m] = contextFromChatLogs([rec({ role: "user", content: "hello" })]);
  assert.equal(m?.name, undefined);
  assert.equal(m?.content, "hello");
});

test("a turn's tool calls come back as the AI message that made them and the tool messages that answered", async () => {
  const { AIMessage: AI } = await import("@langchain/core/messages");
  const messages = contextFromChatLogs([
    rec({ role: "user", user_id: "ada", content: "The sword, please." }),
    rec({
      role: "ai", content: "Take it. Guard it well.",
      metadata: {
        tool_calls: [
          { round: 1, id: "c1", name: "give_item", arguments: "{\"item_id\":\"sword_001\"}", outcome: "ok", result: { ok: true, item_id: "sword_001" } },
          { round: 2, id: "c2", name: "set_mood", arguments: "{\"mood\":\"pleased\"}", outcome: "ok", result: { ok: true, mood: "pleased" } },
        ],
      },
    }),
  ]);
  assert.deepEqual(messages.map((m) => m.getType()), ["human", "ai", "tool", "ai", "tool", "ai"]);
  assert.deepEqual((messages[1] as InstanceType<typeof AI>).tool_calls?.map((c) => [c.id, c.name, c.args]), [["c1", "give_item", { item_id: "sword_001" }]]);
  assert.equal(messages[4]!.content, "{\"ok\":true,\"mood\":\"pleased\"}");
  assert.equal(messages[5]!.content, "Take it. Guard it well.");
  // The mood is remembered with the session through these messages, after a rebuild too.
  const { rememberedMood } = await import("../ai/remembered-state.ts");
  assert.equal(rememberedMood(messages, ["stern", "pleased"]), "pleased");
  assert.equal(rememberedMood(messages, ["stern"]), undefined, "a mood the file no longer lists is not restored");
});
