import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { HumanMessage } from "@langchain/core/messages";
import type { AIMessageChunk } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { expectedReply, startSimOpenAI } from "./server.ts";
import type { SimOpenAI } from "./server.ts";

// Only .stream() is used: other ChatOpenAI paths may try to fetch tokenizer data.
describe("ChatOpenAI against sim-openai", () => {
  let sim: SimOpenAI;
  before(async () => {
    sim = await startSimOpenAI({ replyTokens: 20 });
  });
  after(() => sim.close());

  const model = () =>
    new ChatOpenAI({
      model: "parley-sim",
      apiKey: "sim",
      configuration: { baseURL: sim.url },
      streaming: true,
      streamUsage: true,
      maxRetries: 0,
    });

  test("streams the expected text and ends with usage metadata", async () => {
    const controller = new AbortController();
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await model().stream([new HumanMessage("hi")], { signal: controller.signal })) {
      chunks.push(chunk);
    }
    const text = chunks.map((chunk) => (typeof chunk.content === "string" ? chunk.content : "")).join("");
    assert.equal(text, expectedReply([{ role: "user", content: "hi" }], 20).join(""));
    const usage = chunks.at(-1)!.usage_metadata;
    assert.ok(usage, "last chunk carries usage_metadata");
    assert.equal(usage.output_tokens, 20);
    assert.equal(usage.total_tokens, usage.input_tokens + usage.output_tokens);
    const seen = sim.stats.lastRequests.at(-1)!.body;
    assert.deepEqual(seen.messages, [{ role: "user", content: "hi" }]);
    assert.deepEqual(seen.stream_options, { include_usage: true });
  });

  test("aborting the signal mid-stream cancels the simulated request", async () => {
    const cancelledBefore = sim.stats.cancelled;
    const controller = new AbortController();
    const stream = await model().stream([new HumanMessage("[[slow]] a long tale")], { signal: controller.signal });
    const received: string[] = [];
    await assert.rejects(async () => {
      for await (const chunk of stream) {
        if (typeof chunk.content === "string" && chunk.content !== "") {
          received.push(chunk.content);
          controller.abort();
        }
      }
    });
    assert.equal(received.length, 1);
    await sim.stats.waitFor((stats) => stats.cancelled === cancelledBefore + 1, 5000);
    assert.equal(sim.stats.active, 0);
  });
});
