/**
 * The HTTP side of an OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp): JSON requests
 * and server-sent-event streams over one keep-alive connection pool.
 *
 * Parley streams every reply token through here, so it stays lean: node:http and a small SSE
 * parser (eventsource-parser) cost about a fifth of the CPU per token of the fetch and web-stream
 * layers under the OpenAI SDK and LangChain (BENCHMARKS.md, "Model client").
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { createParser } from "eventsource-parser";

export interface OpenAiEndpoint {
  /** Including the version path, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  apiKey: string | undefined;
  /** Gives up on a request that has not answered (headers) within this time. */
  connectTimeoutMs?: number;
}

/** The endpoint answered with an HTTP error, or with an error inside the stream. */
export class OpenAiHttpError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = "OpenAiHttpError";
    this.status = status;
  }
  /** Worth one more try: the server was busy or failed, not the request. */
  get retryable(): boolean {
    return this.status === 429 || (this.status !== undefined && this.status >= 500);
  }
}

const RETRYABLE_SOCKET_ERRORS = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"]);

export class OpenAiHttp {
  readonly #base: URL;
  readonly #headers: Record<string, string>;
  readonly #agent: HttpAgent;
  readonly #request: typeof httpRequest;
  readonly #connectTimeoutMs: number;

  constructor(endpoint: OpenAiEndpoint) {
    this.#base = new URL(endpoint.baseUrl.endsWith("/") ? endpoint.baseUrl : `${endpoint.baseUrl}/`);
    const tls = this.#base.protocol === "https:";
    // Every reply is a request: reuse connections, never queue behind a socket cap.
    this.#agent = tls ? new HttpsAgent({ keepAlive: true, maxSockets: Infinity }) : new HttpAgent({ keepAlive: true, maxSockets: Infinity });
    this.#request = tls ? httpsRequest : httpRequest;
    this.#headers = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}),
    };
    this.#connectTimeoutMs = endpoint.connectTimeoutMs ?? 30_000;
  }

  /** POST a JSON body and parse the JSON answer. */
  async postJson(path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    const res = await this.#send(path, JSON.stringify(body), signal);
    const text = await readText(res);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new OpenAiHttpError(`${path}: the answer is not JSON`, res.statusCode);
    }
  }

  /**
   * POST a JSON body and yield the `data` of each server-sent event, until `[DONE]` or the end.
   * Aborting `signal` destroys the connection, so the server stops generating.
   */
  async *streamEvents(path: string, body: unknown, signal: AbortSignal): AsyncGenerator<string> {
    const res = await this.#send(path, JSON.stringify(body), signal);
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
      if (!res.complete) failure ??= new Error("the model's stream closed before its end");
      wakeUp();
    });
    try {
      for (;;) {
        for (let i = 0; i < queue.length; i++) {
          const data = queue[i]!;
          if (data === "[DONE]") return;
          yield data;
        }
        queue.length = 0;
        if (failure !== undefined) throw failure;
        if (ended) return;
        await new Promise<void>((resolve) => { wake = resolve; });
      }
    } catch (err) {
      // The socket dies with a generic "aborted"; callers should see why.
      throw signal.aborted ? new DOMException("the request was aborted", "AbortError") : err;
    } finally {
      // Also reached when the consumer stops early: free the socket rather than read the rest.
      if (!res.complete) res.destroy();
    }
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.#agent.destroy();
  }

  /** Sends once, and once more if the connection failed before any answer or the server was busy. */
  async #send(path: string, body: string, signal: AbortSignal | undefined): Promise<IncomingMessage> {
    try {
      return await this.#sendOnce(path, body, signal);
    } catch (err) {
      if (signal?.aborted || !isRetryable(err)) throw err;
      return this.#sendOnce(path, body, signal);
    }
  }

  #sendOnce(path: string, body: string, signal: AbortSignal | undefined): Promise<IncomingMessage> {
    signal?.throwIfAborted();
    const url = new URL(path.replace(/^\//, ""), this.#base);
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = this.#request(url, {
        method: "POST",
        agent: this.#agent,
        headers: { ...this.#headers, "content-length": Buffer.byteLength(body) },
        signal,
      }, (res) => {
        req.setTimeout(0);
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          resolve(res);
          return;
        }
        readText(res).then(
          (text) => reject(new OpenAiHttpError(`${path}: HTTP ${status}: ${errorMessageOf(text)}`, status)),
          reject,
        );
      });
      req.setTimeout(this.#connectTimeoutMs, () => req.destroy(Object.assign(new Error(`${path}: no answer within ${this.#connectTimeoutMs} ms`), { code: "ETIMEDOUT" })));
      req.on("error", reject);
      req.end(body);
    });
  }
}

async function readText(res: IncomingMessage): Promise<string> {
  res.setEncoding("utf8");
  let text = "";
  for await (const part of res as AsyncIterable<string>) text += part;
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
