/**
 * Deadlines of a streaming reply: one for its first token, which covers connecting and the answer's
 * headers, and one for each silence between tokens after it. A stream that misses either is
 * cancelled (its request aborted) and fails with a ModelStallError, whatever client it came from.
 */
import type { ModelDelta, ReplyModel } from "./reply-model.ts";

export interface StreamDeadlines {
  /** From the request to the first token. */
  firstTokenMs: number;
  /** From one token (or any later delta) to the next. */
  idleMs: number;
}

/** The model went silent: before its first token, or mid-reply. */
export class ModelStallError extends Error {
  readonly phase: "first_token" | "idle";
  constructor(phase: "first_token" | "idle", ms: number) {
    super(phase === "first_token" ? `no first token within ${ms} ms` : `the stream fell silent for ${ms} ms`);
    this.name = "ModelStallError";
    this.phase = phase;
  }
}

/**
 * `open(signal)` with both deadlines kept: `isToken` says which items start the idle deadline.
 * `open` must stop at an abort of the signal it is given, as a ReplyModel's stream does.
 *
 * A plain iterator rather than an async generator: a token costs one `.then` here, and the idle
 * deadline costs a timestamp per token, its one timer re-armed only when it fires.
 */
export function withStreamDeadlines<T>(
  open: (signal: AbortSignal) => AsyncIterable<T>, signal: AbortSignal, deadlines: StreamDeadlines,
  isToken: (item: T) => boolean,
): AsyncIterable<T> {
  const now = (): number => performance.now();
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const watch = new AbortController();
      const forward = (): void => watch.abort(signal.reason);
      signal.addEventListener("abort", forward, { once: true });
      let stall: ModelStallError | undefined;
      let tokens = false;
      let deadlineAt = now() + deadlines.firstTokenMs;
      let timer: NodeJS.Timeout | undefined;
      const check = (): void => {
        const left = deadlineAt - now();
        if (left > 0) {
          timer = setTimeout(check, left);
          return;
        }
        timer = undefined;
        stall = tokens ? new ModelStallError("idle", deadlines.idleMs) : new ModelStallError("first_token", deadlines.firstTokenMs);
        watch.abort(stall);
      };
      timer = setTimeout(check, deadlines.firstTokenMs);
      const stop = (): void => {
        clearTimeout(timer);
        timer = undefined;
        signal.removeEventListener("abort", forward);
      };
      if (signal.aborted) forward();

      let items: AsyncIterator<T>;
      try {
        items = open(watch.signal)[Symbol.asyncIterator]();
      } catch (err) {
        stop();
        throw err;
      }
      const onItem = (result: IteratorResult<T>): IteratorResult<T> => {
        if (result.done) {
          stop();
          // A client that ends quietly when aborted must not pass a stalled reply off as whole.
          if (stall !== undefined && !signal.aborted) throw stall;
        } else if (tokens) {
          deadlineAt = now() + deadlines.idleMs;
        } else if (isToken(result.value)) {
          tokens = true;
          deadlineAt = now() + deadlines.idleMs;
          // The idle deadline may be shorter than what is left of the first one.
          clearTimeout(timer);
          timer = setTimeout(check, deadlines.idleMs);
        }
        return result;
      };
      const onFailure = (err: unknown): never => {
        stop();
        // Whatever the client threw when its request was aborted, the cause was the deadline.
        throw stall !== undefined && !signal.aborted ? stall : err;
      };
      return {
        next: () => items.next().then(onItem, onFailure),
        return: async (value?: unknown) => {
          stop();
          return (await items.return?.(value)) ?? { done: true, value: undefined };
        },
      };
    },
  };
}

/** Any reply model, with both deadlines on every stream; the first delta with text or a tool call is the first token. */
export function withReplyDeadlines(model: ReplyModel, deadlines: StreamDeadlines): ReplyModel {
  return {
    name: model.name,
    stream: (messages, signal, options) => withStreamDeadlines((s) => model.stream(messages, s, options), signal, deadlines, isToken),
    close: () => model.close?.(),
  };
}

const isToken = (delta: ModelDelta): boolean => delta.content !== "" || delta.toolCalls !== undefined;
