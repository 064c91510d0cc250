import { OpenAIEmbeddings } from "@langchain/openai";
import type { Embedder } from "./long-term-memory.ts";

export interface OpenAIEmbeddingsEmbedderOptions {
  apiKey: string;
  /** e.g. `https://api.openai.com/v1`, or any server speaking the OpenAI embeddings API. */
  baseURL?: string;
  model: string;
  /** The vector size; sent to the API (text-embedding-3 models shorten to it) and checked on every answer. */
  dimensions: number;
  /** Retries on failed requests, with backoff. */
  maxRetries?: number;
  timeoutMs?: number;
}

/** Embeddings from an OpenAI-compatible `/embeddings` endpoint, through LangChain. */
export class OpenAIEmbeddingsEmbedder implements Embedder {
  readonly dimensions: number;
  private readonly embeddings: OpenAIEmbeddings;

  constructor(options: OpenAIEmbeddingsEmbedderOptions) {
    if (!Number.isInteger(options.dimensions) || options.dimensions < 1) {
      throw new Error(`OpenAIEmbeddingsEmbedder: dimensions must be a positive integer, got ${options.dimensions}`);
    }
    this.dimensions = options.dimensions;
    this.embeddings = new OpenAIEmbeddings({
      apiKey: options.apiKey,
      model: options.model,
      dimensions: options.dimensions,
      maxRetries: options.maxRetries ?? 2,
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
      configuration: options.baseURL === undefined ? {} : { baseURL: options.baseURL },
    });
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    signal?.throwIfAborted();
    if (texts.length === 0) return [];
    // LangChain's embeddings take no signal: an abort stops the wait, not the request.
    const vectors = await untilAborted(this.embeddings.embedDocuments([...texts]), signal);
    if (vectors.length !== texts.length) {
      throw new Error(`embeddings: asked for ${texts.length} vectors, got ${vectors.length}`);
    }
    return vectors.map((vector) => {
      if (vector.length !== this.dimensions) {
        throw new Error(`embeddings: expected ${this.dimensions} dimensions, got ${vector.length}`);
      }
      // The OpenAI client may hand back typed arrays; callers get plain numbers.
      return Array.from(vector, Number);
    });
  }
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
