import type { ServerResponse } from "node:http";
import { HttpError, sendJson } from "./http-io.ts";
import { estimatePromptTokens, planReply, type SimToolCall } from "./reply-text.ts";
import type { ChatRequestBody, SimRequestRecord, SimStats } from "./sim-stats.ts";
import type { TickScheduler } from "./tick-scheduler.ts";

export type SimLogger = (message: string, fields?: Record<string, unknown>) => void;

export interface ChatPacing {
  firstTokenMs: number;
  tokensPerSecond: number;
  replyTokens: number;
}

export interface ChatContext {
  scheduler: TickScheduler;
  stats: SimStats;
  log: SimLogger;
  pacing: ChatPacing;
  isClosing(): boolean;
}

export function parseChatBody(raw: Record<string, unknown>): ChatRequestBody {
  const messages = raw.messages;
  const valid = Array.isArray(messages) && messages.length > 0 &&
    messages.every((m) => m !== null && typeof m === "object" && typeof (m as { role?: unknown }).role === "string");
  if (!valid) throw new HttpError(400, "'messages' must be a non-empty array of objects with a 'role'.", "messages");
  if (raw.stream !== undefined && raw.stream !== null && typeof raw.stream !== "boolean") {
    throw new HttpError(400, "'stream' must be a boolean.", "stream");
  }
  return raw as ChatRequestBody;
}

function tokenLimit(body: ChatRequestBody): number | null {
  const limit = body.max_completion_tokens ?? body.max_tokens;
  return typeof limit === "number" && limit >= 0 ? Math.floor(limit) : null;
}

export function handleChatCompletion(ctx: ChatContext, res: ServerResponse, body: ChatRequestBody, id: string): void {
  const record: SimRequestRecord = { id, body };
  ctx.stats.recordRequest(record);
  const { firstTokenMs, tokensPerSecond, replyTokens } = ctx.pacing;
  const plan = planReply(body.messages, replyTokens);
  const limit = tokenLimit(body);
  const truncated = limit !== null && limit < plan.tokens.length;
  const tokens = truncated ? plan.tokens.slice(0, limit) : plan.tokens;
  const toolDeltas = plan.toolCalls ? toolCallDeltas(plan.toolCalls, id) : [];
  const finishReason = truncated ? "length" : toolDeltas.length > 0 ? "tool_calls" : "stop";
  const paced = tokensPerSecond > 0 && Number.isFinite(tokensPerSecond);
  const gapMs = plan.gapMsOverride ?? (paced ? 1000 / tokensPerSecond : 0);
  const model = typeof body.model === "string" ? body.model : "parley-sim";
  const created = Math.floor(Date.now() / 1000);
  const promptTokens = estimatePromptTokens(body.messages);
  const usage = { prompt_tokens: promptTokens, completion_tokens: tokens.length, total_tokens: promptTokens + tokens.length };

  let finished = false;
  res.on("close", () => {
    if (finished) return;
    finished = true;
    ctx.stats.recordCancelled(record);
    if (!ctx.isClosing()) ctx.log("client hung up", { requestId: id });
  });
  const complete = (): void => {
    finished = true;
    ctx.stats.recordCompleted(record);
  };

  const start = ctx.scheduler.currentTime();
  let due = start + firstTokenMs;

  if (!body.stream) {
    const readyAt = due + gapMs * Math.max(0, tokens.length - 1);
    const respond = (): null => {
      if (finished) return null;
      complete();
      const calls = plan.toolCalls?.map((c, i) => ({ id: c.id ?? `${id}-call-${i}`, type: "function", function: { name: c.name, arguments: c.arguments } }));
      sendJson(res, 200, {
        id, object: "chat.completion", created, model,
        choices: [{ index: 0, message: { role: "assistant", content: tokens.join(""), refusal: null, ...(calls ? { tool_calls: calls } : {}) }, logprobs: null, finish_reason: finishReason }],
        usage,
      }, id);
      return null;
    };
    if (readyAt <= start) respond();
    else ctx.scheduler.schedule(respond, readyAt);
    return;
  }

  const includeUsage = body.stream_options?.include_usage === true;
  // Every chunk shares this envelope; building it once keeps the per-token cost to one string concat.
  const head = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"choices":`;
  const tail = includeUsage ? `,"usage":null}\n\n` : "}\n\n";
  const choice = (delta: string, reason: string | null): string =>
    `${head}[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${reason === null ? "null" : `"${reason}"`}}]${tail}`;

  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "x-request-id": id,
  });
  res.write(choice(`{"role":"assistant","content":""}`, null));

  let next = 0;
  const step = (now: number): number | null => {
    if (finished) return null;
    let out = "";
    while (next < tokens.length && due <= now) {
      out += choice(`{"content":${JSON.stringify(tokens[next])}}`, null);
      next++;
      due += gapMs;
    }
    if (next < tokens.length) {
      if (out) res.write(out);
      return due;
    }
    for (const delta of toolDeltas) out += choice(delta, null);
    out += choice("{}", finishReason);
    if (includeUsage) out += `${head}[],"usage":${JSON.stringify(usage)}}\n\n`;
    out += "data: [DONE]\n\n";
    complete();
    res.end(out);
    return null;
  };
  if (due <= start) {
    const nextDue = step(start);
    if (nextDue !== null) ctx.scheduler.schedule(step, nextDue);
    return;
  }
  // The first token gets its own timer: the shared wheel's 5 ms slots would add up to 5 ms to the
  // first-token time, which the benchmark would count as Parley's. Later tokens ride the wheel.
  const timer = setTimeout(() => {
    const nextDue = step(ctx.scheduler.currentTime());
    if (nextDue !== null) ctx.scheduler.schedule(step, nextDue);
  }, due - start);
  res.once("close", () => clearTimeout(timer));
}

/** The deltas of scripted tool calls: the id and name first, then the arguments text in pieces. */
export function toolCallDeltas(calls: readonly SimToolCall[], requestId: string): string[] {
  const deltas: string[] = [];
  calls.forEach((call, index) => {
    const id = call.id ?? `${requestId}-call-${index}`;
    deltas.push(JSON.stringify({ tool_calls: [{ index, id, type: "function", function: { name: call.name, arguments: "" } }] }));
    const pieces = Math.max(1, call.pieces ?? 4);
    const size = Math.ceil(call.arguments.length / pieces);
    for (let at = 0; at < call.arguments.length; at += size) {
      deltas.push(JSON.stringify({ tool_calls: [{ index, function: { arguments: call.arguments.slice(at, at + size) } }] }));
    }
  });
  return deltas;
}
