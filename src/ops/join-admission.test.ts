import { test } from "node:test";
import assert from "node:assert/strict";
import { until } from "../testing/until.ts";
import { EventLoopLag, joinRefusal } from "./join-admission.ts";

const calm = { eventLoopDelayMs: () => 20, players: () => 10 };

test("a join is refused while the loop runs later than the limit, or the process has its players; 0 is off", () => {
  assert.equal(joinRefusal({ maxEventLoopDelayMs: 500, maxPlayers: 100 }, calm), undefined);
  assert.match(joinRefusal({ maxEventLoopDelayMs: 500, maxPlayers: 0 }, { ...calm, eventLoopDelayMs: () => 900 })!, /^server\/saturated: .*900 ms behind/);
  assert.match(joinRefusal({ maxEventLoopDelayMs: 0, maxPlayers: 10 }, calm)!, /^server\/saturated: .*10 players/);
  assert.equal(joinRefusal({ maxEventLoopDelayMs: 0, maxPlayers: 0 }, { eventLoopDelayMs: () => 1e6, players: () => 1e6 }), undefined);
});

test("the lag monitor sees a blocked event loop, and forgets it two windows later", async () => {
  const lag = new EventLoopLag(200);
  try {
    // Deliberately lets the monitor take a calm first sample.
    await new Promise((r) => setTimeout(r, 50));
    const blockedUntil = performance.now() + 300;
    while (performance.now() < blockedUntil) { /* the event loop is blocked */ }
    await until(() => lag.recentMaxMs >= 250, "the stall seen", 100);
    // Two 200 ms windows, and a little for a loaded machine.
    await until(() => lag.recentMaxMs < 250, "the stall forgotten", 500);
  } finally {
    lag.stop();
  }
});
