import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import type { ModelDelta, ReplyModel } from "./reply-model.ts";

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

  /**
   * LangChain ends a stream cut before `[DONE]` as if it were whole. The last chunk of a whole reply
   * says why the model finished (`response_metadata.finish_reason`, as every OpenAI-compatible
   * server sends it), so a stream without one was cut, and fails.
   */
  async *stream(messages: BaseMessage[], signal: AbortSignal): AsyncIterable<ModelDelta> {
    const stream = await this.#model.stream(messages, { signal });
    let finished = false;
    for await (const chunk of stream) {
      if (chunk.response_metadata?.finish_reason) finished = true;
      const content = typeof chunk.content === "string" ? chunk.content : textOf(chunk.content);
      const u = chunk.usage_metadata;
      yield u
        ? { content, usage: { input_tokens: u.input_tokens, output_tokens: u.output_tokens, total_tokens: u.total_tokens } }
        : { content };
    }
    if (!finished && !signal.aborted) throw new Error("the model's stream ended without a finish reason (cut short)");
  }
}

function textOf(parts: unknown): string {
  if (!Array.isArray(parts)) return "";
  return parts.map((p) => (p && typeof p === "object" && "text" in p && typeof p.text === "string" ? p.text : "")).join("");
}
