/**
 * One rate of the frame floor: a push server and its receivers in processes of their own, the
 * CPU of each and of the machine read from /proc over the window.
 */
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { spawnTs, stopChild, waitForLine } from "../child-processes.ts";
import { MACHINE, ProcSampler, STOLEN } from "../proc-stats.ts";
import { percentiles } from "../stats.ts";
import type { ReceiverReport } from "./receivers.ts";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export interface FloorSettings {
  framesPerSecond: number;
  connections: number;
  receiverProcesses: number;
  frameBytes: number;
  warmupMs: number;
  windowMs: number;
  cwd: string;
}

export interface FloorResult {
  framesPerSecond: number;
  /** Frames received a second over the window, all receivers. */
  received: number;
  /** CPU%, 100 = one core; null where /proc had too few samples. */
  serverCpu: number | null;
  receiversCpu: number | null;
  machineCpu: number | null;
  stolenCpu: number | null;
  /** Send to receipt, ms, pooled over every receiver. */
  ages: { p50: number; p95: number; p99: number };
  errors: number;
}

/** The last stdout line of a child that exits on its own. */
function lastLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let last = "";
    createInterface({ input: child.stdout! }).on("line", (line) => { last = line; });
    child.once("exit", (code) => (code === 0 ? resolve(last) : reject(new Error(`receivers exited with ${code}`))));
  });
}

export async function measureFrameFloor(s: FloorSettings): Promise<FloorResult> {
  const server = spawnTs(here("./push-server.ts"), [String(s.framesPerSecond), String(s.frameBytes)], {}, s.cwd);
  const receivers: ChildProcess[] = [];
  try {
    const port = await waitForLine(server, (l) => /^\d+$/.test(l), 15000, "push server");
    const share = Math.ceil(s.connections / s.receiverProcesses);
    for (let start = 0; start < s.connections; start += share) {
      const count = Math.min(share, s.connections - start);
      receivers.push(spawnTs(here("./receivers.ts"), [port, String(count), String(s.warmupMs), String(s.windowMs)], {}, s.cwd));
    }
    const results = receivers.map(lastLine);
    await Promise.all(receivers.map((r) => waitForLine(r, (l) => l === "connected", 60000, "receivers")));
    const sampler = new ProcSampler([server.pid!, ...receivers.map((r) => r.pid!), MACHINE, STOLEN], 1000);
    const from = Date.now() + s.warmupMs;
    const reports = (await Promise.all(results)).map((line) => JSON.parse(line) as ReceiverReport);
    const to = Date.now();
    sampler.stop();
    const cpu = (pid: number) => sampler.summary(pid, from, to)?.cpuPercent ?? null;
    const receiverCpus = receivers.map((r) => cpu(r.pid!));
    const ages = reports.flatMap((r) => r.agesMs);
    const p = percentiles(ages, [50, 95, 99]);
    return {
      framesPerSecond: s.framesPerSecond,
      received: ages.length / (s.windowMs / 1000),
      serverCpu: cpu(server.pid!),
      receiversCpu: receiverCpus.includes(null) ? null : receiverCpus.reduce<number>((a, b) => a + b!, 0),
      machineCpu: cpu(MACHINE),
      stolenCpu: cpu(STOLEN),
      ages: { p50: p[50]!, p95: p[95]!, p99: p[99]! },
      errors: reports.reduce((sum, r) => sum + r.errors, 0),
    };
  } finally {
    await Promise.all([server, ...receivers].map((c) => stopChild(c)));
  }
}
