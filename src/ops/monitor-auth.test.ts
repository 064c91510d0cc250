import { test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import express, { type Request, type Response } from "express";
import { monitorAuth, monitorMode, parseBasicAuth } from "./monitor-auth.ts";

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

interface Outcome { passed: boolean; status?: number; headers: Record<string, string> }

function run(handler: ReturnType<typeof monitorAuth>, { authorization, remoteAddress = "203.0.113.9" }: { authorization?: string; remoteAddress?: string }): Outcome {
  const outcome: Outcome = { passed: false, headers: {} };
  const req = { headers: authorization ? { authorization } : {}, socket: { remoteAddress } };
  const res = {
    setHeader(name: string, value: string) { outcome.headers[name.toLowerCase()] = value; return res; },
    status(code: number) { outcome.status = code; return res; },
    type() { return res; },
    send() { return res; },
  };
  handler(req as unknown as Request, res as unknown as Response, () => { outcome.passed = true; });
  return outcome;
}

test("monitorMode: password means auth; without one, loopback in development and off in production", () => {
  assert.equal(monitorMode({ password: "s3cret", production: true }), "auth");
  assert.equal(monitorMode({ password: "s3cret", production: false }), "auth");
  assert.equal(monitorMode({ password: undefined, production: false }), "loopback");
  assert.equal(monitorMode({ password: "", production: false }), "loopback");
  assert.equal(monitorMode({ password: undefined, production: true }), "off");
});

test("parseBasicAuth splits at the first colon and rejects other schemes", () => {
  assert.deepEqual(parseBasicAuth(basic("admin", "a:b")), { user: "admin", password: "a:b" });
  assert.equal(parseBasicAuth("Bearer abc"), undefined);
  assert.equal(parseBasicAuth(undefined), undefined);
  assert.equal(parseBasicAuth(`Basic ${Buffer.from("nocolon").toString("base64")}`), undefined);
});

test("with a password: only the right user and password pass, from anywhere", () => {
  const handler = monitorAuth({ password: "s3cret", production: true });
  assert.equal(run(handler, { authorization: basic("admin", "s3cret") }).passed, true);
  for (const authorization of [undefined, basic("admin", "wrong"), basic("root", "s3cret"), "Bearer s3cret"]) {
    const out = run(handler, { authorization, remoteAddress: "127.0.0.1" });
    assert.equal(out.passed, false);
    assert.equal(out.status, 401);
    assert.equal(out.headers["www-authenticate"], 'Basic realm="parley-monitor"');
  }
});

test("a configured user name replaces admin", () => {
  const handler = monitorAuth({ user: "ops", password: "pw", production: false });
  assert.equal(run(handler, { authorization: basic("ops", "pw") }).passed, true);
  assert.equal(run(handler, { authorization: basic("admin", "pw") }).passed, false);
});

test("without a password in development: loopback clients only", () => {
  const handler = monitorAuth({ production: false });
  for (const remoteAddress of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) {
    assert.equal(run(handler, { remoteAddress }).passed, true, remoteAddress);
  }
  for (const remoteAddress of ["10.0.0.5", "::ffff:10.0.0.5", "127.0.0.2x", ""]) {
    const out = run(handler, { remoteAddress });
    assert.equal(out.passed, false, remoteAddress);
    assert.equal(out.status, 401);
  }
});

test("without a password in production: nobody passes, not even loopback", () => {
  const out = run(monitorAuth({ production: true }), { remoteAddress: "127.0.0.1", authorization: basic("admin", "") });
  assert.equal(out.passed, false);
  assert.equal(out.status, 401);
});

test("guards a real express route", async (t) => {
  const app = express();
  app.use("/monitor", monitorAuth({ password: "s3cret", production: true }), (_req, res) => { res.send("monitor"); });
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/monitor`;

  const none = await fetch(url);
  assert.equal(none.status, 401);
  assert.equal(none.headers.get("www-authenticate"), 'Basic realm="parley-monitor"');
  assert.equal((await fetch(url, { headers: { authorization: basic("admin", "nope") } })).status, 401);
  const ok = await fetch(url, { headers: { authorization: basic("admin", "s3cret") } });
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), "monitor");
});
