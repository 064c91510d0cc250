import { test } from "node:test";
import assert from "node:assert/strict";
import { numberAtLeast, positiveList } from "./cli-numbers.ts";

test("a list flag takes positive numbers and names the one it refuses", () => {
  assert.deepEqual(positiveList("sessions", "100, 500,1000"), [100, 500, 1000]);
  assert.throws(() => positiveList("sessions", "100,0"), /--sessions: "0" is not a positive number/);
  assert.throws(() => positiveList("sessions", "100,lots"), /--sessions: "lots"/);
});

test("a number flag takes its minimum and refuses below it", () => {
  assert.equal(numberAtLeast("warmup-seconds", "0", 0), 0);
  assert.equal(numberAtLeast("processes", "4"), 4);
  assert.throws(() => numberAtLeast("processes", "0"), /--processes must be a number >= 1/);
  assert.throws(() => numberAtLeast("processes", "two"), /--processes/);
});
