import { HttpError } from "./http-io.ts";
import { fnv1a, mulberry32 } from "./reply-text.ts";

export const DEFAULT_EMBEDDING_DIMENSIONS = 256;
const MAX_DIMENSIONS = 8192;

function inputTexts(input: unknown): string[] {
  if (typeof input === "string") return [input];
  if (Array.isArray(input) && input.length > 0) {
    // Token-id inputs (number[] or number[][]) are hashed through their JSON form.
    if (input.every((item) => typeof item === "number")) return [JSON.stringify(input)];
    if (input.every((item) => typeof item === "string" || Array.isArray(item))) {
      return input.map((item) => (typeof item === "string" ? item : JSON.stringify(item)));
    }
  }
  throw new HttpError(400, "'input' must be a string or a non-empty array of strings.", "input");
}

function dimensionsOf(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_EMBEDDING_DIMENSIONS;
  if (typeof value === "number" && Number.isInteger(value) && value > 0 && value <= MAX_DIMENSIONS) return value;
  throw new HttpError(400, `'dimensions' must be an integer between 1 and ${MAX_DIMENSIONS}.`, "dimensions");
}

/** Unit-length vector derived only from the text; values are float32 so both wire formats agree. */
export function embeddingFor(text: string, dimensions = DEFAULT_EMBEDDING_DIMENSIONS): number[] {
  const random = mulberry32(fnv1a(text));
  const vector = new Array<number>(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    const value = random() * 2 - 1;
    vector[i] = value;
    norm += value * value;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dimensions; i++) vector[i] = Math.fround(vector[i]! * scale);
  return vector;
}

function toBase64(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString("base64");
}

export function embeddingsResponse(raw: Record<string, unknown>): Record<string, unknown> {
  const texts = inputTexts(raw.input);
  const dimensions = dimensionsOf(raw.dimensions);
  const format = raw.encoding_format ?? "float";
  if (format !== "float" && format !== "base64") {
    throw new HttpError(400, "'encoding_format' must be 'float' or 'base64'.", "encoding_format");
  }
  const data = texts.map((text, index) => {
    const vector = embeddingFor(text, dimensions);
    return { object: "embedding", index, embedding: format === "base64" ? toBase64(vector) : vector };
  });
  const promptTokens = texts.reduce((sum, text) => sum + Math.max(1, Math.ceil(text.length / 4)), 0);
  return {
    object: "list",
    data,
    model: typeof raw.model === "string" ? raw.model : "parley-sim-embedding",
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}
