// Measures the simulator's own CPU use under many concurrent paced streams.
// The simulator runs in a forked child so the load generator's CPU is not counted.
//   node loadtest/sim-openai/measure-cpu.ts --streams 1000 --tokens-per-second 20
import { fork } from "node:child_process";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startSimOpenAI } from "./server.ts";

interface CpuSample {
  cpuMicros: number;
  wallMs: number;
  eventLoopUtilization: number;
}

const { values } = parseArgs({
  options: {
    child: { type: "boolean", default: false },
    streams: { type: "string", default: "1000" },
    seconds: { type: "string", default: "10" },
    "warmup-seconds": { type: "string", default: "3" },
    "first-token-ms": { type: "string", default: "150" },
    "tokens-per-second": { type: "string", default: "20" },
    "reply-tokens": { type: "string", default: "60" },
  },
});

async function runChild(): Promise<void> {
  const sim = await startSimOpenAI({
    firstTokenMs: Number(values["first-token-ms"]),
    tokensPerSecond: Number(values["tokens-per-second"]),
    replyTokens: Number(values["reply-tokens"]),
  });
  let lastElu = performance.eventLoopUtilization();
  process.on("message", (message) => {
    if (message === "sample") {
      const elu = performance.eventLoopUtilization(lastElu);
      lastElu = performance.eventLoopUtilization();
      const cpu = process.cpuUsage();
      const sample: CpuSample = { cpuMicros: cpu.user + cpu.system, wallMs: performance.now(), eventLoopUtilization: elu.utilization };
      process.send?.({ sample, active: sim.stats.active, completed: sim.stats.completed });
    } else if (message === "stop") {
      void sim.close().then(() => process.exit(0));
    }
  });
  process.send?.({ url: sim.url });
}

async function runParent(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ["--child", ...process.argv.slice(2)], { execArgv: [] });
  const replies: Array<(value: Record<string, unknown>) => void> = [];
  child.on("message", (message) => replies.shift()?.(message as Record<string, unknown>));
  const nextMessage = () => new Promise<Record<string, unknown>>((resolve) => replies.push(resolve));
  const { url } = (await nextMessage()) as { url: string };
  const sample = async () => {
    const reply = nextMessage();
    child.send("sample");
    return (await reply) as { sample: CpuSample; active: number; completed: number };
  };

  const target = new URL(`${url}/chat/completions`);
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  let running = true;
  let contentChunks = 0;
  const streamOnce = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({ model: "parley-sim", stream: true, messages: [{ role: "user", content: `load ${n}` }] });
      const req = request(target, { method: "POST", agent, headers: { "content-type": "application/json" } }, (res) => {
        res.setEncoding("utf8");
        res.on("data", (text: string) => {
          for (let at = text.indexOf('"delta":{"content"'); at !== -1; at = text.indexOf('"delta":{"content"', at + 1)) contentChunks++;
        });
        res.on("end", resolve);
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  const loop = async (n: number) => {
    while (running) await streamOnce(n);
  };

  const streams = Number(values.streams);
  const loops = Array.from({ length: streams }, (_, n) => loop(n));
  await new Promise((resolve) => setTimeout(resolve, Number(values["warmup-seconds"]) * 1000));
  const start = await sample();
  const chunksAtStart = contentChunks;
  await new Promise((resolve) => setTimeout(resolve, Number(values.seconds) * 1000));
  const end = await sample();
  const chunks = contentChunks - chunksAtStart;
  running = false;
  await Promise.all(loops);
  agent.destroy();
  child.send("stop");

  const wallMs = end.sample.wallMs - start.sample.wallMs;
  const cpuPercent = ((end.sample.cpuMicros - start.sample.cpuMicros) / 1000 / wallMs) * 100;
  console.log(JSON.stringify({
    streams,
    tokensPerSecondPerStream: Number(values["tokens-per-second"]),
    activeStreamsAtEnd: end.active,
    measuredSeconds: Number((wallMs / 1000).toFixed(2)),
    tokensPerSecondTotal: Math.round(chunks / (wallMs / 1000)),
    simCpuPercent: Number(cpuPercent.toFixed(1)),
    simEventLoopUtilization: Number(end.sample.eventLoopUtilization.toFixed(3)),
  }, null, 2));
}

if (values.child) await runChild();
else await runParent();
