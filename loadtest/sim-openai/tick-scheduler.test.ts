import assert from "node:assert/strict";
import { test } from "node:test";
import { TickScheduler } from "./tick-scheduler.ts";

test("runs due jobs in slot order and reschedules them until they finish", () => {
  let now = 1000;
  const scheduler = new TickScheduler({ tickMs: 5, now: () => now });
  const runs: string[] = [];
  let remaining = 3;
  scheduler.schedule((at) => {
    runs.push(`repeat@${at}`);
    return --remaining > 0 ? at + 10 : null;
  }, 1010);
  scheduler.schedule((at) => {
    runs.push(`once@${at}`);
    return null;
  }, 1003);
  scheduler.schedule(() => {
    throw new Error("a broken job is dropped");
  }, 1001);
  assert.equal(scheduler.size, 3);

  scheduler.runDue();
  assert.deepEqual(runs, []);
  now = 1005;
  scheduler.runDue();
  assert.deepEqual(runs, ["once@1005"]);
  now = 1040;
  scheduler.runDue();
  // Work rescheduled during a drain lands in a later slot, so one pass runs it once.
  assert.deepEqual(runs, ["once@1005", "repeat@1040"]);
  scheduler.runDue();
  now = 1045;
  scheduler.runDue();
  assert.equal(runs.length, 2);
  now = 1050;
  scheduler.runDue();
  now = 1075;
  scheduler.runDue();
  assert.deepEqual(runs, ["once@1005", "repeat@1040", "repeat@1050", "repeat@1075"]);
  assert.equal(scheduler.size, 0);
  scheduler.close();
});
