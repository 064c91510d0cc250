import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { freePort, startParleyProcess } from "../testing/process-cluster.ts";
import { probeModelEndpoint } from "./model-probe.ts";

/** A model server answering GET /v1/models with `status` and `body`, recording what it was sent. */
async function modelServer(status: number, body: unknown): Promise<{ baseUrl: string; seen: { url?: string; auth?: string }[]; server: Server }> {
  const seen: { url?: string; auth?: string }[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url, auth: req.headers.authorization });
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen, server };
}

test("an endpoint listing the model passes, asked once with the key", async (t) => {
  const { baseUrl, seen, server } = await modelServer(200, { object: "list", data: [{ id: "llama3.1:latest" }] });
  t.after(() => server.close());
  const result = await probeModelEndpoint({ baseUrl, apiKey: "sk-test", model: "llama3.1" });
  assert.equal(result.ok, true);
  assert.deepEqual(seen, [{ url: "/v1/models", auth: "Bearer sk-test" }]);
});

test("a closed port is reported with the connection error and what to do, within the timeout", async () => {
  const port = await freePort();
  const result = await probeModelEndpoint({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: undefined, model: "m" }, 1_000);
  assert.equal(result.ok, false);
  assert.ok(!result.ok && /ECONNREFUSED/.test(result.problem), JSON.stringify(result));
  assert.ok(!result.ok && /localhost is the container/.test(result.fix));
  assert.ok(result.ms < 1_000);
});

test("a refused key, a missing version path and a missing model each say what to fix", async (t) => {
  const cases = [
    { status: 401, body: { error: "bad key" }, fix: /OPENAI_API_KEY/ },
    { status: 404, body: {}, fix: /\/v1/ },
    { status: 200, body: { data: [{ id: "qwen2.5" }] }, fix: /OPENAI_MODEL/ },
  ];
  for (const c of cases) {
    const { baseUrl, server } = await modelServer(c.status, c.body);
    t.after(() => server.close());
    const result = await probeModelEndpoint({ baseUrl, apiKey: undefined, model: "llama3.1" });
    assert.ok(!result.ok && c.fix.test(result.fix), `${c.status}: ${JSON.stringify(result)}`);
  }
});

test("the server starts with its model endpoint down, and says so loudly before it listens", async (t) => {
  const closed = await freePort();
  const parley = await startParleyProcess({
    name: "probe", baseEnv: { PATH: process.env.PATH },
    env: { LOG_LEVEL: "info", OPENAI_BASE_URL: `http://127.0.0.1:${closed}/v1` },
  });
  t.after(async () => { await parley.stop("SIGKILL"); });
  const warning = parley.logs.findIndex((line) => line.includes("MODEL ENDPOINT NOT READY") && line.includes("ECONNREFUSED"));
  const listening = parley.logs.findIndex((line) => line.includes("Parley listening"));
  assert.ok(warning >= 0, parley.logs.join("\n"));
  assert.equal(JSON.parse(parley.logs[warning]!).level, 40, "logged as a warning");
  assert.ok(warning < listening, "warned before listening");
});
