import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { AIMessageChunk, BaseMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import type { ModelDelta, ReplyModel, StreamOptions, ToolSpec } from "./reply-model.ts";
import type { ToolCallDelta } from "./reply/tool-calls.ts";

export interface OpenAiModelOptions {
  apiKey: string | undefined;
  baseUrl: string | undefined;
  name: string;
  temperature: number;
  maxTokens: number;
}

/** Any OpenAI-compatible endpoint: OpenAI, Ollama, vLLM, llama.cpp. */
export function createOpenAiChatModel(o: OpenAiModelOptions): ChatOpenAI {
  return new ChatOpenAI({
    model: o.name,
    // Local servers (Ollama, llama.cpp) ignore the key, but the client insists on one.
    apiKey: o.apiKey ?? "not-needed",
    configuration: o.baseUrl ? { baseURL: o.baseUrl } : undefined,
    temperature: o.temperature,
    maxTokens: o.maxTokens,
    streaming: true,
    streamUsage: true,
    // A reply is interactive: one retry at most, never minutes of backoff.
    maxRetries: 1,
  });
}

/** Streams a LangChain chat model; `.stream()` with a signal, never `.invoke()`. */
export class LangChainReplyModel implements ReplyModel {
  readonly name: string;
  readonly #model: BaseChatModel;

  constructor(model: BaseChatModel, name: string) {
    this.#model = model;
    this.name = name;
  }

  /** `bindTools` makes a new runnable; a character's tools are the same list on every reply. */
  readonly #bound = new WeakMap<readonly ToolSpec[], ReturnType<NonNullable<BaseChatModel["bindTools"]>>>();

  #withTools(tools: readonly ToolSpec[]) {
    let bound = this.#bound.get(tools);
    if (!bound) {
      if (!this.#model.bindTools) throw new Error(`${this.name}: this LangChain model cannot call tools`);
      bound = this.#model.bindTools(tools.map((t) => ({ type: "function" as const, function: { name: t.name, description: t.description, parameters: t.parameters } })));
      this.#bound.set(tools, bound);
    }
    return bound;
  }

  /**
   * LangChain ends a stream cut before `[DONE]` as if it were whole. The last chunk of a whole reply
   * says why the model finished (`response_metadata.finish_reason`, as every OpenAI-compatible
   * server sends it), so a stream without one was cut, and fails.
   */
  async *stream(messages: BaseMessage[], signal: AbortSignal, options?: StreamOptions): AsyncIterable<ModelDelta> {
    const tools = options?.tools;
    const stream = tools && tools.length > 0
      ? await this.#withTools(tools).stream(messages, { signal })
      : await this.#model.stream(messages, { signal });
    let finished = false;
    for await (const chunk of stream) {
      if (chunk.response_metadata?.finish_reason) finished = true;
      const content = typeof chunk.content === "string" ? chunk.content : textOf(chunk.content);
      const u = chunk.usage_metadata;
      const delta: ModelDelta = u
        ? { content, usage: { input_tokens: u.input_tokens, output_tokens: u.output_tokens, total_tokens: u.total_tokens } }
        : { content };
      const calls = (chunk as AIMessageChunk).tool_call_chunks;
      if (calls && calls.length > 0) delta.toolCalls = calls.map(toToolCallDelta);
      yield delta;
    }
    if (!finished && !signal.aborted) throw new Error("the model's stream ended without a finish reason (cut short)");
  }
}

function toToolCallDelta(c: NonNullable<AIMessageChunk["tool_call_chunks"]>[number], position: number): ToolCallDelta {
  const d: ToolCallDelta = { index: typeof c.index === "number" ? c.index : position };
  if (c.id) d.id = c.id;
  if (c.name) d.name = c.name;
  if (c.args) d.arguments = c.args;
  return d;
}

function textOf(parts: unknown): string {
  if (!Array.isArray(parts)) return "";
  return parts.map((p) => (p && typeof p === "object" && "text" in p && typeof p.text === "string" ? p.text : "")).join("");
}
