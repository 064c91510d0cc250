import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { expectedReply, startSimOpenAI, toolScript, type SimOpenAI } from "../../loadtest/sim-openai/server.ts";
import { createOpenAiChatModel, LangChainReplyModel } from "./langchain-reply-model.ts";
import { OpenAiHttpError } from "./openai-http.ts";
import { OpenAiStreamReplyModel } from "./openai-stream-reply-model.ts";
import type { ModelDelta, ReplyModel } from "./reply-model.ts";

async function collect(model: ReplyModel, messages: Parameters<ReplyModel["stream"]>[0], signal = new AbortController().signal): Promise<ModelDelta[]> {
  const deltas: ModelDelta[] = [];
  for await (const d of model.stream(messages, signal)) deltas.push(d);
  return deltas;
}

for (const http2 of [false, true]) describe(`OpenAiStreamReplyModel against sim-openai (real ${http2 ? "HTTP/2" : "HTTP/1.1"} and SSE)`, () => {
  let sim: SimOpenAI;
  let model: OpenAiStreamReplyModel;
  before(async () => {
    sim = await startSimOpenAI({ replyTokens: 20, log: "silent", http2 });
    model = new OpenAiStreamReplyModel({ baseUrl: sim.url, apiKey: "sk-sim", name: "parley-sim", temperature: 0.5, maxTokens: 99, http2 });
  });
  after(async () => {
    model.close();
    await sim.close();
  });

  test("streams the reply and ends with the token counts", async () => {
    const deltas = await collect(model, [new HumanMessage("hi")]);
    const text = deltas.map((d) => d.content).join("");
    assert.equal(text, expectedReply([{ role: "user", content: "hi" }], 20).join(""));
    assert.ok(deltas.filter((d) => d.content).length >= 20, "one delta per token, not batched");
    const usage = deltas.at(-1)!.usage;
    assert.ok(usage);
    assert.equal(usage.output_tokens, 20);
    assert.equal(usage.total_tokens, usage.input_tokens + usage.output_tokens);
  });

  test("sends tools and tool exchanges, and hands on streamed tool-call fragments by index", async () => {
    const calls = [
      { name: "give_item", arguments: "{\"item_id\":\"sword_001\"}", pieces: 6, id: "call_a" },
      { name: "emote", arguments: "{\"animation\":\"nod\"}", pieces: 3, id: "call_b" },
    ];
    const tools = [{ name: "give_item", description: "Give an item.", parameters: { type: "object", properties: { item_id: { type: "string" } } } }];
    const history = [
      new HumanMessage("sword?"),
      new AIMessage({ content: "Here.", tool_calls: [{ id: "old", name: "give_item", args: { item_id: "shield_001" }, type: "tool_call" }] }),
      new ToolMessage({ content: "{\"ok\":true}", tool_call_id: "old" }),
      new HumanMessage(toolScript([{ say: ["Take", " it"], calls }])),
    ];
    const deltas: ModelDelta[] = [];
    for await (const d of model.stream(history, new AbortController().signal, { tools })) deltas.push(d);
    assert.equal(deltas.map((d) => d.content).join(""), "Take it");
    const fragments = deltas.flatMap((d) => d.toolCalls ?? []);
    assert.ok(fragments.length >= 2 + 6 + 3, "one delta per fragment");
    for (const [index, c] of calls.entries()) {
      const mine = fragments.filter((f) => f.index === index);
      assert.equal(mine[0]!.id, c.id);
      assert.equal(mine[0]!.name, c.name);
      assert.equal(mine.map((f) => f.arguments ?? "").join(""), c.arguments);
    }
    const body = sim.stats.lastRequests.at(-1)!.body;
    assert.deepEqual(body.tools, [{ type: "function", function: tools[0] }]);
    assert.deepEqual(body.messages.slice(1, 3), [
      { role: "assistant", content: "Here.", tool_calls: [{ id: "old", type: "function", function: { name: "give_item", arguments: "{\"item_id\":\"shield_001\"}" } }] },
      { role: "tool", content: "{\"ok\":true}", tool_call_id: "old" },
    ]);
  });

  test("sends no tools field when there are none to offer", async () => {
    await collect(model, [new HumanMessage("hi")]);
    assert.equal("tools" in sim.stats.lastRequests.at(-1)!.body, false);
  });

  test("sends roles, names, sampling and the usage request as the API expects", async () => {
    await collect(model, [new SystemMessage("You are Mira."), new HumanMessage({ content: "hello", name: "p1" }), new AIMessage("Well met."), new HumanMessage("again")]);
    const body = sim.stats.lastRequests.at(-1)!.body;
    assert.deepEqual(body.messages, [
      { role: "system", content: "You are Mira." },
      { role: "user", content: "hello", name: "p1" },
      { role: "assistant", content: "Well met." },
      { role: "user", content: "again" },
    ]);
    assert.equal(body.model, "parley-sim");
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.equal(body.max_tokens, 99);
    assert.equal(body.temperature, 0.5);
  });

  test("many replies at once all arrive whole", async () => {
    const replies = await Promise.all(Array.from({ length: 150 }, (_, i) => collect(model, [new HumanMessage(`[[say:r${i}|.]]`)])));
    replies.forEach((deltas, i) => assert.equal(deltas.map((d) => d.content).join(""), `r${i}.`));
  });

  test("yields the same text as LangChain's ChatOpenAI for the same prompt", { skip: http2 && "LangChain's client speaks HTTP/1.1 only" }, async () => {
    const langchain = new LangChainReplyModel(
      createOpenAiChatModel({ apiKey: "sk-sim", baseUrl: sim.url, name: "parley-sim", temperature: 0.5, maxTokens: 99 }), "parley-sim");
    const prompt = [new SystemMessage("You are Mira."), new HumanMessage({ content: "[[say:Hello| there|, traveller.]]", name: "p1" })];
    const ours = await collect(model, prompt);
    const theirs = await collect(langchain, prompt);
    assert.deepEqual(ours.map((d) => d.content).filter(Boolean), ["Hello", " there", ", traveller."]);
    assert.deepEqual(ours.map((d) => d.content).filter(Boolean), theirs.map((d) => d.content).filter(Boolean));
    assert.deepEqual(ours.at(-1)!.usage, theirs.at(-1)!.usage);
  });

  test("aborting mid-stream cancels the request at the model", async () => {
    const cancelledBefore = sim.stats.cancelled;
    const controller = new AbortController();
    const received: string[] = [];
    await assert.rejects(async () => {
      for await (const d of model.stream([new HumanMessage("[[slow]] a long tale")], controller.signal)) {
        if (d.content) {
          received.push(d.content);
          controller.abort();
        }
      }
    }, { name: "AbortError" });
    assert.equal(received.length, 1);
    await sim.stats.waitFor((stats) => stats.cancelled === cancelledBefore + 1, 5000);
    assert.equal(sim.stats.active, 0);
  });

  test("a consumer that stops early frees the request", async () => {
    const cancelledBefore = sim.stats.cancelled;
    for await (const d of model.stream([new HumanMessage("[[slow]] another tale")], new AbortController().signal)) {
      if (d.content) break;
    }
    await sim.stats.waitFor((stats) => stats.cancelled === cancelledBefore + 1, 5000);
  });
});

describe("OpenAiStreamReplyModel when the endpoint misbehaves", () => {
  let server: Server;
  let baseUrl: string;
  let answer: (req: IncomingMessage, res: ServerResponse, attempt: number) => void;
  let attempts = 0;
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => answer(req, res, ++attempts));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const model = () => new OpenAiStreamReplyModel({ baseUrl, apiKey: "sk-test", name: "m", temperature: 0, maxTokens: 10 });
  const sse = (res: ServerResponse, events: unknown[]) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    for (const e of events) res.write(`data: ${typeof e === "string" ? e : JSON.stringify(e)}\n\n`);
    res.end();
  };
  const delta = (content: string) => ({ choices: [{ index: 0, delta: { content } }] });

  test("an HTTP error rejects with its status and the server's message, without a retry", async () => {
    attempts = 0;
    answer = (_req, res) => {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "Incorrect API key provided" } }));
    };
    await assert.rejects(collect(model(), [new HumanMessage("x")]), (err: unknown) =>
      err instanceof OpenAiHttpError && err.status === 401 && /Incorrect API key/.test(err.message));
    assert.equal(attempts, 1);
  });

  test("a busy server (503) is tried once more", async () => {
    attempts = 0;
    answer = (_req, res, attempt) => {
      if (attempt === 1) res.writeHead(503).end("overloaded");
      else sse(res, [delta("Hi"), delta("!"), "[DONE]"]);
    };
    const deltas = await collect(model(), [new HumanMessage("x")]);
    assert.deepEqual(deltas.map((d) => d.content), ["Hi", "!"]);
    assert.equal(attempts, 2);
  });

  test("a connection dropped before any answer is tried once more", async () => {
    attempts = 0;
    answer = (req, res, attempt) => {
      if (attempt === 1) req.socket.destroy();
      else sse(res, [delta("ok"), "[DONE]"]);
    };
    const deltas = await collect(model(), [new HumanMessage("x")]);
    assert.deepEqual(deltas.map((d) => d.content), ["ok"]);
  });

  test("an error event inside the stream rejects after the text before it", async () => {
    answer = (_req, res) => sse(res, [delta("Half"), { error: { message: "model crashed" } }]);
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const d of model().stream([new HumanMessage("x")], new AbortController().signal)) seen.push(d.content);
    }, /model crashed/);
    assert.deepEqual(seen, ["Half"]);
  });

  test("data that is not JSON rejects after the text before it", async () => {
    answer = (_req, res) => sse(res, [delta("Half"), "{not json", delta("never"), "[DONE]"]);
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const d of model().stream([new HumanMessage("x")], new AbortController().signal)) seen.push(d.content);
    }, SyntaxError);
    assert.deepEqual(seen, ["Half"]);
  });

  test("a connection dropped mid-reply rejects after the text that arrived", async () => {
    answer = (req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`data: ${JSON.stringify(delta("Half"))}\n\n`);
      setTimeout(() => req.socket.destroy(), 20);
    };
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const d of model().stream([new HumanMessage("x")], new AbortController().signal)) seen.push(d.content);
    });
    assert.deepEqual(seen, ["Half"]);
  });

  test("a stream that ends before [DONE], with no finish reason, rejects after the text that arrived: it was cut short", async () => {
    answer = (_req, res) => sse(res, [delta("Half"), delta(" a")]);
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const d of model().stream([new HumanMessage("x")], new AbortController().signal)) seen.push(d.content);
    }, /ended before \[DONE\]/);
    assert.deepEqual(seen, ["Half", " a"]);
  });

  test("a stream that names its finish reason is whole without [DONE]", async () => {
    answer = (_req, res) => sse(res, [delta("All"), { choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }]);
    const deltas = await collect(model(), [new HumanMessage("x")]);
    assert.deepEqual(deltas.map((d) => d.content), ["All"]);
  });

  test("events split across network writes are joined", async () => {
    answer = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const wire = `data: ${JSON.stringify(delta("split"))}\n\ndata: ${JSON.stringify(delta(" token"))}\n\ndata: [DONE]\n\n`;
      let at = 0;
      const step = () => {
        if (at >= wire.length) return res.end();
        res.write(wire.slice(at, at + 7));
        at += 7;
        setImmediate(step);
      };
      step();
    };
    const deltas = await collect(model(), [new HumanMessage("x")]);
    assert.deepEqual(deltas.map((d) => d.content), ["split", " token"]);
  });
});

describe("OpenAiStreamReplyModel when nothing listens", () => {
  for (const http2 of [false, true]) {
    test(`a refused connection rejects promptly (${http2 ? "HTTP/2" : "HTTP/1.1"})`, async () => {
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
      const port = (probe.address() as AddressInfo).port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      const model = new OpenAiStreamReplyModel({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: undefined, name: "m", temperature: 0, maxTokens: 5, http2 });
      const started = Date.now();
      await assert.rejects(collect(model, [new HumanMessage("x")]));
      assert.ok(Date.now() - started < 5000, "no hanging on a dead endpoint");
      model.close();
    });
  }
});
