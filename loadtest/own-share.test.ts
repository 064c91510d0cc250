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
    const before2 = [...before, parseOwnShareBuckets(reading([["0.0005", 0], ["0.001", 0], ["0.005", 0], ["+Inf", 0]]))];
    const { buckets, processesRead } = bucketDelta(before2, after);
    assert.equal(processesRead, 2);
    assert.equal(buckets.get(Infinity), 100);
    assert.equal(bucketQuantileMs(buckets, 0.5), 0.5);
    assert.equal(bucketQuantileMs(buckets, 0.9), 1);
    assert.equal(bucketQuantileMs(buckets, 0.99), 5);
    assert.equal(bucketQuantileMs(buckets, 1), Infinity);
  });

  it("leaves out a process that did not answer at either end, rather than counting it as empty", () => {
    const early = parseOwnShareBuckets(reading([["0.001", 10], ["+Inf", 10]]));
    const late = parseOwnShareBuckets(reading([["0.001", 30], ["+Inf", 40]]));
    // Process 0 answered both times, process 1 only at the end, process 2 only at the start.
    const { buckets, processesRead } = bucketDelta([early, null, early], [late, late, null]);
    assert.equal(processesRead, 1);
    assert.equal(buckets.get(Infinity), 30);
    assert.equal(buckets.get(0.001), 20);
    assert.equal(bucketDelta([null], [null]).processesRead, 0);
    assert.equal(bucketQuantileMs(bucketDelta([null], [null]).buckets, 0.5), null);
  });

  it("has no quantile when nothing was observed", () => {
    assert.equal(bucketQuantileMs(new Map(), 0.5), null);
  });
});
