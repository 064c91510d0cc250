/**
 * One cheap request to the model endpoint at start (GET {base}/models): an endpoint that does not
 * answer, refuses the key or lacks the model is a loud warning in the start-up log, not a silent
 * failure at the first chat. Only a warning: the endpoint may come up after Parley does.
 */
import { describeError } from "../startup/startup-error.ts";

/** A model server lists its models in milliseconds; 3 s spans a busy server, and bounds the start. */
export const MODEL_PROBE_TIMEOUT_MS = 3_000;

export interface ModelProbeTarget {
  /** Including the version path (`http://localhost:11434/v1`). */
  baseUrl: string;
  apiKey: string | undefined;
  model: string;
}

export type ModelProbeResult =
  | { ok: true; ms: number }
  | { ok: false; ms: number; problem: string; fix: string };

export async function probeModelEndpoint(target: ModelProbeTarget, timeoutMs = MODEL_PROBE_TIMEOUT_MS): Promise<ModelProbeResult> {
  const url = `${target.baseUrl.replace(/\/+$/, "")}/models`;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let res: Response;
  let body: unknown;
  try {
    res = await fetch(url, {
      headers: target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = await res.json().catch(() => undefined);
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause ?? err;
    const timedOut = err instanceof DOMException && err.name === "TimeoutError";
    return {
      ok: false, ms: elapsed(),
      problem: `GET ${url}: ${timedOut ? `no answer within ${timeoutMs} ms` : describeError(cause)}`,
      fix: "start the model server or fix OPENAI_BASE_URL (inside a container, localhost is the container itself)",
    };
  }
  if (res.status === 401 || res.status === 403) {
    return { ok: false, ms: elapsed(), problem: `GET ${url}: HTTP ${res.status}, the key was refused`, fix: "check OPENAI_API_KEY" };
  }
  if (res.status === 404) {
    return { ok: false, ms: elapsed(), problem: `GET ${url}: HTTP 404`, fix: "OPENAI_BASE_URL should end with the API's version path, such as /v1" };
  }
  if (!res.ok) {
    return { ok: false, ms: elapsed(), problem: `GET ${url}: HTTP ${res.status}`, fix: "the endpoint is up but failing; chats may fail until it recovers" };
  }
  const ids = modelIds(body);
  if (ids.length > 0 && !ids.some((id) => id === target.model || id === `${target.model}:latest`)) {
    return {
      ok: false, ms: elapsed(),
      problem: `the endpoint does not list the model "${target.model}" (it has ${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", ..." : ""})`,
      fix: "set OPENAI_MODEL to one of them, or pull the model (ollama pull <name>)",
    };
  }
  return { ok: true, ms: elapsed() };
}

function modelIds(body: unknown): string[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return [];
  return data.map((m) => (m as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === "string");
}
