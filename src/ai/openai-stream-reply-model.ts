/**
 * Streams chat completions from any OpenAI-compatible endpoint straight off the wire. The default
 * reply model: the per-token path is Parley's hottest loop (see openai-http.ts for why it is lean).
 */
import type { BaseMessage } from "@langchain/core/messages";
import { messageText } from "./prompt.ts";
import type { ModelDelta, ReplyModel } from "./reply-model.ts";
import { OpenAiHttp, OpenAiHttpError, type OpenAiEndpoint } from "./openai-http.ts";

export interface OpenAiStreamOptions extends OpenAiEndpoint {
  name: string;
  temperature: number;
  maxTokens: number;
}

/** One message as the chat completions API takes it. */
export interface OpenAiChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
  name?: string;
}

interface CompletionChunk {
  choices?: Array<{ delta?: { content?: string | null } | null; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null;
  error?: { message?: string } | string;
}

export class OpenAiStreamReplyModel implements ReplyModel {
  readonly name: string;
  readonly #http: OpenAiHttp;
  readonly #options: OpenAiStreamOptions;

  constructor(options: OpenAiStreamOptions, http = new OpenAiHttp(options)) {
    this.name = options.name;
    this.#options = options;
    this.#http = http;
  }

  stream(messages: BaseMessage[], signal: AbortSignal): AsyncIterable<ModelDelta> {
    const body = {
      model: this.#options.name,
      messages: messages.map(toOpenAiMessage),
      stream: true,
      stream_options: { include_usage: true },
      temperature: this.#options.temperature,
      max_tokens: this.#options.maxTokens,
    };
    // A stream that names why it finished is whole even if its server sends no [DONE] after.
    let finished = false;
    const read = (data: string): ModelDelta | undefined => {
      const chunk = JSON.parse(data) as CompletionChunk;
      if (chunk.choices?.[0]?.finish_reason) finished = true;
      return toDelta(chunk);
    };
    return this.#http.streamEvents("chat/completions", body, signal, read, () => finished);
  }

  close(): void {
    this.#http.close();
  }
}

/** One completion chunk as a delta; undefined for a chunk that says nothing (a role, an empty delta). */
function toDelta(chunk: CompletionChunk): ModelDelta | undefined {
  if (chunk.error) {
    throw new OpenAiHttpError(`chat/completions: ${typeof chunk.error === "string" ? chunk.error : chunk.error.message ?? "error in stream"}`);
  }
  const content = chunk.choices?.[0]?.delta?.content ?? "";
  const u = chunk.usage;
  if (u) {
    const input_tokens = u.prompt_tokens ?? 0;
    const output_tokens = u.completion_tokens ?? 0;
    return { content, usage: { input_tokens, output_tokens, total_tokens: u.total_tokens ?? input_tokens + output_tokens } };
  }
  return content ? { content } : undefined;
}

const ROLES: Record<string, OpenAiChatMessage["role"]> = { system: "system", human: "user", ai: "assistant" };

export function toOpenAiMessage(message: BaseMessage): OpenAiChatMessage {
  const role = ROLES[message.getType()];
  if (!role) throw new Error(`no chat completions role for a ${message.getType()} message`);
  const content = messageText(message);
  return message.name ? { role, content, name: message.name } : { role, content };
}
