import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Embedder } from "./long-term-memory.ts";
import { SharingEmbedder } from "./sharing-embedder.ts";

/** Counts what reaches the real embedder; a request can be held open or made to fail. */
function countingEmbedder() {
  const requests: string[][] = [];
  let hold: Promise<void> = Promise.resolve();
  let fail = false;
  const inner: Embedder = {
    dimensions: 2,
    async embed(texts) {
      requests.push([...texts]);
      await hold;
      if (fail) throw new Error("embeddings endpoint down");
      return texts.map((t) => [t.length, 1]);
    },
  };
  return {
    inner, requests,
    holdUntil(p: Promise<void>) { hold = p; },
    failNext(on: boolean) { fail = on; },
  };
}

describe("SharingEmbedder", () => {
  test("a text asked for again is not embedded again, and batches ask only for what is new", async () => {
    const real = countingEmbedder();
    const embedder = new SharingEmbedder(real.inner, { maxTexts: 10 });
    assert.deepEqual(await embedder.embed(["a turn", "another"]), [[6, 1], [7, 1]]);
    assert.deepEqual(await embedder.embed(["another", "new one", "new one"]), [[7, 1], [7, 1], [7, 1]]);
    assert.deepEqual(real.requests, [["a turn", "another"], ["new one"]]);
  });

  test("a second caller shares a request still in flight", async () => {
    const real = countingEmbedder();
    let release = () => {};
    real.holdUntil(new Promise<void>((r) => { release = r; }));
    const embedder = new SharingEmbedder(real.inner, { maxTexts: 10 });
    const write = embedder.embed(["The player said: hi"]);
    const lookup = embedder.embed(["The player said: hi"]);
    release();
    assert.deepEqual(await Promise.all([write, lookup]), [[[19, 1]], [[19, 1]]]);
    assert.equal(real.requests.length, 1);
  });

  test("one caller's abort ends its own wait, not the request another caller shares", async () => {
    const real = countingEmbedder();
    let release = () => {};
    real.holdUntil(new Promise<void>((r) => { release = r; }));
    const embedder = new SharingEmbedder(real.inner, { maxTexts: 10 });
    const controller = new AbortController();
    const lookup = embedder.embed(["shared"], controller.signal);
    const write = embedder.embed(["shared"]);
    controller.abort(new Error("player left"));
    await assert.rejects(lookup, /player left/);
    release();
    assert.deepEqual(await write, [[6, 1]]);
  });

  test("a failed request is not kept: the next caller asks again", async () => {
    const real = countingEmbedder();
    const embedder = new SharingEmbedder(real.inner, { maxTexts: 10 });
    real.failNext(true);
    await assert.rejects(embedder.embed(["x"]), /endpoint down/);
    real.failNext(false);
    assert.deepEqual(await embedder.embed(["x"]), [[1, 1]]);
    assert.equal(real.requests.length, 2);
  });

  test("keeps only the newest texts", async () => {
    const real = countingEmbedder();
    const embedder = new SharingEmbedder(real.inner, { maxTexts: 2 });
    await embedder.embed(["one", "two", "three"]);
    await embedder.embed(["three", "two"]);
    await embedder.embed(["one"]);
    assert.deepEqual(real.requests, [["one", "two", "three"], ["one"]]);
  });

  test("an embedder that answers short is an error, not a missing vector", async () => {
    const embedder = new SharingEmbedder({ dimensions: 2, embed: async () => [[1, 1]] }, { maxTexts: 10 });
    await assert.rejects(embedder.embed(["a", "b"]), /returned 1 vectors for 2 texts/);
  });
});
