import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type AddressInfo } from "node:net";
import { freePort, startParleyProcess } from "./process-cluster.ts";

test("freePort returns a port that can be listened on", async () => {
  const port = await freePort();
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
  assert.equal((server.address() as AddressInfo).port, port);
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test("starts a Parley process, serves /healthz, and on SIGTERM shuts itself down with exit code 0", async (t) => {
  const port = await freePort();
  const parley = await startParleyProcess({
    name: "solo",
    port,
    env: { LOG_LEVEL: "info", AUTH_SECRET: "x".repeat(32), NODE_ENV: "development" },
  });
  t.after(async () => { await parley.stop("SIGKILL"); });

  assert.equal(parley.port, port);
  assert.ok(parley.logs.some((line) => line.includes("Parley listening")));
  const res = await fetch(`${parley.url}/healthz`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { ok: true });

  const exit = await parley.stop();
  t.diagnostic(`exit after SIGTERM: code=${exit.code} signal=${exit.signal} in ${exit.ms} ms`);
  // Killed by the signal (no handler) would be code null, signal SIGTERM; a failed shutdown, code 1.
  assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
  // Colyseus exits 0 even when closing the services threw; it only prints the error.
  assert.deepEqual(parley.logs.filter((line) => /error during shutdown/.test(line)), []);
});

test("rejects with the collected output when the process dies before listening", async () => {
  await assert.rejects(
    startParleyProcess({ name: "broken", env: { LOG_LEVEL: "info", NODE_ENV: "production", AUTH_SECRET: "" } }),
    (err: Error) => /broken exited/.test(err.message) && /AUTH_SECRET: required when NODE_ENV=production/.test(err.message),
  );
});
