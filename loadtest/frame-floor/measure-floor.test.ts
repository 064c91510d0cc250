import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { measureFrameFloor } from "./measure-floor.ts";
import { frameAgeMs, stampFrame } from "./stamp.ts";

test("a stamped frame has the asked size and a small, non-negative age", () => {
  const frame = stampFrame(48);
  assert.equal(frame.length, 48);
  const age = frameAgeMs(frame);
  assert.ok(age >= 0 && age < 1000, `age ${age} ms`);
  assert.equal(stampFrame(2).length, 8, "a frame always has room for its stamp");
});

test("the receivers time the frames the push server sends, in other processes", async () => {
  const r = await measureFrameFloor({
    framesPerSecond: 400, connections: 20, receiverProcesses: 2, frameBytes: 48,
    warmupMs: 300, windowMs: 1500, cwd: fileURLToPath(new URL("../..", import.meta.url)),
  });
  assert.equal(r.errors, 0);
  // The server keeps its rate on a 10 ms tick; a loaded test machine may lag a little.
  assert.ok(r.received > 200 && r.received < 600, `received ${r.received} frames/s of 400`);
  assert.ok(r.ages.p50 >= 0 && r.ages.p99 < 1000, `ages ${JSON.stringify(r.ages)}`);
});
