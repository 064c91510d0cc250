/** A bare WebSocket echo server, the floor Parley's latency is compared against. Prints its port. */
import { WebSocketServer } from "ws";

const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
server.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
});
server.on("listening", () => {
  const address = server.address();
  console.log(typeof address === "object" && address ? String(address.port) : String(address));
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
