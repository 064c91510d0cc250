/**
 * Joins to a saturated process are refused at matchmaking, at once, with 503 `server/saturated`,
 * behind a real Parley server and the Colyseus SDK; once the load passes, joins are taken again.
 * The server runs in this test's process, so blocking this event loop saturates it.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Client } from "@colyseus/sdk";
import { startTestServer, type TestServer } from "../testing/test-server.ts";
import { TestPlayer } from "../testing/test-player.ts";
import { until } from "../testing/until.ts";

async function joinRefused(server: TestServer, user: string): Promise<{ code?: number; message?: string; ms: number }> {
  const client = new Client(server.wsUrl);
  client.auth.token = await server.tokenFor(user);
  const started = Date.now();
  try {
    const room = await client.joinOrCreate("ai_character", { character_id: 1, session_id: `join-${user}` });
    await room.leave(true);
    return { ms: Date.now() - started };
  } catch (err) {
    const { code, message } = err as { code?: number; message?: string };
    return { code, message, ms: Date.now() - started };
  }
}

async function refusedCount(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
  return Number(/^parley_joins_refused_total (\d+)/m.exec(text)?.[1]);
}

describe("JOIN_MAX_PLAYERS", () => {
  let server: TestServer;
  after(async () => { await server?.close(); });

  it("the third player of a process capped at two is refused at once, and seated when one leaves", async () => {
    server = await startTestServer({ JOIN_MAX_PLAYERS: "2" });
    const a = await TestPlayer.join(server.wsUrl, await server.tokenFor("a"), { character_id: 1, session_id: "cap-a" });
    const b = await TestPlayer.join(server.wsUrl, await server.tokenFor("b"), { character_id: 1, session_id: "cap-b" });
    const refused = await joinRefused(server, "c");
    assert.equal(refused.code, 503);
    assert.match(refused.message ?? "", /^server\/saturated: /);
    assert.ok(refused.ms < 1_000, `refused in ${refused.ms} ms`);
    assert.equal(await refusedCount(server), 1);

    await a.leave();
    await until(() => [...server.services.liveRooms].reduce((n, r) => n + r.players(), 0) < 2, "a's seat given back");
    const seated = await joinRefused(server, "c");
    assert.equal(seated.code, undefined, `seated once a player left: ${seated.message}`);
    await b.leave();
  });
});

describe("JOIN_MAX_EVENT_LOOP_DELAY_MS", () => {
  let server: TestServer;
  after(async () => { await server?.close(); });

  it("a process whose event loop ran 600 ms late refuses the join; two seconds later it takes it", async () => {
    server = await startTestServer({ JOIN_MAX_EVENT_LOOP_DELAY_MS: "300" });
    const before = await joinRefused(server, "early");
    assert.equal(before.code, undefined, `a calm process seats the player: ${before.message}`);

    const until = performance.now() + 600;
    while (performance.now() < until) { /* the process is saturated */ }
    const refused = await joinRefused(server, "during");
    assert.equal(refused.code, 503);
    assert.match(refused.message ?? "", /^server\/saturated: this process is running \d+ ms behind/);
    assert.ok(refused.ms < 1_000, `refused in ${refused.ms} ms`);

    // Deliberately waits out the lag monitor's windows: the blocked loop must be forgotten.
    await new Promise((r) => setTimeout(r, 2_200));
    const later = await joinRefused(server, "later");
    assert.equal(later.code, undefined, `seated once the load passed: ${later.message}`);
  });
});
