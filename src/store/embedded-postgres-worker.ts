/**
 * The worker side of `openEmbeddedPostgresInWorker`: owns the PGlite instance and answers
 * queries posted by the main thread, one at a time, as PGlite itself would.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openEmbeddedPostgres } from "./embedded-postgres.ts";
import { portableError } from "./portable-error.ts";
import type { WorkerData, WorkerReply, WorkerRequest } from "./embedded-postgres-thread.ts";

const port = parentPort;
if (!port) throw new Error("embedded-postgres-worker must run as a worker thread");

const { dataDir } = workerData as WorkerData;
const post = (reply: WorkerReply): void => port.postMessage(reply);

try {
  const db = await openEmbeddedPostgres(dataDir);
  port.on("message", (request: WorkerRequest) => {
    if (request.type === "close") {
      void db.close().then(() => post({ type: "closed" }), (err: unknown) => post({ type: "closed", error: portableError(err) }));
      return;
    }
    db.query(request.text, request.params).then(
      (result) => post({ type: "result", id: request.id, rows: result.rows as Record<string, unknown>[] }),
      (err: unknown) => post({ type: "result", id: request.id, error: portableError(err) }),
    );
  });
  post({ type: "ready" });
} catch (err) {
  post({ type: "failed", error: portableError(err) });
}
