import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bucketDelta, bucketQuantileMs, parseOwnShareBuckets } from "./own-share.ts";

const reading = (counts: [string, number][]) => counts
  .map(([le, n]) => `parley_first_chunk_own_seconds_bucket{le="${le}"} ${n}`).join("\n");

describe("own share from /metrics", () => {
  it("takes what was observed between two readings, over every process, as bucket bounds in ms", () => {
    const before = [parseOwnShareBuckets(reading([["0.0005", 10], ["0.001", 10], ["0.005", 10], ["+Inf", 10]]))];
    const after = [
      parseOwnShareBuckets(`# HELP x\n${reading([["0.0005", 60], ["0.001", 100], ["0.005", 109], ["+Inf", 110]])}\nparley_other 3`),
      parseOwnShareBuckets(reading([["0.0005", 0], ["0.001", 0], ["0.005", 0], ["+Inf", 0]])),
    ];
    const delta = bucketDelta(before, after);
    assert.equal(delta.get(Infinity), 100);
    assert.equal(bucketQuantileMs(delta, 0.5), 0.5);
    assert.equal(bucketQuantileMs(delta, 0.9), 1);
    assert.equal(bucketQuantileMs(delta, 0.99), 5);
    assert.equal(bucketQuantileMs(delta, 1), Infinity);
  });

  it("has no quantile when nothing was observed", () => {
    assert.equal(bucketQuantileMs(new Map(), 0.5), null);
  });
});
