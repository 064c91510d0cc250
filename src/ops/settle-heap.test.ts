import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import { settleHeap } from "./settle-heap.ts";

const youngGenerationBytes = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")!.space_size;

test("the collection gives back the young generation that short-lived garbage grew", () => {
  // Objects that survive a scavenge or two make V8 grow the young generation, as loading code does.
  let keep: unknown[] = [];
  for (let i = 0; i < 400_000; i++) {
    keep.push({ i, text: `item ${i}` });
    if (keep.length > 50_000) keep = [];
  }
  keep = [];
  const grown = youngGenerationBytes();
  const settled = settleHeap();
  assert.ok(youngGenerationBytes() < grown, `young generation ${grown} -> ${youngGenerationBytes()} bytes`);
  assert.ok(settled.heapAfterMb < settled.heapBeforeMb, `committed heap ${settled.heapBeforeMb.toFixed(1)} -> ${settled.heapAfterMb.toFixed(1)} MB`);
});
