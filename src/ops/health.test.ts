import { test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import express from "express";
import { healthzHandler, readinessCheck, readyzHandler } from "./health.ts";

const never = () => new Promise<void>(() => {});

test("readinessCheck is ok when every check resolves", async () => {
  assert.deepEqual(await readinessCheck({ db: async () => {}, redis: async () => {} }, 100), {
    ok: true, checks: { db: "ok", redis: "ok" },
  });
});

test("readinessCheck reports each failure by message, including throws and timeouts", async () => {
  const result = await readinessCheck({
    db: async () => { throw new Error("connection refused"); },
    sync: () => { throw new Error("thrown synchronously"); },
    redis: never,
    model: async () => {},
  }, 20);
  assert.equal(result.ok, false);
  assert.deepEqual(result.checks, {
    db: "connection refused",
    sync: "thrown synchronously",
    redis: "timed out after 20 ms",
    model: "ok",
  });
});

test("readinessCheck runs checks in parallel", async () => {
  const started: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const pending = readinessCheck({
    a: () => { started.push("a"); return gate; },
    b: () => { started.push("b"); return gate; },
  }, 5000);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, ["a", "b"]);
  release();
  assert.equal((await pending).ok, true);
});

test("readinessCheck with no checks is ok", async () => {
  assert.deepEqual(await readinessCheck({}, 10), { ok: true, checks: {} });
});

test("healthz answers 200; readyz answers 200 or 503 with each check", async (t) => {
  let dbUp = true;
  const app = express();
  app.get("/healthz", healthzHandler());
  app.get("/readyz", readyzHandler({
    db: async () => { if (!dbUp) throw new Error("db down"); },
    cache: async () => {},
  }, 100));
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const health = await fetch(`${base}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { ok: true });

  const ready = await fetch(`${base}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { ok: true, checks: { db: "ok", cache: "ok" } });

  dbUp = false;
  const notReady = await fetch(`${base}/readyz`);
  assert.equal(notReady.status, 503);
  assert.deepEqual(await notReady.json(), { ok: false, checks: { db: "db down", cache: "ok" } });
});
