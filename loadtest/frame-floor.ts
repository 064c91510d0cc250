/**
 * The floor under Parley's throughput on this machine: what bare WebSocket frames cost, with no
 * Colyseus, no model and no Parley. A bare `ws` server pushes small frames at a fixed total rate
 * to many bare `ws` clients in other processes; it prints, per rate, the CPU of the server, of
 * the clients and of the whole machine, the CPU each frame costs, and how long frames take from
 * send to receipt. A row of `npm run bench` that moves N frames a second spends at least the
 * floor at N on them; the rest of its CPU is Parley's work and the bench's.
 *
 *   npm run bench:frame-floor -- [--frames-per-second 1000,2500,5000,10000] [--connections 1000]
 *                                [--receiver-processes 2] [--frame-bytes 48] [--measure-seconds 20]
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { numberAtLeast, positiveList } from "./cli-numbers.ts";
import { measureFrameFloor, type FloorResult } from "./frame-floor/measure-floor.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

const { values } = parseArgs({
  options: {
    "frames-per-second": { type: "string", default: "1000,2500,5000,10000" },
    connections: { type: "string", default: "1000" },
    "receiver-processes": { type: "string", default: "2" },
    "frame-bytes": { type: "string", default: "48" },
    "warmup-seconds": { type: "string", default: "3" },
    "measure-seconds": { type: "string", default: "20" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("*/")[0]);
  process.exit(0);
}
const rates = positiveList("frames-per-second", values["frames-per-second"]);
const settings = {
  connections: numberAtLeast("connections", values.connections),
  receiverProcesses: numberAtLeast("receiver-processes", values["receiver-processes"]),
  frameBytes: numberAtLeast("frame-bytes", values["frame-bytes"]),
  warmupMs: numberAtLeast("warmup-seconds", values["warmup-seconds"], 0) * 1000,
  windowMs: numberAtLeast("measure-seconds", values["measure-seconds"]) * 1000,
  cwd: root,
};

const fixed = (n: number | null, digits = 0) => (n === null || !Number.isFinite(n) ? "-" : n.toFixed(digits));
/** Microseconds of CPU per frame received, from a CPU% (100 = one core). */
const perFrame = (cpuPercent: number | null, r: FloorResult) => (cpuPercent === null || r.received === 0 ? null : (cpuPercent / 100) * 1e6 / r.received);

console.log(`${settings.connections} connections over ${settings.receiverProcesses} receiver process(es); ${settings.frameBytes}-byte frames; ` +
  `${settings.warmupMs / 1000} s warm-up, ${settings.windowMs / 1000} s measured`);
console.log("| frames/s sent | frames/s received | server CPU% | receivers CPU% | machine CPU% | stolen CPU% | server µs/frame | receivers µs/frame | machine µs/frame | send to receipt p50/95/99 ms | errors |");
console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const framesPerSecond of rates) {
  const r = await measureFrameFloor({ ...settings, framesPerSecond });
  console.log(`| ${framesPerSecond} | ${fixed(r.received)} | ${fixed(r.serverCpu)} | ${fixed(r.receiversCpu)} | ${fixed(r.machineCpu)}/${availableParallelism() * 100} | ${fixed(r.stolenCpu)} | ` +
    `${fixed(perFrame(r.serverCpu, r))} | ${fixed(perFrame(r.receiversCpu, r))} | ${fixed(perFrame(r.machineCpu, r))} | ` +
    `${fixed(r.ages.p50, 2)}/${fixed(r.ages.p95, 2)}/${fixed(r.ages.p99, 2)} | ${r.errors} |`);
}
