/** What the reply pipeline needs of a model: a cancellable stream of text deltas. */
import type { BaseMessage } from "@langchain/core/messages";
import type { Usage } from "../protocol/messages.ts";

export interface ModelDelta {
  content: string;
  /** Present on the delta that carries the model's token counts (usually the last). */
  usage?: Usage;
}

export interface ReplyModel {
  /** Name recorded with each reply (the model id). */
  readonly name: string;
  /** Aborting `signal` must cancel the underlying request. */
  stream(messages: BaseMessage[], signal: AbortSignal): AsyncIterable<ModelDelta>;
  /** Frees connections; called once at shutdown. */
  close?(): void;
}
