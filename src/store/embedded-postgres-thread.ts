/**
 * The embedded PostgreSQL (PGlite) on a worker thread. PGlite runs its queries synchronously on
 * the thread that owns it; on Parley's event loop every memory lookup and chat-log batch stalled
 * the replies streaming beside it (a first-chunk p95 of 45-50 ms with one player, BENCHMARKS.md).
 * On its own thread the database takes the machine's other core and the event loop stays free.
 */
import { Worker } from "node:worker_threads";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { claimFolder } from "./embedded-postgres.ts";
import type { SqlClient } from "./sql.ts";

export type WorkerRequest =
  | { type: "query"; id: number; text: string; params: unknown[] | undefined }
  | { type: "close" };

type WorkerError = { message: string; code?: string };

export type WorkerReply =
  | { type: "ready" }
  | { type: "failed"; error: WorkerError }
  | { type: "result"; id: number; rows?: Record<string, unknown>[]; error?: WorkerError }
  | { type: "closed"; error?: WorkerError };

export interface EmbeddedPostgresThread extends SqlClient {
  close(): Promise<void>;
}

export async function openEmbeddedPostgresInWorker(dataDir: string): Promise<EmbeddedPostgresThread> {
  const folder = resolve(dataDir);
  // One worker per folder in this process: PGlite takes no lock of its own, and the lock file names
  // the process, which a second worker of the same process would share.
  const unclaim = claimFolder(folder);
  try {
    if (!existsSync(join(folder, "PG_VERSION"))) await createInWorker(folder);
  } catch (err) {
    unclaim();
    throw err;
  }
  const worker = startWorker(folder, false);
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
  /** Create the database, close it and stop, without serving queries. */
  createOnly: boolean;
}

/**
 * The worker's V8 young generation, in MB. Its JavaScript only relays queries and rows, so it lives
 * in a few MB; V8's default sizes the nursery for a main thread and kept about 27 MB of it resident
 * while idle. Memory writes and recalls took the same time with 2 (loadtest/embedded-memory-bench.ts).
 */
const WORKER_YOUNG_GENERATION_MB = 2;

function startWorker(dataDir: string, createOnly: boolean): Worker {
  return new Worker(new URL("./embedded-postgres-worker.ts", import.meta.url), {
    workerData: { dataDir, createOnly } satisfies WorkerData,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
}

/**
 * Creating a database runs initdb in a second PGlite, with a WASM heap and compiled code of its
 * own. Left in the serving thread, that garbage stays until V8's next collection, which an idle
 * server never reaches: a first start idled near 300 MB above a restart. A thread that ends gives
 * it all back, for one more PGlite start (about a second) on the first run only.
 */
async function createInWorker(folder: string): Promise<void> {
  const worker = startWorker(folder, true);
  try {
    await new Promise<void>((resolveCreated, rejectCreated) => {
      worker.on("message", (reply: WorkerReply) => {
        if (reply.type === "closed") return reply.error ? rejectCreated(toError(reply.error)) : resolveCreated();
        if (reply.type === "failed") rejectCreated(toError(reply.error));
      });
      worker.on("error", rejectCreated);
      worker.on("exit", (code) => rejectCreated(new Error(`embedded PostgreSQL worker exited (code ${code}) while creating the database`)));
    });
  } finally {
    await worker.terminate();
  }
}

function toError(e: WorkerError): Error {
  return Object.assign(new Error(e.message), e.code ? { code: e.code } : {});
}
