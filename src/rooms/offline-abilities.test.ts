/**
 * With no model configured, the offline model still lets the character act: asked for the sword
 * in English or Chinese, it gives it, and it answers in the player's language.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../testing/test-server.ts";
import { TestPlayer } from "../testing/test-player.ts";
import { until } from "../testing/until.ts";

let server: TestServer;
let session = 0;
const HAN = /\p{Script=Han}/u;

async function ask(user: string, content: string): Promise<{ player: TestPlayer; text: string }> {
  const player = await TestPlayer.join(server.wsUrl, await server.tokenFor(user), { character_id: 1, session_id: `offline-${process.pid}-${++session}` });
  await player.waitFor("ai_end", (e) => e.reply_id.startsWith("greeting-"));
  player.send("chat", { content });
  const end = await player.waitFor("ai_end", (e) => !e.reply_id.startsWith("greeting-"));
  assert.equal(end.reason, "complete");
  return { player, text: end.full_content };
}

before(async () => {
  server = await startTestServer({ OFFLINE_MODEL_TOKEN_MS: "0", CHAT_BURST: "50" });
});
after(() => server.close());

describe("the offline model", () => {
  for (const [language, request] of [["English", "Master, may I have the sword?"], ["Chinese", "师父，可以把那把剑给我吗？"]] as const) {
    it(`gives the sword when asked for it in ${language}, and says so in ${language}`, async () => {
      const { player, text } = await ask(`asker-${language}`, request);
      const event = await player.waitFor("game_event", (e) => e.event_type === "item_given");
      assert.equal(event.payload["item_id"], "sword_001");
      assert.equal(event.source, "character");
      const owner = () => (player.room.state as { items: { toJSON(): Record<string, { owner: string }> } }).items.toJSON()["sword_001"]!.owner;
      await until(() => owner() !== "", "the sword's owner in the state");
      assert.equal(owner(), `asker-${language}`);
      assert.equal(HAN.test(text), language === "Chinese", text);
      await player.leave();
    });
  }

  it("answers a Chinese question in Chinese and an English one in English, and acts on neither", async () => {
    for (const [question, chinese] of [["你今天教我什么？", true], ["What will you teach me today?", false]] as const) {
      const { player, text } = await ask("learner", question);
      assert.equal(HAN.test(text), chinese, `${question} -> ${text}`);
      assert.deepEqual(player.of("game_event"), []);
      await player.leave();
    }
  });
});
