/**
 * The CPU a model client spends per streamed token: Parley's own client (`MODEL_CLIENT=direct`, over
 * HTTP/1.1 and HTTP/2) against LangChain's `ChatOpenAI.stream()` (`MODEL_CLIENT=langchain`), each
 * consuming the same concurrent paced streams from the simulated model. The simulator runs in a
 * child process, so only the client's CPU is counted; each client gets a warm-up, then a window.
 *
 *   npm run bench:model-clients -- [--streams 200] [--tokens-per-second 20] [--seconds 8] [--warmup-seconds 3]
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { HumanMessage } from "@langchain/core/messages";
import { createOpenAiChatModel, LangChainReplyModel } from "../src/ai/langchain-reply-model.ts";
import { OpenAiStreamReplyModel } from "../src/ai/openai-stream-reply-model.ts";
import type { ReplyModel } from "../src/ai/reply-model.ts";
import { numberAtLeast } from "./cli-numbers.ts";
import { SIM_MODEL_ID, startSimOpenAI } from "./sim-openai/server.ts";

const { values } = parseArgs({
  options: {
    child: { type: "boolean", default: false },
    streams: { type: "string", default: "200" },
    "tokens-per-second": { type: "string", default: "20" },
    "reply-tokens": { type: "string", default: "60" },
    seconds: { type: "string", default: "8" },
    "warmup-seconds": { type: "string", default: "3" },
  },
});
const tokensPerSecond = numberAtLeast("tokens-per-second", values["tokens-per-second"]!);
const replyTokens = numberAtLeast("reply-tokens", values["reply-tokens"]!);

/** The child: one simulator per protocol, addresses sent to the parent, closed on "stop". */
async function runSimulators(): Promise<void> {
  const pacing = { firstTokenMs: 150, tokensPerSecond, replyTokens, log: "silent" as const };
  const h1 = await startSimOpenAI(pacing);
  const h2 = await startSimOpenAI({ ...pacing, http2: true });
  process.on("message", (message) => {
    if (message === "stop") void Promise.all([h1.close(), h2.close()]).then(() => process.exit(0));
  });
  process.send?.({ h1: h1.url, h2: h2.url });
}

interface Result { client: string; tokens: number; seconds: number; cpuMicros: number }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Streams replies back to back on `streams` loops; counts the CPU and the tokens of the window. */
async function measure(client: string, model: ReplyModel, streams: number): Promise<Result> {
  let running = true;
  let tokens = 0;
  const prompt = [new HumanMessage("Tell me about the mine.")];
  const loop = async () => {
    while (running) {
      for await (const delta of model.stream(prompt, new AbortController().signal)) if (delta.content) tokens++;
    }
  };
  const loops = Array.from({ length: streams }, loop);
  await sleep(numberAtLeast("warmup-seconds", values["warmup-seconds"]!, 0) * 1000);
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const tokensStart = tokens;
  await sleep(numberAtLeast("seconds", values.seconds!) * 1000);
  const cpu = process.cpuUsage(cpuStart);
  const seconds = (performance.now() - wallStart) / 1000;
  const counted = tokens - tokensStart;
  running = false;
  await Promise.all(loops);
  model.close?.();
  return { client, tokens: counted, seconds, cpuMicros: cpu.user + cpu.system };
}

async function runParent(): Promise<void> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--child", ...process.argv.slice(2)], { execArgv: [] });
  const urls = await new Promise<{ h1: string; h2: string }>((resolve) => child.once("message", (m) => resolve(m as { h1: string; h2: string })));
  const streams = numberAtLeast("streams", values.streams!);
  const options = { name: SIM_MODEL_ID, apiKey: "sim", temperature: 0.8, maxTokens: 200 };
  const clients: Array<[string, () => ReplyModel]> = [
    ["direct, HTTP/1.1", () => new OpenAiStreamReplyModel({ ...options, baseUrl: urls.h1 })],
    ["direct, HTTP/2", () => new OpenAiStreamReplyModel({ ...options, baseUrl: urls.h2, http2: true })],
    ["langchain", () => new LangChainReplyModel(createOpenAiChatModel({ ...options, baseUrl: urls.h1 }), SIM_MODEL_ID)],
  ];
  const results: Result[] = [];
  try {
    for (const [name, make] of clients) results.push(await measure(name, make(), streams));
  } finally {
    child.send("stop");
  }
  const perToken = (r: Result) => r.cpuMicros / r.tokens;
  const langchain = perToken(results.find((r) => r.client === "langchain")!);
  console.log(`${streams} streams at ${tokensPerSecond} tok/s, replies of ${replyTokens} tokens, ${values.seconds} s a client`);
  console.log("| client | tokens/s | CPU % | µs CPU per token | of langchain's |");
  console.log("|---|---:|---:|---:|---:|");
  for (const r of results) {
    const share = perToken(r) / langchain;
    console.log(`| ${r.client} | ${Math.round(r.tokens / r.seconds)} | ${(r.cpuMicros / 1e4 / r.seconds).toFixed(0)} | ${perToken(r).toFixed(1)} | ${share.toFixed(2)} |`);
  }
}

if (values.child) await runSimulators();
else await runParent();
