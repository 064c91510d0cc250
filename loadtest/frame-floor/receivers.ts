/**
 * Many bare `ws` clients in one process, timing each frame from its stamp. Prints "connected"
 * once every socket is open, then, after the warm-up and the window, one JSON line with every
 * frame's age in ms (the parent pools the processes' samples before it takes percentiles).
 *
 *   node loadtest/frame-floor/receivers.ts <port> <connections> <warm-up ms> <window ms>
 */
import WebSocket from "ws";
import { frameAgeMs } from "./stamp.ts";

const [port, connections, warmupMs, windowMs] = process.argv.slice(2, 6).map(Number) as [number, number, number, number];

export interface ReceiverReport { agesMs: number[]; errors: number }

const ages: number[] = [];
let measuring = false;
let errors = 0;
const sockets: WebSocket[] = [];

await Promise.all(Array.from({ length: connections }, () => new Promise<void>((resolve) => {
  const socket = new WebSocket(`ws://127.0.0.1:${port}`);
  sockets.push(socket);
  socket.once("open", () => resolve());
  socket.once("error", () => { errors += 1; resolve(); });
  socket.on("message", (data: Buffer) => { if (measuring) ages.push(frameAgeMs(data)); });
})));
console.log("connected");

setTimeout(() => {
  measuring = true;
  setTimeout(() => {
    measuring = false;
    const report: ReceiverReport = { agesMs: ages.map((a) => Math.round(a * 1000) / 1000), errors };
    for (const s of sockets) s.terminate();
    // A pipe is written asynchronously: exit only once the whole line is out.
    process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
  }, windowMs);
}, warmupMs);
