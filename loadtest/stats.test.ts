import assert from "node:assert/strict";
import { it } from "node:test";
import { percentiles } from "./stats.ts";

it("takes nearest-rank percentiles", () => {
  const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
  assert.deepEqual(percentiles(samples, [50, 99, 100]), { 50: 50, 99: 99, 100: 100 });
  assert.ok(Number.isNaN(percentiles([], [50])[50]));
});
