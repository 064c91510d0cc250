/**
 * The embedded PostgreSQL (PGlite) on a worker thread. PGlite runs its queries synchronously on
 * the thread that owns it; on Parley's event loop every memory lookup and chat-log batch stalled
 * the replies streaming beside it (a first-chunk p95 of 45-50 ms with one player, BENCHMARKS.md).
 * On its own thread the database takes the machine's other core and the event loop stays free.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { Worker } from "node:worker_threads";
import { claimFolder } from "./embedded-folder-lock.ts";
import { portableError, type PortableError } from "./portable-error.ts";
import type { SqlClient } from "./sql.ts";

export type WorkerRequest =
  | { type: "query"; id: number; text: string; params: unknown[] | undefined }
  | { type: "close" };


export type WorkerReply =
  | { type: "ready" }
  | { type: "failed"; error: PortableError }
  | { type: "result"; id: number; rows?: Record<string, unknown>[]; error?: PortableError }
  | { type: "closed"; error?: PortableError };

export interface EmbeddedPostgresThread extends SqlClient {
  close(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** V8 flags set before PGlite compiles; the default is `EMBEDDED_WASM_FLAGS`. For benchmarks. */
  wasmFlags?: string;
}

export async function openEmbeddedPostgresInWorker(dataDir: string, options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgresThread> {
  const folder = resolve(dataDir);
  // One worker per folder in this process: PGlite takes no lock of its own, and the lock file names
  // the process, which a second worker of the same process would share.
  const unclaim = claimFolder(folder);
  try {
    if (!existsSync(join(folder, "PG_VERSION"))) await createInChildProcess(folder);
  } catch (err) {
    unclaim();
    throw err;
  }
  const worker = startWorker(folder, options.wasmFlags ?? EMBEDDED_WASM_FLAGS);
  const pending = new Map<number, { resolve: (rows: Record<string, unknown>[]) => void; reject: (err: Error) => void }>();
  let nextId = 0;
  let onClosed: ((reply: Extract<WorkerReply, { type: "closed" }>) => void) | undefined;
  let failure: Error | undefined;

  const failAll = (err: Error): void => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const ready = new Promise<void>((resolveReady, rejectReady) => {
    worker.on("message", (reply: WorkerReply) => {
      switch (reply.type) {
        case "ready": return resolveReady();
        case "failed": return rejectReady(toError(reply.error));
        case "closed": return onClosed?.(reply);
        case "result": {
          const p = pending.get(reply.id);
          pending.delete(reply.id);
          if (reply.error) p?.reject(toError(reply.error));
          else p?.resolve(reply.rows ?? []);
        }
      }
    });
    worker.on("error", (err) => { rejectReady(err); failAll(err); });
    worker.on("exit", (code) => {
      unclaim();
      const err = new Error(`embedded PostgreSQL worker exited (code ${code})`);
      rejectReady(err);
      failAll(err);
    });
  });
  try {
    await ready;
  } catch (err) {
    await worker.terminate();
    throw err;
  }

  return {
    query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }> {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<{ rows: R[] }>((resolveQuery, rejectQuery) => {
        pending.set(id, { resolve: (rows) => resolveQuery({ rows: rows as R[] }), reject: rejectQuery });
        worker.postMessage({ type: "query", id, text, params } satisfies WorkerRequest);
      });
    },
    async close(): Promise<void> {
      if (failure) return;
      const closed = new Promise<Extract<WorkerReply, { type: "closed" }>>((r) => { onClosed = r; });
      worker.postMessage({ type: "close" } satisfies WorkerRequest);
      const reply = await closed;
      await worker.terminate();
      if (reply.error) throw toError(reply.error);
    },
  };
}

export interface WorkerData {
  dataDir: string;
}

/**
 * The worker's V8 young generation, in MB. Its JavaScript only relays queries and rows, so it lives
 * in a few MB; V8's default sizes the nursery for a main thread and kept about 27 MB of it resident
 * while idle. Memory writes and recalls took the same time with 2 (loadtest/embedded-memory-bench.ts).
 */
const WORKER_YOUNG_GENERATION_MB = 2;

/**
 * PostgreSQL compiled by V8's baseline compiler only. Its optimising tier kept another 50-70 MB of
 * machine code and compiler memory resident for the life of the process, and bought nothing
 * measurable: memory writes and recalls took the same time without it
 * (loadtest/embedded-memory-bench.ts compares the two in one run). V8 reads its flags when a
 * module is compiled, and PGlite is the only WebAssembly Parley compiles after start.
 */
export const EMBEDDED_WASM_FLAGS = "--liftoff-only";

function startWorker(dataDir: string, wasmFlags: string): Worker {
  v8.setFlagsFromString(wasmFlags);
  return new Worker(new URL("./embedded-postgres-worker.ts", import.meta.url), {
    workerData: { dataDir } satisfies WorkerData,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
}

/** Creating a database takes a few seconds; a child that hangs is stopped, and the start fails. */
const CREATE_DEADLINE_MS = 120_000;

/**
 * Creating a database runs initdb in a second PGlite, with a WASM heap and compiled code of its
 * own. Neither a collection nor an ended worker thread gives that memory back to the system: a
 * first start idled 60-110 MB above a restart. A child process gives it all back when it exits,
 * for one more PGlite start (about a second) on the first run only.
 */
async function createInChildProcess(folder: string): Promise<void> {
  const script = fileURLToPath(new URL("./create-embedded-postgres.ts", import.meta.url));
  const child = spawn(process.execPath, [script, folder], { stdio: ["ignore", "ignore", "pipe"], timeout: CREATE_DEADLINE_MS });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (text: string) => { stderr += text; });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolveExit, rejectExit) => {
    child.on("error", rejectExit);
    child.on("close", (exitCode, exitSignal) => resolveExit([exitCode, exitSignal]));
  });
  if (code === 0) return;
  const reported = reportedError(stderr);
  if (reported) throw toError(reported);
  throw new Error(`embedded PostgreSQL: creating the database in ${folder} failed (${signal ? `killed by ${signal}` : `exit code ${code}`})${stderr ? `: ${stderr.trim().slice(-500)}` : ""}`);
}

/** The child's one JSON line, if it wrote one (a crash writes a stack instead). */
function reportedError(stderr: string): PortableError | undefined {
  const line = /^\{.*\}$/m.exec(stderr)?.[0];
  try {
    return line === undefined ? undefined : portableError(JSON.parse(line));
  } catch {
    return undefined;
  }
}

function toError(e: PortableError): Error {
  return Object.assign(new Error(e.message), e.code ? { code: e.code } : {});
}
