/**
 * Another Node process seen through its inspector (started with `--inspect=127.0.0.1:<port>`):
 * its live heap after a full collection, and CPU profiles of a time window. Idle, the inspector
 * costs the process nothing.
 */
import WebSocket from "ws";

interface InspectorTarget { webSocketDebuggerUrl: string }

interface Inspector {
  call(method: string, params?: Record<string, unknown>): Promise<unknown>;
  close(): void;
}

async function connectInspector(port: number, timeoutMs: number): Promise<Inspector> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as InspectorTarget[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on port ${port}`);
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => { socket.once("open", resolve); socket.once("error", reject); });
  let nextId = 1;
  return {
    call: (method, params = {}) => new Promise<unknown>((resolve, reject) => {
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
    }),
    close: () => socket.close(),
  };
}

export interface HeapAfterGc {
  heapUsedMb: number;
  /** Memory outside the V8 heap held by JS objects (Buffers and the like). */
  externalMb: number;
  rssMb: number;
}

/** RSS alone mostly shows how much garbage V8 has not collected yet; this is what sessions keep alive. */
export async function heapAfterGc(inspectorPort: number, timeoutMs = 30000): Promise<HeapAfterGc> {
  const inspector = await connectInspector(inspectorPort, timeoutMs);
  try {
    await inspector.call("HeapProfiler.collectGarbage");
    const result = (await inspector.call("Runtime.evaluate", {
      expression: "JSON.stringify(process.memoryUsage())",
      returnByValue: true,
    })) as { result: { value: string } };
    const usage = JSON.parse(result.result.value) as { heapUsed: number; external: number; rss: number };
    const mb = (bytes: number) => bytes / 2 ** 20;
    return { heapUsedMb: mb(usage.heapUsed), externalMb: mb(usage.external), rssMb: mb(usage.rss) };
  } finally {
    inspector.close();
  }
}

/** Starts a CPU profile; the function it returns stops it and gives the profile (Chrome's `.cpuprofile` JSON). */
export async function startCpuProfile(inspectorPort: number, timeoutMs = 30000): Promise<() => Promise<unknown>> {
  const inspector = await connectInspector(inspectorPort, timeoutMs);
  await inspector.call("Profiler.enable");
  await inspector.call("Profiler.start");
  return async () => {
    try {
      const { profile } = (await inspector.call("Profiler.stop")) as { profile: unknown };
      return profile;
    } finally {
      inspector.close();
    }
  };
}
