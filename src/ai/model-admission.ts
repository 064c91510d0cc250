/**
 * Admission control for model requests in one process: at most `max` stream at once, the next
 * `queueMax` wait in arrival order for up to `waitMs`, and the rest are refused at once as
 * overloaded. A model endpoint serves a bounded number of replies well (a local Ollama serves
 * OLLAMA_NUM_PARALLEL at a time); past it every reply slows, so waiting visibly (`queued`) and
 * refusing early beat a first token that comes after everyone has given up.
 */
import type { ModelDelta, ReplyModel, StreamHooks } from "./reply-model.ts";

export interface AdmissionLimits {
  /** Requests streaming at once; 0 is no limit. */
  max: number;
  /** Requests that may wait for a slot; beyond, refused at once. */
  queueMax: number;
  /** Longest wait for a slot before the request is refused. */
  waitMs: number;
}

/** The request was refused for lack of a slot: the reply ends with `model/overloaded`. */
export class ModelOverloadedError extends Error {
  readonly overloaded = true;
  constructor(message: string) {
    super(message);
    this.name = "ModelOverloadedError";
  }
}

interface Waiter { admit(): void }

export class ModelAdmission {
  readonly #limits: AdmissionLimits;
  #active = 0;
  readonly #waiting: Waiter[] = [];
  #refused = 0;

  constructor(limits: AdmissionLimits) {
    this.#limits = limits;
  }

  get active(): number { return this.#active; }
  get waiting(): number { return this.#waiting.length; }
  /** Requests refused since start (queue full or waited too long). */
  get refused(): number { return this.#refused; }

  /** Resolves with the slot's release once admitted; rejects when refused or aborted. */
  acquire(signal: AbortSignal, hooks?: StreamHooks): Promise<() => void> {
    signal.throwIfAborted();
    if (this.#limits.max <= 0 || this.#active < this.#limits.max) return Promise.resolve(this.#take());
    if (this.#waiting.length >= this.#limits.queueMax) {
      this.#refused++;
      return Promise.reject(new ModelOverloadedError(`${this.#active} model requests streaming and ${this.#waiting.length} waiting: refused`));
    }
    return new Promise((resolve, reject) => {
      const leave = (): void => {
        const i = this.#waiting.indexOf(waiter);
        if (i >= 0) this.#waiting.splice(i, 1);
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
      };
      const waiter: Waiter = {
        admit: () => {
          leave();
          hooks?.admitted?.();
          resolve(this.#take());
        },
      };
      const onAbort = (): void => {
        leave();
        reject(signal.reason instanceof Error ? signal.reason : new DOMException("the request was aborted", "AbortError"));
      };
      const timer = setTimeout(() => {
        leave();
        this.#refused++;
        reject(new ModelOverloadedError(`no model slot within ${this.#limits.waitMs} ms`));
      }, this.#limits.waitMs);
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(waiter);
      hooks?.waiting?.();
    });
  }

  #take(): () => void {
    this.#active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#waiting[0]?.admit();
    };
  }
}

/** `model`, each of whose streams first takes a slot of `admission` and gives it back when it ends. */
export function withModelAdmission(model: ReplyModel, admission: ModelAdmission): ReplyModel {
  return {
    name: model.name,
    async *stream(messages, signal, options): AsyncGenerator<ModelDelta> {
      const release = await admission.acquire(signal, options?.hooks);
      try {
        yield* model.stream(messages, signal, options);
      } finally {
        release();
      }
    },
    close: () => model.close?.(),
  };
}
