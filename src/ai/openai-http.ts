/**
 * The HTTP side of an OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp): JSON requests
 * and server-sent-event streams, over keep-alive HTTP/1.1 connections or multiplexed HTTP/2.
 *
 * Parley streams every reply token through here, so it stays lean: node:http(2) and a small SSE
 * parser (eventsource-parser) cost about a third of the CPU per token of the fetch and web-stream
 * layers under the OpenAI SDK and LangChain (BENCHMARKS.md, "Model client").
 */
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Readable } from "node:stream";
import { createParser } from "eventsource-parser";
import { Http2Sessions } from "./http2-sessions.ts";

/** Where requests go when no base URL is configured. */
export const OPENAI_BASE_URL = "https://api.openai.com/v1";

export interface OpenAiEndpoint {
  /** Including the version path; OpenAI's own when absent. */
  baseUrl: string | undefined;
  apiKey: string | undefined;
  /**
   * Multiplex every request over a few HTTP/2 connections (TLS with ALPN, or cleartext h2c with
   * prior knowledge) instead of one HTTP/1.1 connection per streaming reply. Tokens of many
   * replies then share socket reads, the largest per-token cost (BENCHMARKS.md).
   */
  http2?: boolean;
  /** Gives up on a request that has not answered (headers) within this time. */
  connectTimeoutMs?: number;
  /** Cancels a stream that has sent `[DONE]` but not ended within this time (default 5 s). */
  drainTimeoutMs?: number;
  /**
   * A busy answer (429, 503) asking to come back within this time is asked again once after that
   * wait; asking for longer, the request fails at once as overloaded (default 2 s: a player waits a
   * couple of seconds for a character, not a minute).
   */
  retryAfterMaxMs?: number;
}

/** The endpoint answered with an HTTP error, or with an error inside the stream. */
export class OpenAiHttpError extends Error {
  readonly status: number | undefined;
  /** What the answer's `Retry-After` (or `retry-after-ms`) asked for, in ms. */
  readonly retryAfterMs: number | undefined;
  /** Busy past what an interactive turn can wait: the reply ends with `model/overloaded`. */
  overloaded = false;
  constructor(message: string, status?: number, retryAfterMs?: number) {
    super(message);
    this.name = "OpenAiHttpError";
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
  /** Worth one more try: the server was busy or failed, not the request. */
  get retryable(): boolean {
    return this.status === 429 || (this.status !== undefined && this.status >= 500);
  }
}

/** An answer whose headers have arrived: its status, its `Retry-After` and its body. */
interface Answer {
  status: number;
  retryAfter?: string;
  body: Readable;
}

type Transport = (path: string, headers: Record<string, string | number>, body: string, signal: AbortSignal | undefined, timeoutMs: number) => Promise<Answer>;

const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;
const DEFAULT_RETRY_AFTER_MAX_MS = 2_000;
/**
 * The wait before asking a busy server (429, 503) again when it does not say how long: asked again
 * 10 ms later, it is still busy, and the turn fails anyway.
 */
const BUSY_RETRY_MS = 250;

const RETRYABLE_SOCKET_ERRORS = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "ERR_HTTP2_GOAWAY_SESSION", "ERR_HTTP2_STREAM_CANCEL", "ERR_HTTP2_INVALID_SESSION"]);

export class OpenAiHttp {
  readonly #headers: Record<string, string>;
  readonly #connectTimeoutMs: number;
  readonly #drainTimeoutMs: number;
  readonly #retryAfterMaxMs: number;
  readonly #transport: Transport;
  readonly #close: () => void;

  constructor(endpoint: OpenAiEndpoint) {
    const baseUrl = endpoint.baseUrl ?? OPENAI_BASE_URL;
    const base = new URL(baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
    this.#headers = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}),
    };
    this.#connectTimeoutMs = endpoint.connectTimeoutMs ?? 30_000;
    this.#drainTimeoutMs = endpoint.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    this.#retryAfterMaxMs = endpoint.retryAfterMaxMs ?? DEFAULT_RETRY_AFTER_MAX_MS;
    if (endpoint.http2) {
      const sessions = new Http2Sessions(base.origin);
      this.#transport = http2Transport(base, sessions);
      this.#close = () => sessions.close();
    } else {
      const tls = base.protocol === "https:";
      // Every reply is a request: reuse connections, never queue behind a socket cap.
      const agent = tls ? new HttpsAgent({ keepAlive: true, maxSockets: Infinity }) : new HttpAgent({ keepAlive: true, maxSockets: Infinity });
      this.#transport = http1Transport(base, agent, tls ? httpsRequest : httpRequest);
      this.#close = () => agent.destroy();
    }
  }

  /** POST a JSON body and parse the JSON answer. */
  async postJson(path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    const answer = await this.#send(path, JSON.stringify(body), signal);
    const text = await readText(answer.body);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new OpenAiHttpError(`${path}: the answer is not JSON`, answer.status);
    }
  }

  /**
   * POST a JSON body and yield what `read` makes of the `data` of each server-sent event (nothing
   * when it returns undefined), until `[DONE]`. Reading here rather than in a generator around this
   * one saves a promise per token. An error thrown by `read` cancels the request, as aborting
   * `signal` does, so the server stops generating.
   *
   * An answer that ends before `[DONE]` was cut short (a proxy or the server gave up) and fails,
   * unless `whole` says the events read so far make a whole answer (for servers that send no
   * `[DONE]` but mark their last event).
   */
  async *streamEvents<T>(path: string, body: unknown, signal: AbortSignal, read: (data: string) => T | undefined,
    whole: () => boolean = () => false): AsyncGenerator<T> {
    const res = (await this.#send(path, JSON.stringify(body), signal)).body;
    // 'data' events into a queue rather than the stream's async iterator: a token is one small
    // network read, and the iterator's promise per read is most of the cost of a token.
    const queue: string[] = [];
    let ended = false;
    let failure: unknown;
    let wake: (() => void) | null = null;
    const wakeUp = (): void => {
      const w = wake;
      wake = null;
      w?.();
    };
    const parser = createParser({ onEvent: (e) => queue.push(e.data) });
    res.setEncoding("utf8");
    res.on("data", (text: string) => {
      parser.feed(text);
      if (queue.length > 0) wakeUp();
    });
    res.on("end", () => { ended = true; wakeUp(); });
    res.on("error", (err) => { failure = err; wakeUp(); });
    res.on("close", () => {
      if (!ended) failure ??= new Error("the model's stream closed before its end");
      wakeUp();
    });
    let done = false;
    try {
      for (;;) {
        for (let i = 0; i < queue.length; i++) {
          const data = queue[i]!;
          if (data === "[DONE]") {
            done = true;
            return;
          }
          const item = read(data);
          if (item !== undefined) yield item;
        }
        queue.length = 0;
        if (failure !== undefined) throw failure;
        if (ended) {
          if (whole()) return;
          throw new OpenAiHttpError(`${path}: the stream ended before [DONE]`);
        }
        await new Promise<void>((resolve) => { wake = resolve; });
      }
    } catch (err) {
      // The connection dies with a generic error; callers should see why.
      throw signal.aborted ? new DOMException("the request was aborted", "AbortError") : err;
    } finally {
      // The answer is whole after [DONE], but its end may come in a later read. Reading to it keeps
      // an HTTP/1.1 connection for the next request, and closes an HTTP/2 stream without a reset:
      // servers count resets (the "rapid reset" defence) and end a connection that sends many.
      // A consumer that stopped early cancels rather than read the rest.
      if (!ended) {
        if (done) drainToEnd(res, this.#drainTimeoutMs);
        else res.destroy();
      }
    }
  }

  /** Closes idle connections. */
  close(): void {
    this.#close();
  }

  /**
   * Sends once, and once more if the connection failed before any answer or the server was busy.
   * Nothing of the reply has been shown yet, so a retry is invisible but for its wait. A busy server
   * is asked again after the wait it asks for, if that is short enough for a turn; still busy after
   * it, or asking for longer, the request fails as overloaded.
   */
  async #send(path: string, body: string, signal: AbortSignal | undefined): Promise<Answer> {
    try {
      return await this.#sendOnce(path, body, signal);
    } catch (err) {
      if (signal?.aborted || !isRetryable(err)) throw err;
      if (!isBusy(err)) return this.#sendOnce(path, body, signal);
      const waitMs = err.retryAfterMs ?? BUSY_RETRY_MS;
      if (waitMs > this.#retryAfterMaxMs) throw markOverloaded(err);
      await sleep(waitMs, signal);
      return this.#sendOnce(path, body, signal).catch((again: unknown) => {
        throw isBusy(again) ? markOverloaded(again) : again;
      });
    }
  }

  async #sendOnce(path: string, body: string, signal: AbortSignal | undefined): Promise<Answer> {
    signal?.throwIfAborted();
    const headers = { ...this.#headers, "content-length": Buffer.byteLength(body) };
    const answer = await this.#transport(path.replace(/^\//, ""), headers, body, signal, this.#connectTimeoutMs);
    if (answer.status >= 200 && answer.status < 300) return answer;
    const text = await readText(answer.body);
    throw new OpenAiHttpError(`${path}: HTTP ${answer.status}: ${errorMessageOf(text)}`, answer.status, parseRetryAfter(answer.retryAfter));
  }
}

function http1Transport(base: URL, agent: HttpAgent, request: typeof httpRequest): Transport {
  return (path, headers, body, signal, timeoutMs) => new Promise<Answer>((resolve, reject) => {
    const req = request(new URL(path, base), { method: "POST", agent, headers, signal }, (res) => {
      req.setTimeout(0);
      resolve({ status: res.statusCode ?? 0, retryAfter: retryAfterHeader(res.headers["retry-after-ms"], res.headers["retry-after"]), body: res });
    });
    req.setTimeout(timeoutMs, () => req.destroy(timeoutError(path, timeoutMs)));
    req.on("error", reject);
    req.end(body);
  });
}

function http2Transport(base: URL, sessions: Http2Sessions): Transport {
  return (path, headers, body, signal, timeoutMs) => new Promise<Answer>((resolve, reject) => {
    const url = new URL(path, base);
    const stream = sessions.request({ ":method": "POST", ":path": `${url.pathname}${url.search}`, ...headers }, signal);
    const timer = setTimeout(() => stream.destroy(timeoutError(path, timeoutMs)), timeoutMs);
    stream.once("response", (h) => {
      clearTimeout(timer);
      resolve({ status: Number(h[":status"] ?? 0), retryAfter: retryAfterHeader(h["retry-after-ms"], h["retry-after"]), body: stream });
    });
    stream.once("error", (err) => { clearTimeout(timer); reject(err); });
    stream.end(body);
  });
}

/** Reads an answer to its end, or gives it up if that end does not come soon. */
function drainToEnd(res: Readable, timeoutMs: number): void {
  const timer = setTimeout(() => res.destroy(), timeoutMs);
  timer.unref();
  res.once("close", () => clearTimeout(timer));
  res.resume();
}

function timeoutError(path: string, ms: number): Error {
  return Object.assign(new Error(`${path}: no answer within ${ms} ms`), { code: "ETIMEDOUT" });
}

async function readText(body: Readable): Promise<string> {
  body.setEncoding("utf8");
  let text = "";
  for await (const part of body as AsyncIterable<string>) text += part;
  return text;
}

/** The message of an OpenAI-style error body, or the body itself, shortened. */
export function errorMessageOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const e = parsed.error;
    if (typeof e === "string") return e;
    if (e && typeof e.message === "string") return e.message;
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 300);
}

function isRetryable(err: unknown): boolean {
  if (err instanceof OpenAiHttpError) return err.retryable;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && RETRYABLE_SOCKET_ERRORS.has(code);
}

/** A 429 or 503: the server is up but busy, and may say when to come back. */
function isBusy(err: unknown): err is OpenAiHttpError {
  return err instanceof OpenAiHttpError && (err.status === 429 || err.status === 503);
}

function markOverloaded(err: OpenAiHttpError): OpenAiHttpError {
  err.overloaded = true;
  return err;
}

/** OpenAI sends `retry-after-ms` beside `retry-after`; the finer one wins. Kept as `ms:<n>` or the raw `Retry-After`. */
function retryAfterHeader(ms: string | string[] | undefined, standard: string | string[] | undefined): string | undefined {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const exact = first(ms);
  return exact !== undefined ? `ms:${exact}` : first(standard);
}

/** `Retry-After` in ms: delta-seconds or an HTTP date (RFC 9110 10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text.startsWith("ms:")) {
    const ms = Number(text.slice(3));
    return Number.isFinite(ms) && ms >= 0 ? Math.ceil(ms) : undefined;
  }
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { signal?.removeEventListener("abort", onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(timer); reject(new DOMException("the request was aborted", "AbortError")); };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
