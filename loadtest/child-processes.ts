/** Starting, watching and stopping the benchmark's child processes. */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";

/** Runs a TypeScript entry point with this Node (which strips the types), piping its output. */
export function spawnTs(
  file: string, args: readonly string[], env: Record<string, string>, cwd: string, nodeArgs: readonly string[] = [],
): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, file, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Resolves with the first stdout line that matches; rejects if the child exits or time runs out. */
export function waitForLine(child: ChildProcess, match: (line: string) => boolean, timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!child.stdout) return reject(new Error(`${what}: no stdout`));
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => finish(new Error(`${what}: not ready after ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code: number | null) => finish(new Error(`${what}: exited with ${code} before it was ready`));
    const finish = (result: Error | string) => {
      clearTimeout(timer);
      lines.removeAllListeners("line");
      child.off("exit", onExit);
      if (typeof result === "string") resolve(result);
      else reject(result);
    };
    lines.on("line", (line) => { if (match(line)) finish(line); });
    child.once("exit", onExit);
  });
}

/** Polls an HTTP URL until it answers 2xx. */
export async function waitForHttp(url: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url}: no answer after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Keeps the last lines a child wrote to stderr, to explain a failure. */
export function tailStderr(child: ChildProcess, keep = 20): () => string {
  const lines: string[] = [];
  if (child.stderr) {
    createInterface({ input: child.stderr }).on("line", (line) => {
      lines.push(line);
      if (lines.length > keep) lines.shift();
    });
  }
  return () => lines.join("\n");
}

/** SIGTERM, then SIGKILL if it lingers. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Ports free at the time of asking, all different: each is held open until all are found, or
 * the system may hand out the same port twice.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(servers.map((server) => new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        if (!address || typeof address === "string") reject(new Error("no port"));
        else resolve(address.port);
      });
    })));
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
