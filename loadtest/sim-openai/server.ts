import { createServer } from "node:http";
import { createServer as createH2cServer, type Http2Session } from "node:http2";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleChatCompletion, parseChatBody } from "./chat-completions.ts";
import type { ChatContext, ChatPacing, SimLogger } from "./chat-completions.ts";
import { embeddingsResponse } from "./embeddings.ts";
import { HttpError, readJsonObject, sendError, sendJson } from "./http-io.ts";
import { SimStats } from "./sim-stats.ts";
import { TickScheduler } from "./tick-scheduler.ts";

export { expectedReply, say64, toolScript } from "./reply-text.ts";
export type { SimChatMessage, SimRound, SimToolCall } from "./reply-text.ts";
export { embeddingFor } from "./embeddings.ts";
export { SimStats } from "./sim-stats.ts";
export type { ChatRequestBody, SimRequestRecord } from "./sim-stats.ts";
export type { SimLogger } from "./chat-completions.ts";

export const SIM_MODEL_ID = "parley-sim";

export interface SimPacingOptions {
  /** Delay before the first content token (the role chunk is sent at once). */
  firstTokenMs?: number;
  /** Pace after the first token; 0 or Infinity sends the rest without delay. */
  tokensPerSecond?: number;
  /** Tokens in a generated reply (scripted `[[say:...]]` replies ignore it). */
  replyTokens?: number;
  log?: SimLogger | "silent";
}

export interface SimOpenAIOptions extends SimPacingOptions {
  /** Speak cleartext HTTP/2 (h2c, prior knowledge) instead of HTTP/1.1, as a multiplexing model server would. */
  http2?: boolean;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
}

export interface SimOpenAI {
  /** Base URL including `/v1`, ready for an OpenAI client's baseURL. */
  url: string;
  port: number;
  stats: SimStats;
  close(): Promise<void>;
  setOptions(partial: SimPacingOptions): void;
}

const silent: SimLogger = () => {};

function modelObject(): Record<string, unknown> {
  return { id: SIM_MODEL_ID, object: "model", created: 0, owned_by: "parley" };
}

export async function startSimOpenAI(options: SimOpenAIOptions = {}): Promise<SimOpenAI> {
  const stats = new SimStats();
  const scheduler = new TickScheduler();
  const pacing: ChatPacing = { firstTokenMs: 0, tokensPerSecond: 0, replyTokens: 60 };
  let closing = false;
  let requestCounter = 0;
  const ctx: ChatContext = { scheduler, stats, log: silent, pacing, isClosing: () => closing };

  const setOptions = (partial: SimPacingOptions): void => {
    if (partial.firstTokenMs !== undefined) pacing.firstTokenMs = Math.max(0, partial.firstTokenMs);
    if (partial.tokensPerSecond !== undefined) pacing.tokensPerSecond = Math.max(0, partial.tokensPerSecond);
    if (partial.replyTokens !== undefined) pacing.replyTokens = Math.max(0, Math.floor(partial.replyTokens));
    if (partial.log !== undefined) ctx.log = partial.log === "silent" ? silent : partial.log;
  };
  setOptions(options);

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "/").split("?")[0]!.replace(/\/+$/, "");
    if (req.method === "POST" && path === "/v1/chat/completions") {
      const body = parseChatBody(await readJsonObject(req));
      const id = `chatcmpl-sim${(++requestCounter).toString(36).padStart(6, "0")}`;
      handleChatCompletion(ctx, res, body, id);
      return;
    }
    if (req.method === "POST" && path === "/v1/embeddings") {
      const raw = await readJsonObject(req);
      const response = embeddingsResponse(raw);
      stats.recordEmbeddings(raw);
      sendJson(res, 200, response);
      return;
    }
    if (req.method === "GET" && path === "/v1/models") {
      sendJson(res, 200, { object: "list", data: [modelObject()] });
      return;
    }
    if (req.method === "GET" && path === `/v1/models/${SIM_MODEL_ID}`) {
      sendJson(res, 200, modelObject());
      return;
    }
    throw new HttpError(404, `Invalid URL (${req.method ?? "GET"} ${path || "/"})`);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (error.status >= 500 || error.status === 400) ctx.log("rejected request", { status: error.status, message: error.message });
        sendError(res, error);
        return;
      }
      ctx.log("internal error", { error: String(error) });
      sendError(res, new HttpError(500, "The simulated server failed.", null, "server_error"));
    });
  };
  // The HTTP/2 compatibility API gives request and response objects shaped like HTTP/1.1's.
  const h2Sessions = new Set<Http2Session>();
  const server = options.http2
    // Node's default per-connection memory cap (10 MB) ends a connection carrying hundreds of replies.
    ? createH2cServer({ maxSessionMemory: 256 }, (req, res) => handle(req as unknown as IncomingMessage, res as unknown as ServerResponse))
      .on("session", (session: Http2Session) => {
        h2Sessions.add(session);
        session.once("close", () => h2Sessions.delete(session));
      })
    : createServer(handle);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // A deep backlog lets thousands of load-test clients connect in one burst.
    server.listen({ port: options.port ?? 0, host: options.host ?? "127.0.0.1", backlog: 4096 }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? "127.0.0.1";
  const urlHost = host.includes(":") ? `[${host}]` : host;

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    if (closed) return closed;
    closing = true;
    scheduler.close();
    closed = new Promise<void>((resolve) => server.close(() => resolve()));
    if ("closeAllConnections" in server) server.closeAllConnections();
    for (const session of h2Sessions) session.destroy();
    return closed;
  };

  return { url: `http://${urlHost}:${port}/v1`, port, stats, close, setOptions };
}
