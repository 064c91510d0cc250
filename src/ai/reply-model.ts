/** What the reply pipeline needs of a model: a cancellable stream of text deltas. */
import type { BaseMessage } from "@langchain/core/messages";
import type { Usage } from "../protocol/messages.ts";

export interface ModelDelta {
  content: string;
  /** Present on the delta that carries the model's token counts (usually the last). */
  usage?: Usage;
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
  stream(messages: BaseMessage[], signal: AbortSignal, hooks?: StreamHooks): AsyncIterable<ModelDelta>;
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
