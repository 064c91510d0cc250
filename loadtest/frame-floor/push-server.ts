/**
 * A bare `ws` server that pushes small binary frames to every connected socket at a fixed total
 * rate, each stamped with the monotonic time it was sent. Prints its port.
 *
 *   node loadtest/frame-floor/push-server.ts <frames per second> <frame bytes>
 */
import { WebSocketServer, type WebSocket } from "ws";
import { stampFrame } from "./stamp.ts";

const framesPerSecond = Number(process.argv[2] ?? "5000");
const frameBytes = Number(process.argv[3] ?? "48");
/** Frames go out on a 10 ms tick, about the granularity at which Parley's replies are paced. */
const TICK_MS = 10;

const sockets: WebSocket[] = [];
let next = 0;
let owed = 0;

const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
server.on("connection", (socket) => {
  sockets.push(socket);
  socket.once("close", () => {
    const i = sockets.indexOf(socket);
    if (i >= 0) sockets.splice(i, 1);
  });
});
server.on("listening", () => {
  const address = server.address();
  console.log(typeof address === "object" && address ? String(address.port) : String(address));
});

let last = performance.now();
setInterval(() => {
  const now = performance.now();
  owed += ((now - last) / 1000) * framesPerSecond;
  last = now;
  // Round robin, so each socket gets frames one at a time, as each of Parley's players does.
  for (; owed >= 1 && sockets.length > 0; owed -= 1) {
    next = (next + 1) % sockets.length;
    sockets[next]!.send(stampFrame(frameBytes));
  }
}, TICK_MS);

process.once("SIGTERM", () => {
  for (const s of sockets) s.terminate();
  server.close(() => process.exit(0));
});
