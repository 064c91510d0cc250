import { test } from "node:test";
import assert from "node:assert/strict";
import { vectorBinary, vectorLiteral, vectorParams } from "./pgvector-params.ts";

test("the binary form is the dimension count, two zero bytes, then big-endian float32s", () => {
  const bytes = vectorBinary([1, -0.5]);
  assert.deepEqual([...bytes], [0, 2, 0, 0, 0x3f, 0x80, 0, 0, 0xbf, 0, 0, 0]);
});

test("each form encodes a shared vector once", () => {
  const vector = [0.25, 0.5];
  assert.equal(vectorBinary(vector), vectorBinary(vector));
  assert.equal(vectorLiteral(vector), "[0.25,0.5]");
  assert.equal(vectorParams("text"), vectorLiteral);
  assert.equal(vectorParams("binary"), vectorBinary);
});
