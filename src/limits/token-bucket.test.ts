import assert from "node:assert/strict";
import { it } from "node:test";
import { TokenBucket } from "./token-bucket.ts";

it("allows a burst, refuses past it, and refills with time", () => {
  let now = 0;
  const bucket = new TokenBucket(3, 2, () => now);
  assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
  now += 499;
  assert.equal(bucket.take(), false);
  now += 1;
  assert.equal(bucket.take(), true);
  now += 60_000;
  assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false], "never more than the burst");
});
