/**
 * Live heap of another Node process after a full garbage collection, through its inspector
 * (started with `--inspect=127.0.0.1:<port>`). RSS alone mostly shows how much garbage V8 has
 * not collected yet; the heap after a collection is what sessions really keep alive.
 */
import WebSocket from "ws";

interface InspectorTarget { webSocketDebuggerUrl: string }

export interface HeapAfterGc {
  heapUsedMb: number;
  /** Memory outside the V8 heap held by JS objects (Buffers and the like). */
  externalMb: number;
  rssMb: number;
}

export async function heapAfterGc(inspectorPort: number, timeoutMs = 30000): Promise<HeapAfterGc> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as InspectorTarget[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on port ${inspectorPort}`);
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => { socket.once("open", resolve); socket.once("error", reject); });
  let nextId = 1;
  const call = (method: string, params: Record<string, unknown> = {}) => new Promise<unknown>((resolve, reject) => {
    const id = nextId++;
    const timer = setTimeout(() => reject(new Error(`inspector ${method} timed out`)), timeoutMs);
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id !== id) return;
      clearTimeout(timer);
      socket.off("message", onMessage);
      if (message.error) reject(new Error(message.error.message));
      else resolve(message.result);
    };
    socket.on("message", onMessage);
    socket.send(JSON.stringify({ id, method, params }));
  });
  try {
    await call("HeapProfiler.collectGarbage");
    const result = (await call("Runtime.evaluate", {
      expression: "JSON.stringify(process.memoryUsage())",
      returnByValue: true,
    })) as { result: { value: string } };
    const usage = JSON.parse(result.result.value) as { heapUsed: number; external: number; rss: number };
    const mb = (bytes: number) => bytes / 2 ** 20;
    return { heapUsedMb: mb(usage.heapUsed), externalMb: mb(usage.external), rssMb: mb(usage.rss) };
  } finally {
    socket.close();
  }
}
