/** What the reply pipeline needs of a model: a cancellable stream of text deltas and tool-call fragments. */
import type { BaseMessage } from "@langchain/core/messages";
import type { Usage } from "../protocol/messages.ts";
import type { ToolCallDelta } from "./reply/tool-calls.ts";

export interface ModelDelta {
  content: string;
  /** Present on the delta that carries the model's token counts (usually the last). */
  usage?: Usage;
  /** Fragments of tool calls (see reply/tool-calls.ts); text and calls may come in one reply. */
  toolCalls?: ToolCallDelta[];
}

/** A tool the model may call: an ability of the character, as OpenAI's `tools[].function` takes it. */
export interface ToolSpec {
  name: string;
  description: string;
  /** A JSON schema of an object. */
  parameters: Record<string, unknown>;
}

export interface StreamOptions {
  /** Offered to the model; absent or empty, the request is exactly a text-only one. */
  tools?: readonly ToolSpec[];
}

export interface ReplyModel {
  /** Name recorded with each reply (the model id). */
  readonly name: string;
  /** Aborting `signal` must cancel the underlying request. */
  stream(messages: BaseMessage[], signal: AbortSignal, options?: StreamOptions): AsyncIterable<ModelDelta>;
  /** Frees connections; called once at shutdown. */
  close?(): void;
}
