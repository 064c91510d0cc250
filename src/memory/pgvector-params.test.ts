import { test } from "node:test";
import assert from "node:assert/strict";
import { vectorBinary, vectorLiteral, vectorParams } from "./pgvector-params.ts";

test("the binary form is the dimension count, two zero bytes, then big-endian float32s", () => {
  const bytes = vectorBinary([1, -0.5]);
  assert.deepEqual([...bytes], [0, 2, 0, 0, 0x3f, 0x80, 0, 0, 0xbf, 0, 0, 0]);
});

test("the text form keeps 7 decimal places", () => {
  assert.equal(vectorLiteral([0.25, 0.123456789, -1e-9]), "[0.25,0.1234568,0]");
});

test("each encoding picks its form", () => {
  assert.equal(vectorParams("text")([0.5, 1]), "[0.5,1]");
  assert.deepEqual([...(vectorParams("binary")([1]) as Buffer)], [0, 1, 0, 0, 0x3f, 0x80, 0, 0]);
});

test("each form encodes a shared vector once: the second use does no per-dimension work", (t) => {
  const vector = [0.25, 0.5, 0.75];
  const rounds = t.mock.method(Math, "round");
  const literal = vectorLiteral(vector);
  assert.equal(rounds.mock.callCount(), vector.length);
  assert.equal(vectorLiteral(vector), literal);
  assert.equal(rounds.mock.callCount(), vector.length);

  const floats = t.mock.method(Buffer.prototype, "writeFloatBE");
  const binary = vectorBinary(vector);
  assert.equal(floats.mock.callCount(), vector.length);
  assert.equal(vectorBinary(vector), binary);
  assert.equal(floats.mock.callCount(), vector.length);
  // A vector equal in value but another array is another embedding: encoded on its own.
  vectorBinary([...vector]);
  assert.equal(floats.mock.callCount(), 2 * vector.length);
});
