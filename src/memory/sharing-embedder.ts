/**
 * An embedder that keeps the vectors of the texts it embedded last, so a text asked for twice
 * within a short time costs one embedding. After each turn its memory is written and the player's
 * next memories are looked up by the same text (exchange-text.ts); the two go out in separate
 * batches, often while the first request is still in flight, which is shared too.
 */
import type { Embedder } from "./long-term-memory.ts";

export interface SharingEmbedderOptions {
  /** Texts whose vectors are kept; the oldest is dropped first. */
  maxTexts: number;
}

export class SharingEmbedder implements Embedder {
  readonly dimensions: number;
  readonly #inner: Embedder;
  readonly #maxTexts: number;
  /** In insertion order, which is the eviction order. */
  readonly #recent = new Map<string, Promise<number[]>>();

  constructor(inner: Embedder, options: SharingEmbedderOptions) {
    this.dimensions = inner.dimensions;
    this.#inner = inner;
    this.#maxTexts = options.maxTexts;
  }

  /**
   * A request serves every caller of its texts, so it is sent without any one caller's signal:
   * an abort stops that caller's wait, not the request another caller shares.
   */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const asked = new Map<string, Promise<number[]>>();
    const unknown = new Set<string>();
    for (const text of texts) {
      const kept = this.#recent.get(text);
      if (kept) asked.set(text, kept);
      else unknown.add(text);
    }
    const missing = [...unknown];
    if (missing.length > 0) {
      const request = this.#inner.embed(missing).then((vectors) => {
        if (vectors.length !== missing.length) throw new Error(`embedder returned ${vectors.length} vectors for ${missing.length} texts`);
        return vectors;
      });
      missing.forEach((text, i) => {
        const vector = request.then((vectors) => vectors[i]!);
        // A failed request is not kept: the next caller asks again.
        vector.catch(() => { if (this.#recent.get(text) === vector) this.#recent.delete(text); });
        asked.set(text, vector);
        this.#keep(text, vector);
      });
    }
    const all = Promise.all(texts.map((text) => asked.get(text)!));
    return signal ? abortable(all, signal) : all;
  }

  close(): void {
    this.#recent.clear();
    this.#inner.close?.();
  }

  #keep(text: string, vector: Promise<number[]>): void {
    this.#recent.set(text, vector);
    if (this.#recent.size > this.#maxTexts) this.#recent.delete(this.#recent.keys().next().value!);
  }
}

function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
