import { OpenAiHttp } from "../ai/openai-http.ts";
import type { Embedder } from "./long-term-memory.ts";

export interface OpenAIEmbeddingsEmbedderOptions {
  apiKey: string | undefined;
  /** e.g. `https://api.openai.com/v1`, or any server speaking the OpenAI embeddings API. */
  baseURL?: string;
  model: string;
  /** The vector size; sent to the API (text-embedding-3 models shorten to it) and checked on every answer. */
  dimensions: number;
  /** See OpenAiEndpoint.http2. */
  http2?: boolean;
  /**
   * How vectors travel: `base64` float32 (the default of OpenAI's own SDK) is about a third of the
   * bytes of JSON numbers and far cheaper to parse. An answer in either form is read.
   */
  encoding?: "base64" | "float";
}

interface EmbeddingsAnswer {
  data?: Array<{ index?: number; embedding?: unknown }>;
}

/**
 * Embeddings from an OpenAI-compatible `/embeddings` endpoint. A memory lookup embeds the player's
 * message on the first-token path, so this is one lean request (see ai/openai-http.ts), and an
 * abort really cancels it.
 */
export class OpenAIEmbeddingsEmbedder implements Embedder {
  readonly dimensions: number;
  readonly #model: string;
  readonly #encoding: "base64" | "float";
  readonly #http: OpenAiHttp;

  constructor(options: OpenAIEmbeddingsEmbedderOptions) {
    if (!Number.isInteger(options.dimensions) || options.dimensions < 1) {
      throw new Error(`OpenAIEmbeddingsEmbedder: dimensions must be a positive integer, got ${options.dimensions}`);
    }
    this.dimensions = options.dimensions;
    this.#model = options.model;
    this.#encoding = options.encoding ?? "base64";
    this.#http = new OpenAiHttp({ baseUrl: options.baseURL, apiKey: options.apiKey, http2: options.http2 });
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    signal?.throwIfAborted();
    if (texts.length === 0) return [];
    const answer = (await this.#http.postJson("embeddings", { model: this.#model, input: texts, dimensions: this.dimensions, encoding_format: this.#encoding }, signal)) as EmbeddingsAnswer;
    const data = answer.data ?? [];
    if (data.length !== texts.length) {
      throw new Error(`embeddings: asked for ${texts.length} vectors, got ${data.length}`);
    }
    const vectors = new Array<number[]>(texts.length);
    data.forEach((item, position) => {
      const vector = decode(item.embedding);
      if (vector.length !== this.dimensions) {
        throw new Error(`embeddings: expected ${this.dimensions} dimensions, got ${vector.length}`);
      }
      vectors[item.index ?? position] = vector;
    });
    return vectors;
  }

  close(): void {
    this.#http.close();
  }
}

/** Floats as JSON numbers, or base64 little-endian float32 (what some servers send). */
function decode(embedding: unknown): number[] {
  if (Array.isArray(embedding)) return embedding.map(Number);
  if (typeof embedding === "string") {
    const bytes = Buffer.from(embedding, "base64");
    return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
  }
  throw new Error("embeddings: an answer without an embedding");
}
