/**
 * Round trip of a small binary frame to a bare `ws` echo server in another process on this
 * machine: what any WebSocket server costs, before Colyseus or Parley do anything.
 */
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { spawnTs, stopChild, waitForLine } from "./child-processes.ts";
import { percentiles } from "./stats.ts";

export interface WsBaseline { roundTrips: number; p50: number; p95: number; p99: number }

export async function measureWsBaseline(roundTrips: number, warmup: number, cwd: string): Promise<WsBaseline> {
  const server = spawnTs(fileURLToPath(new URL("./ws-echo-server.ts", import.meta.url)), [], {}, cwd);
  try {
    const port = Number(await waitForLine(server, (l) => /^\d+$/.test(l), 15000, "ws echo server"));
    const socket = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise<void>((resolve, reject) => { socket.once("open", resolve); socket.once("error", reject); });
    // About the size of an ai_chunk frame.
    const payload = Buffer.alloc(48, 7);
    const samples: number[] = [];
    for (let i = 0; i < warmup + roundTrips; i++) {
      const sentAt = performance.now();
      socket.send(payload);
      await new Promise<void>((resolve) => socket.once("message", () => resolve()));
      if (i >= warmup) samples.push(performance.now() - sentAt);
    }
    socket.close();
    const p = percentiles(samples, [50, 95, 99]);
    return { roundTrips, p50: p[50]!, p95: p[95]!, p99: p[99]! };
  } finally {
    await stopChild(server);
  }
}
