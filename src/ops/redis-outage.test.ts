/**
 * Redis goes away and comes back (a TCP proxy in front of the real one drops every connection and
 * refuses new ones for a few seconds). While it is gone /readyz says 503 and names Redis, and
 * nothing rejects unhandled (which ends a real process with exit 1); once it is back, a new join
 * succeeds within seconds and the room that lived through it still gets replies.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { startSimOpenAI, type SimOpenAI } from "../../loadtest/sim-openai/server.ts";
import { TcpProxy } from "../testing/tcp-proxy.ts";
import { startTestServer, type TestServer } from "../testing/test-server.ts";
import { TestPlayer } from "../testing/test-player.ts";

const REDIS = new URL(process.env.PARLEY_TEST_REDIS_URL ?? "redis://127.0.0.1:6379");
const DB = 8;
const OUTAGE_MS = 3000;
/** How soon after Redis returns a join must work again. */
const RECOVERY_BUDGET_MS = 5000;

let sim: SimOpenAI;
let proxy: TcpProxy;
let server: TestServer;
const unhandled: unknown[] = [];
const recordUnhandled = (err: unknown) => { unhandled.push(err); };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const join = async (user: string, session_id: string) =>
  TestPlayer.join(server.wsUrl, await server.tokenFor(user), { character_id: 1, session_id });
async function readyz(): Promise<{ status: number; checks: Record<string, string> }> {
  const res = await fetch(`${server.httpUrl}/readyz`);
  return { status: res.status, checks: ((await res.json()) as { checks: Record<string, string> }).checks };
}
before(async () => {
  process.on("unhandledRejection", recordUnhandled);
  const direct = new Redis(`redis://${REDIS.host}/${DB}`);
  await direct.flushdb();
  await direct.quit();
  sim = await startSimOpenAI({ firstTokenMs: 0, tokensPerSecond: 0, replyTokens: 3, log: "silent" });
  proxy = new TcpProxy(REDIS.hostname, Number(REDIS.port || 6379));
  await proxy.start();
  server = await startTestServer({
    REDIS_URL: `redis://127.0.0.1:${proxy.port}/${DB}`, OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim",
    RECONNECT_SECONDS: "0", MODERATION_HOLDBACK: "false",
  });
});

after(async () => {
  await proxy.start();
  await server?.close();
  await proxy.stop();
  await sim?.close();
  process.off("unhandledRejection", recordUnhandled);
});

describe("a Redis outage", () => {
  it("is reported by /readyz, is survived, and joins work again within seconds of Redis returning", async () => {
    const stayer = await join("stayer", `outage-stay-${process.pid}`);
    const leaver = await join("leaver", `outage-leave-${process.pid}`);
    assert.equal((await stayer.say("[[say:Before.]]")).full_content, "Before.");
    assert.equal((await readyz()).status, 200);

    await proxy.stop();
    const outageStarted = Date.now();
    // A room disposed during the outage: its listing, stats and channels cannot be written.
    await leaver.leave();

    let during = await readyz();
    while (during.status === 200 && Date.now() - outageStarted < 2500) {
      await sleep(100);
      during = await readyz();
    }
    assert.equal(during.status, 503, "readyz says not ready while Redis is gone");
    assert.notEqual(during.checks.redis, "ok", `the reason is named: ${JSON.stringify(during.checks)}`);

    const refused = Date.now();
    await assert.rejects(join("during", `outage-during-${process.pid}`));
    assert.ok(Date.now() - refused < 5000, "a join during the outage fails, it does not hang");

    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStarted)));
    await proxy.start();
    const back = Date.now();

    let joined: TestPlayer | undefined;
    for (let attempt = 0; !joined && Date.now() - back < RECOVERY_BUDGET_MS; attempt++) {
      joined = await join(`after-${attempt}`, `outage-after-${process.pid}-${attempt}`).catch(() => undefined);
      if (!joined) await sleep(100);
    }
    const recoveredMs = Date.now() - back;
    assert.ok(joined, `a new join succeeds within ${RECOVERY_BUDGET_MS} ms of Redis returning`);
    console.log(`# joined again ${recoveredMs} ms after Redis returned`);

    assert.equal((await stayer.say("[[say:After.]]")).full_content, "After.", "the room that lived through it still replies");
    assert.equal((await joined.say("[[say:New.]]")).full_content, "New.");
    // The room disposed during the outage left no listing behind to send its session's joins to.
    const returning = await join("leaver", `outage-leave-${process.pid}`);
    assert.notEqual(returning.room.roomId, leaver.room.roomId);
    assert.equal((await returning.say("[[say:Again.]]")).full_content, "Again.");

    let ready = await readyz();
    while (ready.status !== 200 && Date.now() - back < RECOVERY_BUDGET_MS) {
      await sleep(100);
      ready = await readyz();
    }
    assert.equal(ready.status, 200, `readyz recovers: ${JSON.stringify(ready.checks)}`);
    assert.deepEqual(unhandled.map((e) => (e as Error)?.message ?? String(e)), [], "nothing rejected unhandled");
    await Promise.all([stayer.leave(), joined.leave(), returning.leave()]);
  });
});
