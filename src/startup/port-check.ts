/**
 * Whether this process can listen on host:port, asked before the stores open: Colyseus' listen
 * neither rejects nor exits on EADDRINUSE (the process logs a stack and stays up, serving nothing).
 */
import { createServer } from "node:net";
import { describeError, StartupError } from "./startup-error.ts";

export function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (err) => {
      reject(new StartupError("PORT", `cannot listen on ${host}:${port} (${describeError(err)})`,
        "stop what listens there (another Parley?) or choose another PORT"));
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
