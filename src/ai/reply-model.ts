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
  /** What the reply hears of its request before the model answers. */
  hooks?: StreamHooks;
}

/** What a reply hears of its request before the model answers. */
export interface StreamHooks {
  /** The process is at MODEL_CONCURRENCY_MAX: the request waits for a slot. */
  waiting?(): void;
  /** The wait is over: the request goes to the model. */
  admitted?(): void;
}

export interface ReplyModel {
  /** Name recorded with each reply (the model id). */
  readonly name: string;
  /** Aborting `signal` must cancel the underlying request. */
  stream(messages: BaseMessage[], signal: AbortSignal, options?: StreamOptions): AsyncIterable<ModelDelta>;
  /** Frees connections; called once at shutdown. */
  close?(): void;
}

/**
 * A model failure that means "busy, come back later" (an endpoint's 429 or 503 asking for a longer
 * wait than a turn allows): the reply ends with `model/overloaded` rather than `model/error`.
 * Any client marks such an error with `overloaded: true`.
 */
export function isModelOverloaded(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { overloaded?: unknown }).overloaded === true;
}
