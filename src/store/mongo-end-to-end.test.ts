/**
 * A Parley server with `MONGODB_URL`: a player's turns reach the `chat_logs` collection through
 * the official driver over TCP (src/testing/wire-mongo-server.ts), once each, also when the
 * connection drops under an insert.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { CHAT_LOGS_COLLECTION } from "./mongo-chat-log-store.ts";
import { startTestServer, type TestServer } from "../testing/test-server.ts";
import { TestPlayer } from "../testing/test-player.ts";
import { until } from "../testing/until.ts";
import { WireMongoServer } from "../testing/wire-mongo-server.ts";

// The URL names no database: the driver's default.
const DB = "test";
let mongo: WireMongoServer;
let server: TestServer;

before(async () => {
  mongo = await WireMongoServer.start();
  server = await startTestServer({ MONGODB_URL: mongo.url, OFFLINE_MODEL_TOKEN_MS: "1", CHAT_BURST: "50" });
});

after(async () => {
  await server?.close();
  await mongo?.close();
});

async function chat(player: TestPlayer, content: string): Promise<void> {
  const ends = player.of("ai_end").length;
  player.send("chat", { content });
  await player.waitFor("ai_end", () => player.of("ai_end").length > ends, 10_000);
}

test("each turn is stored once in chat_logs, also when the connection drops under an insert", async () => {
  const player = await TestPlayer.join(server.wsUrl, await server.tokenFor("alice"), { character_id: 1, session_id: "mongo-e2e" });
  await player.waitFor("ai_end", (e) => e.reply_id.startsWith("greeting-"), 10_000);
  await chat(player, "Hello, who are you?");
  const insertsBeforeDrop = mongo.commandsNamed("insert").length;
  mongo.dropNext("insert");
  await chat(player, "Show me the sword.");
  await player.leave();

  const turns = () => mongo.documents(DB, CHAT_LOGS_COLLECTION).filter((d) => d.session_id === "mongo-e2e");
  const said = (content: string) => turns().some((d) => d.role === "user" && d.content === content);
  await until(() => said("Hello, who are you?") && said("Show me the sword."), "both chats stored", 15_000);
  await until(() => turns().filter((d) => d.role === "ai").length >= 2, "both replies stored", 15_000);
  const dropped = mongo.commandsNamed("insert")[insertsBeforeDrop]?.documents as { _id: string }[] | undefined;
  assert.ok(dropped && dropped.length > 0, "an insert was dropped");
  const storedIds = new Set(turns().map((d) => d._id));
  assert.deepEqual(dropped.filter((d) => !storedIds.has(d._id)), [], "what the dropped insert carried was sent again and stored");
  const ids = turns().map((d) => d._id);
  assert.equal(new Set(ids).size, ids.length, "no turn stored twice");
  for (const d of turns().filter((t) => t.role === "user")) assert.equal(d.user_id, "alice");
});
