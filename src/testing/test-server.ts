/** Starts a real Parley server on a free port for tests, with configuration overrides. */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { matchMaker } from "@colyseus/core";
import { createServer } from "../app.ts";
import { loadConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import { createServices, type Services } from "../services.ts";

export interface TestServer {
  services: Services;
  port: number;
  wsUrl: string;
  httpUrl: string;
  /** A valid token for this user. */
  tokenFor(userId: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "parley-test-"));
  const config = loadConfig({
    DATA_DIR: dataDir,
    NODE_ENV: "test", LOG_LEVEL: process.env.PARLEY_TEST_LOG_LEVEL ?? "silent", PORT: "0",
    HOST: "127.0.0.1", AUTH_SECRET: "test-secret-test-secret-test-secret", ...env,
  });
  const log = createLogger(config.logLevel);
  const services = await createServices(config, log);
  const server = await createServer(services);
  await server.listen(0, "127.0.0.1");
  const address = (server.transport as unknown as { server: { address(): AddressInfo } }).server.address();
  const port = address.port;
  return {
    services, port,
    wsUrl: `ws://127.0.0.1:${port}`,
    httpUrl: `http://127.0.0.1:${port}`,
    tokenFor: (userId) => services.tokens.sign(userId),
    async close() {
      await matchMaker.disconnectAll();
      await server.gracefullyShutdown(false);
      await services.close();
      if (!env.DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
