/**
 * Streams chat completions from any OpenAI-compatible endpoint straight off the wire. The default
 * reply model: the per-token path is Parley's hottest loop (see openai-http.ts for why it is lean).
 */
import type { AIMessage, BaseMessage, ToolMessage } from "@langchain/core/messages";
import { messageText } from "./prompt.ts";
import type { ModelDelta, ReplyModel, StreamOptions } from "./reply-model.ts";
import type { ToolCallDelta } from "./reply/tool-calls.ts";
import { OpenAiHttp, OpenAiHttpError, type OpenAiEndpoint } from "./openai-http.ts";

export interface OpenAiStreamOptions extends OpenAiEndpoint {
  name: string;
  temperature: number;
  maxTokens: number;
}

/** One message as the chat completions API takes it. */
export interface OpenAiChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  name?: string;
  /** An assistant message that called tools. */
  tool_calls?: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }>;
  /** A tool message: the call it answers. */
  tool_call_id?: string;
}

interface StreamedToolCall {
  index?: number;
  id?: string;
  function?: { name?: string | null; arguments?: string | null } | null;
}

interface CompletionChunk {
  choices?: Array<{ delta?: { content?: string | null; tool_calls?: StreamedToolCall[] | null } | null; finish_reason?: string | null }>;
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

  stream(messages: BaseMessage[], signal: AbortSignal, options?: StreamOptions): AsyncIterable<ModelDelta> {
    const tools = options?.tools;
    const body = {
      model: this.#options.name,
      messages: messages.map(toOpenAiMessage),
      stream: true,
      stream_options: { include_usage: true },
      temperature: this.#options.temperature,
      max_tokens: this.#options.maxTokens,
      ...(tools && tools.length > 0
        ? { tools: tools.map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: t.parameters } })) }
        : {}),
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
  const delta = chunk.choices?.[0]?.delta;
  const content = delta?.content ?? "";
  const streamed = delta?.tool_calls;
  const toolCalls = streamed && streamed.length > 0 ? streamed.map(toToolCallDelta) : undefined;
  const u = chunk.usage;
  if (u) {
    const input_tokens = u.prompt_tokens ?? 0;
    const output_tokens = u.completion_tokens ?? 0;
    const usage = { input_tokens, output_tokens, total_tokens: u.total_tokens ?? input_tokens + output_tokens };
    return toolCalls ? { content, usage, toolCalls } : { content, usage };
  }
  if (toolCalls) return { content, toolCalls };
  return content ? { content } : undefined;
}

function toToolCallDelta(c: StreamedToolCall, position: number): ToolCallDelta {
  const d: ToolCallDelta = { index: typeof c.index === "number" ? c.index : position };
  if (c.id) d.id = c.id;
  if (c.function?.name) d.name = c.function.name;
  if (c.function?.arguments) d.arguments = c.function.arguments;
  return d;
}

const ROLES: Record<string, OpenAiChatMessage["role"]> = { system: "system", human: "user", ai: "assistant", tool: "tool" };

export function toOpenAiMessage(message: BaseMessage): OpenAiChatMessage {
  const type = message.getType();
  const role = ROLES[type];
  if (!role) throw new Error(`no chat completions role for a ${type} message`);
  const content = messageText(message);
  if (type === "tool") return { role, content, tool_call_id: (message as ToolMessage).tool_call_id };
  const calls = type === "ai" ? (message as AIMessage).tool_calls : undefined;
  if (calls && calls.length > 0) {
    return {
      role, content,
      tool_calls: calls.map((c) => ({ id: c.id ?? "", type: "function", function: { name: c.name, arguments: JSON.stringify(c.args) } })),
    };
  }
  return message.name ? { role, content, name: message.name } : { role, content };
}
