/** LangChain's client over real HTTP: a stream cut short is an error, not a whole reply. */
import assert from "node:assert/strict";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { HumanMessage } from "@langchain/core/messages";
import { createOpenAiChatModel, LangChainReplyModel } from "./langchain-reply-model.ts";

describe("LangChainReplyModel when the stream ends early", () => {
  let server: Server;
  let model: LangChainReplyModel;
  let answer: (res: ServerResponse) => void;
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => answer(res));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    model = new LangChainReplyModel(createOpenAiChatModel({ baseUrl, apiKey: "sk-test", name: "m", temperature: 0, maxTokens: 10 }), "m");
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const sse = (res: ServerResponse, events: Array<{ content?: string; finish?: string }>, done: boolean) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    for (const e of events) {
      const choice = { index: 0, delta: e.content === undefined ? {} : { content: e.content }, finish_reason: e.finish ?? null };
      res.write(`data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [choice] })}\n\n`);
    }
    res.end(done ? "data: [DONE]\n\n" : undefined);
  };
  const read = async (seen: string[]) => {
    for await (const d of model.stream([new HumanMessage("x")], new AbortController().signal)) if (d.content) seen.push(d.content);
  };

  test("a stream cut before its finish reason rejects after the text that arrived", async () => {
    answer = (res) => sse(res, [{ content: "Half" }, { content: " a" }], false);
    const seen: string[] = [];
    await assert.rejects(read(seen), /without a finish reason/);
    assert.deepEqual(seen, ["Half", " a"]);
  });

  test("a stream with its finish reason is whole, with or without [DONE]", async () => {
    for (const done of [true, false]) {
      answer = (res) => sse(res, [{ content: "All" }, { content: " well" }, { finish: "stop" }], done);
      const seen: string[] = [];
      await read(seen);
      assert.deepEqual(seen, ["All", " well"]);
    }
  });
});
