import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { HashingEmbedder, fnv1a32, textFeatures } from "./hashing-embedder.ts";

const cosine = (a: readonly number[], b: readonly number[]): number => {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
};

const norm = (v: readonly number[]): number => Math.sqrt(cosine(v, v));

describe("fnv1a32", () => {
  test("matches the published FNV-1a test vectors", () => {
    assert.equal(fnv1a32(""), 0x811c9dc5);
    assert.equal(fnv1a32("a"), 0xe40c292c);
    assert.equal(fnv1a32("foobar"), 0xbf9cf968);
  });
});

describe("textFeatures", () => {
  test("English: lowercase words without stop words, plus sub-word trigrams", () => {
    const features = textFeatures("I LOVE the Cats");
    assert.ok(features.has("w:love"));
    assert.ok(features.has("w:cats"));
    assert.ok(features.has("t:<ca"));
    assert.ok(!features.has("w:the"));
    assert.ok(!features.has("w:i"));
  });

  test("English: a possessive, a plural or a tense meets the plain word; the memory frame is no feature", () => {
    const fact = textFeatures("The player said: My sister's name is Mei.\nYou answered: Noted.");
    assert.ok(fact.has("w:sister"));
    assert.ok(textFeatures("my sisters called").has("w:sister"));
    assert.ok(textFeatures("what is she called?").has("w:call"));
    assert.ok(!fact.has("w:player") && !fact.has("w:said") && !fact.has("w:answered"));
  });

  test("Chinese: a bigram with a particle or question word weighs less than one of two content characters", () => {
    const features = textFeatures("我的狗叫什么");
    assert.equal(features.get("b:狗叫"), 1);
    assert.ok((features.get("b:的狗") ?? 0) < 1);
    assert.ok(!features.has("c:什"));
  });

  test("Chinese: characters and character bigrams, also next to Latin words", () => {
    const features = textFeatures("我喜欢用Python写代码");
    assert.ok(features.has("c:喜"));
    assert.ok(features.has("b:喜欢"));
    assert.ok(features.has("b:代码"));
    assert.ok(features.has("w:python"));
    assert.ok(!features.has("c:我"));
  });
});

describe("HashingEmbedder", () => {
  const embedder = new HashingEmbedder({ dimensions: 256 });

  test("gives unit vectors of the configured size, also for empty text", async () => {
    const vectors = await embedder.embed(["hello world", "", "!!!", "你好"]);
    assert.equal(vectors.length, 4);
    for (const v of vectors) {
      assert.equal(v.length, 256);
      assert.ok(Math.abs(norm(v) - 1) < 1e-9);
    }
  });

  test("is deterministic across instances", async () => {
    const [a] = await embedder.embed(["My dog Rex loves the beach"]);
    const [b] = await new HashingEmbedder({ dimensions: 256 }).embed(["My dog Rex loves the beach"]);
    assert.deepEqual(a, b);
  });

  test("English: the memory sharing the topic is the most similar", async () => {
    const [query, cats, weather, job] = await embedder.embed([
      "what is the name of my cat?",
      "Player: my cat is named Whiskers. Character: What a lovely name for a cat!",
      "Player: it rained all day today. Character: Stay dry out there.",
      "Player: I work as a nurse at night. Character: That sounds demanding.",
    ]);
    assert.ok(cosine(query!, cats!) > cosine(query!, weather!));
    assert.ok(cosine(query!, cats!) > cosine(query!, job!));
  });

  test("Chinese: the memory sharing the topic is the most similar", async () => {
    const [query, hotpot, rain, work] = await embedder.embed([
      "我最喜欢吃什么？",
      "玩家：我最喜欢吃火锅。角色：火锅真不错！",
      "玩家：明天要下雨。角色：记得带伞。",
      "玩家：我在医院当护士。角色：辛苦了。",
    ]);
    assert.ok(cosine(query!, hotpot!) > cosine(query!, rain!));
    assert.ok(cosine(query!, hotpot!) > cosine(query!, work!));
  });

  test("stops before work when the signal is already aborted", async () => {
    await assert.rejects(embedder.embed(["x"], AbortSignal.abort()), { name: "AbortError" });
  });

  test("rejects unusable sizes", () => {
    assert.throws(() => new HashingEmbedder({ dimensions: 1 }), /dimensions/);
    assert.throws(() => new HashingEmbedder({ dimensions: 2.5 }), /dimensions/);
  });
});
