import { test } from "node:test";
import assert from "node:assert/strict";
import { BlocklistMatcher } from "./matcher.ts";
import type { Hit } from "./matcher.ts";
import { createModeratedStream } from "./moderated-stream.ts";
import { foldText } from "./fold.ts";
import { naiveFirst, naivePending, randomChunks, randomString, seededRandom } from "../testing/moderation-fuzz.ts";

const matcher = BlocklistMatcher.fromTerms(["kill yourself", "傻逼", "操你妈", "drink bleach"]);

/** Streams chunks with hold-back and returns what was shown and the hit, checking each step. */
function run(m: BlocklistMatcher, chunks: string[]): { shown: string; hit: Hit | null } {
  const stream = createModeratedStream({ matcher: m, holdBack: true });
  const text = chunks.join("");
  let shown = "";
  for (const chunk of chunks) {
    const r = stream.push(chunk);
    if (r.hit) {
      assert.equal(r.release, "");
      // Released text never reaches into the occurrence: it is the text before it, or less.
      assert.ok(shown.length <= r.hit.startOffset, `released "${shown}" overlaps ${r.hit.term}`);
      assert.equal(shown, text.slice(0, shown.length));
      assert.equal(stream.flush(), "");
      return { shown, hit: r.hit };
    }
    shown += r.release;
  }
  shown += stream.flush();
  assert.equal(shown, text);
  return { shown, hit: null };
}

test("a blocked term in one chunk releases nothing of it", () => {
  const { shown, hit } = run(matcher, ["Fine. ", "Now kill yourself."]);
  assert.equal(hit?.term, "kill yourself");
  assert.equal(shown, "Fine. ");
});

test("a term split across two and three chunks never shows its start", () => {
  let r = run(matcher, ["You should ", "ki", "ll yourself"]);
  assert.equal(r.shown, "You should ");
  assert.equal(r.hit?.startOffset, 11);

  r = run(matcher, ["Just dri", "nk ble", "ach."]);
  assert.equal(r.shown, "Just ");

  r = run(matcher, ["你这个", "傻", "逼"]);
  assert.equal(r.shown, "你这个");

  r = run(matcher, ["我", "操", "你", "妈"]);
  assert.equal(r.shown, "我");
});

test("case-insensitive English, released in its original case", () => {
  const stream = createModeratedStream({ matcher, holdBack: true });
  assert.deepEqual(stream.push("Yes. KILL "), { release: "Yes. ", hit: null });
  assert.equal(stream.heldLength, 5);
  const r = stream.push("YourSelf");
  assert.equal(r.release, "");
  assert.equal(r.hit?.term, "kill yourself");
  assert.equal(stream.blocked, r.hit);
});

test("text that cannot begin a term goes out at once", () => {
  const stream = createModeratedStream({ matcher, holdBack: true });
  assert.deepEqual(stream.push("Hello"), { release: "Hello", hit: null });
  assert.deepEqual(stream.push("，很好。"), { release: "，很好。", hit: null });
  assert.equal(stream.heldLength, 0);
});

test("a harmless partial match is released once disambiguated, or at flush", () => {
  const stream = createModeratedStream({ matcher, holdBack: true });
  assert.deepEqual(stream.push("I will kill"), { release: "I will ", hit: null });
  assert.deepEqual(stream.push(" the"), { release: "kill the", hit: null });
  assert.deepEqual(stream.push(" dragon. Then kill you"), { release: " dragon. Then ", hit: null });
  assert.equal(stream.flush(), "kill you");
  assert.throws(() => stream.push("more"));
});

test("the held tail is exactly the pending partial match, never a fixed count", () => {
  const m = BlocklistMatcher.fromTerms(["abcdef"]);
  const stream = createModeratedStream({ matcher: m, holdBack: true });
  assert.deepEqual(stream.push("xxabc"), { release: "xx", hit: null });
  assert.deepEqual(stream.push("dab"), { release: "abcd", hit: null });
  assert.deepEqual(stream.push("x"), { release: "abx", hit: null });
});

test("a shorter pending prefix followed by a failure transition still holds the occurrence", () => {
  const { shown, hit } = run(BlocklistMatcher.fromTerms(["sha", "hers"]), ["a s", "h", "e", "rs"]);
  assert.equal(hit?.term, "hers");
  assert.equal(shown, "a s");
});

test("hold-back off releases everything and still reports the hit", () => {
  const stream = createModeratedStream({ matcher, holdBack: false });
  assert.deepEqual(stream.push("kill you"), { release: "kill you", hit: null });
  const r = stream.push("rself");
  assert.equal(r.release, "");
  assert.deepEqual(r.hit, { term: "kill yourself", startOffset: 0, endOffset: 13 });
  assert.deepEqual(stream.push("more"), { release: "", hit: r.hit });
  assert.equal(stream.flush(), "");
});

test("a surrogate pair is never split by a release", () => {
  const m = BlocklistMatcher.fromTerms(["\udc00x"]);
  const stream = createModeratedStream({ matcher: m, holdBack: true });
  assert.deepEqual(stream.push("a\ud800\udc00"), { release: "a", hit: null });
  assert.deepEqual(stream.push("y"), { release: "\ud800\udc00y", hit: null });
});

test("random streams: nothing of the occurrence is released, and the hold is minimal", () => {
  const rand = seededRandom(11);
  for (let round = 0; round < 300; round++) {
    const terms = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => randomString(rand, "abcB逼傻", 1, 5));
    const m = BlocklistMatcher.fromTerms(terms);
    const folded = [...new Set(terms.map(foldText))];
    const text = randomString(rand, "abcdC逼傻", 0, 40);
    const chunks = randomChunks(rand, text, 5);
    const { shown, hit } = run(m, chunks);
    const expected = naiveFirst(foldText(text), folded);
    assert.equal(hit?.endOffset ?? null, expected?.end ?? null);
    if (!hit) continue;
    // The hold is minimal: everything before the last pending prefix ahead of the hit chunk was shown.
    let before = 0;
    for (const c of chunks) {
      if (before + c.length >= hit.endOffset) break;
      before += c.length;
    }
    assert.equal(shown.length, before - naivePending(foldText(text.slice(0, before)), folded));
  }
});

test("releaseHeld gives up the hold, and a term completed afterwards still blocks", () => {
  const m = BlocklistMatcher.fromTerms(["bad word"]);
  const stream = createModeratedStream({ matcher: m, holdBack: true });
  assert.deepEqual(stream.push("Ba"), { release: "", hit: null });
  assert.equal(stream.releaseHeld(), "Ba");
  assert.equal(stream.heldLength, 0);
  const next = stream.push("d word");
  assert.equal(next.release, "");
  assert.equal(next.hit?.term, "bad word");
});

test("after releaseHeld, text continuing the released partial match is still held", () => {
  const m = BlocklistMatcher.fromTerms(["bad word"]);
  const stream = createModeratedStream({ matcher: m, holdBack: true });
  stream.push("Ba");
  assert.equal(stream.releaseHeld(), "Ba");
  assert.deepEqual(stream.push("d wo"), { release: "", hit: null });
  assert.equal(stream.push("rd").hit?.term, "bad word");
});
