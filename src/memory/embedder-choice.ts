/**
 * Which embedder a configuration asks for, what it is called in the memories table, and whether
 * the configured endpoint can serve it. A store holds one vector space; its identity is
 * (kind, model, dimensions), and a change of any of them is a change of space.
 */
import { OpenAiHttpError } from "../ai/openai-http.ts";
import type { Config } from "../config.ts";
import { StartupError } from "../startup/startup-error.ts";
import { HASHING_EMBEDDER_MODEL, HashingEmbedder } from "./hashing-embedder.ts";
import type { Embedder } from "./long-term-memory.ts";
import { OpenAIEmbeddingsEmbedder } from "./openai-embeddings-embedder.ts";

export type EmbeddingsKind = "local" | "openai";

export interface EmbedderIdentity {
  kind: EmbeddingsKind;
  model: string;
  dimensions: number;
}

export interface EmbedderSettings {
  kind: EmbeddingsKind;
  /** Set when `EMBEDDINGS` named the kind; unset when it followed the model settings. */
  explicit: boolean;
  model: string;
  dimensions: number;
  encoding: "base64" | "float";
  apiKey: string | undefined;
  baseUrl: string | undefined;
  http2: boolean;
}

export function embedderSettings(config: Config): EmbedderSettings {
  return {
    kind: config.memory.embeddings, explicit: config.embeddingsExplicit, model: config.memory.embeddingModel,
    dimensions: config.memory.dimensions, encoding: config.memory.embeddingEncoding,
    apiKey: config.model.apiKey, baseUrl: config.model.baseUrl, http2: config.model.http2,
  };
}

export function embedderIdentity(settings: Pick<EmbedderSettings, "kind" | "model" | "dimensions">): EmbedderIdentity {
  return settings.kind === "local"
    ? { kind: "local", model: HASHING_EMBEDDER_MODEL, dimensions: settings.dimensions }
    : { kind: "openai", model: settings.model, dimensions: settings.dimensions };
}

export function describeEmbedder(identity: EmbedderIdentity): string {
  return `${identity.kind}/${identity.model}/${identity.dimensions}`;
}

export function createEmbedder(settings: EmbedderSettings): Embedder {
  return settings.kind === "local"
    ? new HashingEmbedder({ dimensions: settings.dimensions })
    : new OpenAIEmbeddingsEmbedder({
      apiKey: settings.apiKey, baseURL: settings.baseUrl, encoding: settings.encoding,
      model: settings.model, dimensions: settings.dimensions, http2: settings.http2,
    });
}

/** How long the start-up probe may take: a live endpoint answers one short text in well under this. */
const PROBE_TIMEOUT_MS = 5_000;

export type ProbeResult =
  | { ok: true }
  /** The server answered that it has no such endpoint or model: it never will. */
  | { ok: false; missing: true; reason: string }
  /** No answer, or a failure that may pass (down, overloaded, unauthorised). */
  | { ok: false; missing: false; reason: string };

/** One embeddings request of one short text. */
export async function probeEmbeddings(embedder: Embedder, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    await embedder.embed(["probe"], abort.signal);
    return { ok: true };
  } catch (err) {
    const reason = abort.signal.aborted ? `no answer within ${timeoutMs} ms` : err instanceof Error ? err.message : String(err);
    return { ok: false, missing: isMissing(err), reason };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * 404/405/501: no such route. 400/422 name an unknown model (llama.cpp, vLLM, Ollama word it
 * differently). 401/403/429 and 5xx may pass, and so does an answer of the wrong shape.
 */
function isMissing(err: unknown): boolean {
  if (!(err instanceof OpenAiHttpError) || err.status === undefined) return false;
  if ([404, 405, 501].includes(err.status)) return true;
  return (err.status === 400 || err.status === 422) && /model|embedding/i.test(err.message);
}

export interface EmbedderDecision {
  settings: EmbedderSettings;
  /** One line to log at warn level when the configuration was not followed as given. */
  warning?: string;
}

/**
 * Embeddings from the model server when it serves them. Asked for implicitly (the default with
 * `OPENAI_BASE_URL`), a server that has no embeddings endpoint or model means the local embedder,
 * with one warning; asked for with `EMBEDDINGS=openai`, it refuses the start. A server that does
 * not answer keeps the configured embedder: it may be starting too.
 */
export async function chooseEmbedder(settings: EmbedderSettings, probe: (embedder: Embedder) => Promise<ProbeResult> = probeEmbeddings): Promise<EmbedderDecision> {
  if (settings.kind === "local") return { settings };
  const embedder = createEmbedder(settings);
  let result: ProbeResult;
  try {
    result = await probe(embedder);
  } finally {
    embedder.close?.();
  }
  if (result.ok) return { settings };
  const where = `${settings.baseUrl ?? "the OpenAI API"} (model ${settings.model})`;
  if (!result.missing) {
    return { settings, warning: `embeddings probe of ${where} failed (${result.reason}); keeping EMBEDDINGS=openai, memory writes fail until it answers` };
  }
  if (settings.explicit) {
    throw new StartupError("EMBEDDINGS", `EMBEDDINGS=openai, but ${where} serves no embeddings (${result.reason})`, "set EMBEDDING_MODEL to a model it serves, or EMBEDDINGS=local");
  }
  return {
    settings: { ...settings, kind: "local" },
    warning: `${where} serves no embeddings (${result.reason}): memories use the local embedder; set EMBEDDINGS=local to say so, or EMBEDDING_MODEL to a model it serves`,
  };
}
