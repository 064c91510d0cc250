/** Test support: runs real Parley processes (as `npm start` would) so tests can exercise several at once. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The project's own Node, not whatever is first on PATH. */
const NODE_BIN = fileURLToPath(new URL("../../node_modules/.bin/node", import.meta.url));
const READY_MESSAGE = "Parley listening";

export interface StartOptions {
  /** Merged over `baseEnv`; PORT is always set from `port`. */
  env?: Record<string, string>;
  /** A free port is picked when omitted. */
  port?: number;
  /** Names the process in errors. */
  name?: string;
  /** The environment the child inherits; the parent's by default. */
  baseEnv?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Milliseconds from the signal to the process exiting. */
  ms: number;
}

/** A pino line parsed, or undefined for anything else (stderr, stack traces). */
export type LogEntry = Record<string, unknown> | undefined;

export interface ParleyProcess {
  name: string;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  child: ChildProcess;
  /** Every stdout and stderr line so far. */
  logs: string[];
  /** Resolves with the first line (already seen or to come) that matches. */
  waitForLog(match: (entry: LogEntry, line: string) => boolean, timeoutMs: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<ExitResult>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no port assigned"))));
    });
  });
}

function parseLine(line: string): LogEntry {
  if (!line.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export async function startParleyProcess(options: StartOptions = {}): Promise<ParleyProcess> {
  const port = options.port ?? (await freePort());
  const name = options.name ?? `parley-${port}`;
  const child = spawn(NODE_BIN, ["src/index.ts"], {
    cwd: REPO_ROOT,
    // A process of its own gets a data folder of its own: the embedded database is one process's.
    env: { DATA_DIR: mkdtempSync(join(tmpdir(), "parley-proc-")), ...(options.baseEnv ?? process.env), ...options.env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });

  const logs: string[] = [];
  const listeners = new Set<(entry: LogEntry, line: string) => void>();
  const onLine = (line: string) => {
    logs.push(line);
    const entry = parseLine(line);
    for (const listener of [...listeners]) listener(entry, line);
  };
  createInterface({ input: child.stdout! }).on("line", onLine);
  createInterface({ input: child.stderr! }).on("line", onLine);

  const exited = new Promise<Omit<ExitResult, "ms">>((resolve) => {
    child.once("close", (code, signal) => resolve({ code, signal }));
    child.once("error", (err) => { logs.push(`spawn error: ${err.message}`); resolve({ code: null, signal: null }); });
  });
  let hasExited = false;
  void exited.then(() => { hasExited = true; });

  const waitForLog: ParleyProcess["waitForLog"] = (match, timeoutMs) =>
    new Promise((resolve, reject) => {
      const seen = logs.find((line) => match(parseLine(line), line));
      if (seen !== undefined) return resolve(seen);
      const finish = (err: Error | undefined, line?: string) => {
        clearTimeout(timer);
        listeners.delete(listener);
        if (err) reject(err); else resolve(line!);
      };
      const output = () => `\n--- ${name} output ---\n${logs.join("\n")}`;
      const listener = (entry: LogEntry, line: string) => { if (match(entry, line)) finish(undefined, line); };
      const timer = setTimeout(() => finish(new Error(`${name}: no matching log line within ${timeoutMs} ms${output()}`)), timeoutMs);
      listeners.add(listener);
      void exited.then(({ code, signal }) => finish(new Error(`${name} exited (code ${code}, signal ${signal})${output()}`)));
    });

  const stop = async (signal: NodeJS.Signals = "SIGTERM"): Promise<ExitResult> => {
    const startedAt = performance.now();
    if (!hasExited) child.kill(signal);
    const result = await exited;
    return { ...result, ms: Math.round(performance.now() - startedAt) };
  };

  try {
    await waitForLog((entry) => typeof entry?.msg === "string" && entry.msg.includes(READY_MESSAGE), options.readyTimeoutMs ?? 20_000);
  } catch (err) {
    await stop("SIGKILL");
    throw err;
  }
  return { name, port, url: `http://127.0.0.1:${port}`, child, logs, waitForLog, stop };
}
