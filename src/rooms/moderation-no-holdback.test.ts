/** With hold-back off, chunks go out at once and the retraction removes what was shown. */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { say64, startSimOpenAI, type SimOpenAI } from "../../loadtest/sim-openai/server.ts";
import { startTestServer, type TestServer } from "../testing/test-server.ts";
import { TestPlayer } from "../testing/test-player.ts";

let sim: SimOpenAI;
let server: TestServer;

before(async () => {
  sim = await startSimOpenAI({ firstTokenMs: 0, tokensPerSecond: 100, log: "silent" });
  server = await startTestServer({ OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim", MODERATION_HOLDBACK: "false" });
});

after(async () => {
  await server.close();
  await sim.close();
});

it("shows chunks at once, then retracts them and ends the reply as moderated", async () => {
  const player = await TestPlayer.join(server.wsUrl, await server.tokenFor("u"), { character_id: 1, session_id: "no-holdback" });
  player.send("chat", { content: say64(["Listen", ", pie", "ce of shit", " now"]) });
  const retract = await player.waitFor("ai_retract");
  const end = await player.waitFor("ai_end", (e) => e.reply_id === retract.reply_id);
  assert.equal(end.reason, "moderated");
  assert.deepEqual(player.chunksOf(retract.reply_id).map((c) => c.content), ["Listen", ", pie"]);
  assert.equal(end.full_content, "Listen, pie", "what was shown, which the retraction removes");
  await player.leave();
});
