import { parseArgs } from "node:util";
import { startSimOpenAI } from "./server.ts";

function numberFlag(name: string, value: string, min: number): number {
  const parsed = value === "Infinity" ? Infinity : Number(value);
  if (Number.isNaN(parsed) || parsed < min) {
    throw new Error(`--${name} must be a number >= ${min} (got "${value}")`);
  }
  return parsed;
}

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8000" },
    host: { type: "string", default: "127.0.0.1" },
    "first-token-ms": { type: "string", default: "150" },
    "tokens-per-second": { type: "string", default: "20" },
    "reply-tokens": { type: "string", default: "60" },
    quiet: { type: "boolean", default: false },
    http2: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(
    "Usage: sim-openai [--port 8000] [--host 127.0.0.1] [--first-token-ms 150]\n" +
      "                  [--tokens-per-second 20] [--reply-tokens 60] [--http2] [--quiet]",
  );
  process.exit(0);
}

const sim = await startSimOpenAI({
  port: numberFlag("port", values.port, 0),
  host: values.host,
  firstTokenMs: numberFlag("first-token-ms", values["first-token-ms"], 0),
  tokensPerSecond: numberFlag("tokens-per-second", values["tokens-per-second"], 0),
  replyTokens: numberFlag("reply-tokens", values["reply-tokens"], 0),
  http2: values.http2,
  log: values.quiet
    ? "silent"
    : (message, fields) => console.log(`[sim-openai] ${message}${fields ? ` ${JSON.stringify(fields)}` : ""}`),
});

console.log(sim.url);

const shutdown = (): void => {
  void sim.close().then(() => process.exit(0));
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
