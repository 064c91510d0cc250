import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../src/config.ts";
import { startTestServer } from "../src/testing/test-server.ts";

test("the demo is served in development, and in production only when asked for", () => {
  assert.equal(loadConfig({}).demo, true);
  assert.equal(loadConfig({ NODE_ENV: "production", AUTH_SECRET: "s" }).demo, false);
  assert.equal(loadConfig({ NODE_ENV: "production", AUTH_SECRET: "s", DEMO: "on" }).demo, true);
  assert.equal(loadConfig({ DEMO: "off" }).demo, false);
});

test("with DEMO=off nothing is served at /", async () => {
  const server = await startTestServer({ DEMO: "off" });
  try {
    assert.equal((await fetch(`${server.httpUrl}/`)).status, 404);
    assert.equal((await fetch(`${server.httpUrl}/healthz`)).status, 200);
  } finally {
    await server.close();
  }
});
