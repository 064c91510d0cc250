import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { choicesOf, parseSse, postJson } from "./sse-test-client.ts";
import { embeddingFor, expectedReply, startSimOpenAI, toolScript } from "./server.ts";
import type { SimOpenAI } from "./server.ts";

const hi = [{ role: "user", content: "hi" }];

describe("sim-openai server", () => {
  let sim: SimOpenAI;
  const logLines: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  before(async () => {
    sim = await startSimOpenAI({ replyTokens: 12, log: (message, fields) => logLines.push({ message, fields }) });
  });
  after(() => sim.close());

  const stream = async (messages: unknown, extra: Record<string, unknown> = {}) => {
    const res = await postJson(`${sim.url}/chat/completions`, { model: "parley-sim", messages, stream: true, ...extra });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
    return parseSse(await res.text());
  };

  test("streams the OpenAI chunk sequence ending with [DONE]", async () => {
    const { chunks, raw } = await stream(hi);
    assert.equal(raw.at(-1), "[DONE]");
    assert.equal(raw.filter((data) => data === "[DONE]").length, 1);
    for (const chunk of chunks) {
      assert.equal(chunk.object, "chat.completion.chunk");
      assert.equal(chunk.model, "parley-sim");
      assert.equal(chunk.id, chunks[0]!.id);
      assert.equal(typeof chunk.created, "number");
      assert.equal("usage" in chunk, false);
    }
    assert.deepEqual(choicesOf(chunks[0]!)[0]!.delta, { role: "assistant", content: "" });
    const content = chunks.slice(1, -1).map((chunk) => choicesOf(chunk)[0]!);
    assert.deepEqual(content.map((choice) => choice.delta.content), expectedReply(hi, 12));
    assert.ok(content.every((choice) => choice.finish_reason === null && choice.index === 0));
    const last = choicesOf(chunks.at(-1)!)[0]!;
    assert.deepEqual(last.delta, {});
    assert.equal(last.finish_reason, "stop");
  });

  test("scripts streamed tool calls: text, then each call's id and name, then its arguments in pieces; rounds follow the tool results", async () => {
    const script = toolScript([
      { say: ["Here", "."], calls: [{ name: "give_item", arguments: "{\"item_id\":\"sword_001\"}", pieces: 4 }, { name: "emote", arguments: "{not json", pieces: 2 }] },
      { say: [" Done", "."] },
    ]);
    const first = [{ role: "user", content: script }];
    const { chunks } = await stream(first);
    const deltas = chunks.slice(1).map((c) => choicesOf(c)[0]!);
    assert.deepEqual(deltas.filter((d) => d.delta.content).map((d) => d.delta.content), ["Here", "."]);
    const fragments = deltas.flatMap((d) => (d.delta as { tool_calls?: Array<{ index: number; id?: string; function: { name?: string; arguments: string } }> }).tool_calls ?? []);
    for (const [index, [name, args]] of [["give_item", "{\"item_id\":\"sword_001\"}"], ["emote", "{not json"]].entries()) {
      const mine = fragments.filter((f) => f.index === index);
      assert.equal(mine[0]!.function.name, name);
      assert.ok(mine[0]!.id);
      assert.ok(mine.length > 2, "the arguments come in several deltas");
      assert.equal(mine.map((f) => f.function.arguments).join(""), args);
    }
    assert.equal(deltas.at(-1)!.finish_reason, "tool_calls");

    const followUp = [...first, { role: "assistant", content: "Here.", tool_calls: [] }, { role: "tool", content: "{}", tool_call_id: "x" }];
    const next = await stream(followUp);
    assert.deepEqual(next.chunks.slice(1, -1).map((c) => choicesOf(c)[0]!.delta.content), [" Done", "."]);
    assert.equal(choicesOf(next.chunks.at(-1)!)[0]!.finish_reason, "stop");
  });

  test("adds a usage chunk only when include_usage is set", async () => {
    const { chunks, raw } = await stream(hi, { stream_options: { include_usage: true } });
    assert.equal(raw.at(-1), "[DONE]");
    const usageChunk = chunks.at(-1)!;
    assert.deepEqual(usageChunk.choices, []);
    const usage = usageChunk.usage as { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    assert.equal(usage.completion_tokens, 12);
    assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
    assert.equal(choicesOf(chunks.at(-2)!)[0]!.finish_reason, "stop");
    assert.equal(chunks.filter((chunk) => chunk.usage).length, 1);
    const plain = await stream(hi, { stream_options: { include_usage: false } });
    assert.equal(plain.chunks.some((chunk) => chunk.usage), false);
  });

  test("[[say:...]] scripts the exact chunk boundaries", async () => {
    const script = [{ role: "user", content: "please [[say:Hello| wor|ld|，你|好]] now" }];
    const { chunks } = await stream(script);
    const pieces = chunks.slice(1, -1).map((chunk) => choicesOf(chunk)[0]!.delta.content);
    assert.deepEqual(pieces, ["Hello", " wor", "ld", "，你", "好"]);
    assert.deepEqual(expectedReply(script, 60), pieces);
  });

  test("replies are deterministic and depend on the messages", async () => {
    const other = [{ role: "system", content: "You are a guard." }, { role: "user", content: "hi" }];
    assert.deepEqual(expectedReply(hi, 30), expectedReply(hi, 30));
    assert.notDeepEqual(expectedReply(hi, 30), expectedReply(other, 30));
    const first = await stream(other);
    const second = await stream(other);
    const text = (events: typeof first) => events.chunks.map((c) => choicesOf(c)[0]?.delta.content ?? "").join("");
    assert.equal(text(first), expectedReply(other, 12).join(""));
    assert.equal(text(first), text(second));
  });

  test("answers non-streaming requests and honours max_tokens", async () => {
    const res = await postJson(`${sim.url}/chat/completions`, { model: "m", messages: hi, max_tokens: 5 });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { object: string; choices: Array<{ message: { role: string; content: string }; finish_reason: string }>; usage: { completion_tokens: number } };
    assert.equal(body.object, "chat.completion");
    assert.equal(body.choices[0]!.message.role, "assistant");
    assert.equal(body.choices[0]!.message.content, expectedReply(hi, 12).slice(0, 5).join(""));
    assert.equal(body.choices[0]!.finish_reason, "length");
    assert.equal(body.usage.completion_tokens, 5);
  });

  test("counts and logs a client that hangs up mid-stream", async () => {
    const cancelledBefore = sim.stats.cancelled;
    const messages = [{ role: "user", content: "[[slow]] tell me a story" }];
    const controller = new AbortController();
    const res = await postJson(`${sim.url}/chat/completions`, { model: "m", messages, stream: true }, controller.signal);
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.match(new TextDecoder().decode(first.value), /"role":"assistant"/);
    const seen = sim.stats.lastRequests.at(-1)!;
    assert.deepEqual(seen.body.messages, messages);
    controller.abort();
    await sim.stats.waitFor((stats) => stats.cancelled === cancelledBefore + 1, 5000);
    assert.equal(sim.stats.active, 0);
    assert.ok(logLines.some((line) => line.message === "client hung up" && line.fields?.requestId === seen.id));
  });

  test("embeddings are OpenAI-shaped and deterministic", async () => {
    const res = await postJson(`${sim.url}/embeddings`, { model: "e", input: ["alpha", "beta"], dimensions: 16 });
    const body = (await res.json()) as { object: string; model: string; data: Array<{ object: string; index: number; embedding: number[] }>; usage: { prompt_tokens: number } };
    assert.equal(body.object, "list");
    assert.equal(body.model, "e");
    assert.deepEqual(body.data.map((d) => [d.object, d.index, d.embedding.length]), [["embedding", 0, 16], ["embedding", 1, 16]]);
    assert.deepEqual(body.data[0]!.embedding, embeddingFor("alpha", 16));
    assert.notDeepEqual(body.data[0]!.embedding, body.data[1]!.embedding);
    assert.ok(body.usage.prompt_tokens > 0);
    const single = (await (await postJson(`${sim.url}/embeddings`, { input: "alpha" })).json()) as typeof body;
    assert.equal(single.data[0]!.embedding.length, 256);
    const b64 = (await (await postJson(`${sim.url}/embeddings`, { input: "alpha", dimensions: 16, encoding_format: "base64" })).json()) as { data: Array<{ embedding: string }> };
    const decoded = Array.from(new Float32Array(new Uint8Array(Buffer.from(b64.data[0]!.embedding, "base64")).buffer));
    assert.deepEqual(decoded, embeddingFor("alpha", 16));
    assert.ok(sim.stats.embeddings >= 3);
  });

  test("lists the model and returns OpenAI-style errors", async () => {
    const models = (await (await fetch(`${sim.url}/models`)).json()) as { data: Array<{ id: string }> };
    assert.deepEqual(models.data.map((m) => m.id), ["parley-sim"]);
    const missing = await fetch(`${sim.url}/nothing-here`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { type: string } }).error.type, "invalid_request_error");
    const malformed = await fetch(`${sim.url}/chat/completions`, { method: "POST", body: "{not json" });
    assert.equal(malformed.status, 400);
    assert.match(((await malformed.json()) as { error: { message: string } }).error.message, /parse the JSON/);
    const noMessages = await postJson(`${sim.url}/chat/completions`, { model: "m" });
    assert.equal(noMessages.status, 400);
  });
});
