/** Start-up only: config -> services -> server -> listen; SIGTERM closes everything. */
import { existsSync } from "node:fs";
import { createServer, DEMO_DIR } from "./app.ts";
import { loadConfig } from "./config.ts";
import { createLogger } from "./logger.ts";
import { installProcessGuard } from "./ops/process-guard.ts";
import { settleHeap } from "./ops/settle-heap.ts";
import { createServices } from "./services.ts";
import { checkPortFree } from "./startup/port-check.ts";
import { StartupError } from "./startup/startup-error.ts";

try {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  await checkPortFree(config.host, config.port);
  const services = await createServices(config, log);
  installProcessGuard({ log, countUnexpected: (where) => services.metrics.countUnexpected(where) });
  const server = await createServer(services);
  server.onShutdown(() => services.close());
  const settled = settleHeap();
  log.info({ ms: Math.round(settled.ms), heap_mb: [Math.round(settled.heapBeforeMb), Math.round(settled.heapAfterMb)] }, "start-up garbage collected");
  await server.listen(config.port, config.host);
  log.info({ port: config.port }, `Parley listening on ws://localhost:${config.port}`);
  if (config.demo) log.info(existsSync(DEMO_DIR) ? `Demo: open http://localhost:${config.port}/` : "Demo not built: run npm run build:demo");
} catch (err) {
  // A setting the operator can fix: one line, no stack. Anything else is a bug and keeps its stack.
  if (!(err instanceof StartupError)) throw err;
  process.stderr.write(`parley: cannot start: ${err.message}\n`);
  process.exit(1);
}
