import { test } from "node:test";
import assert from "node:assert/strict";
import { BlocklistMatcher } from "./matcher.ts";
import { foldText } from "./fold.ts";
import { naiveFirst, naivePending, randomChunks, randomString, seededRandom } from "../testing/moderation-fuzz.ts";

const matcher = BlocklistMatcher.fromTerms(["kill yourself", "傻逼", "操你妈", "Bad Word"]);

test("a term in one chunk", () => {
  const s = matcher.scanner();
  assert.deepEqual(s.push("please kill yourself now").hit, { term: "kill yourself", startOffset: 7, endOffset: 20 });
  assert.deepEqual(matcher.findFirst("你这个傻逼"), { term: "傻逼", startOffset: 3, endOffset: 5 });
});

test("a term split across two and three chunks, English and Chinese", () => {
  const s = matcher.scanner();
  assert.deepEqual(s.push("go kill you"), { hit: null, pendingLength: 8 });
  assert.deepEqual(s.push("rself").hit, { term: "kill yourself", startOffset: 3, endOffset: 16 });

  const c = matcher.scanner();
  assert.deepEqual(c.push("我操"), { hit: null, pendingLength: 1 });
  assert.deepEqual(c.push("你"), { hit: null, pendingLength: 2 });
  assert.deepEqual(c.push("妈的").hit, { term: "操你妈", startOffset: 1, endOffset: 4 });

  const e = matcher.scanner();
  for (const chunk of ["ki", "ll yo", "urs"]) assert.equal(e.push(chunk).hit, null);
  assert.equal(e.push("elf!").hit?.endOffset, 13);
});

test("matching ignores case and full width; the hit names the listed spelling", () => {
  assert.equal(matcher.findFirst("KILL YourSelf")?.term, "kill yourself");
  assert.equal(matcher.findFirst("a bad word")?.term, "Bad Word");
  assert.equal(matcher.findFirst("ＢＡＤ ｗｏｒｄ")?.term, "Bad Word");
  assert.equal(matcher.findFirst("skill yours elf"), null);
});

test("the scanner stays stopped after a hit until reset", () => {
  const s = matcher.scanner();
  const hit = s.push("傻逼").hit;
  assert.ok(hit);
  assert.deepEqual(s.push("harmless"), { hit, pendingLength: 0 });
  s.reset();
  assert.deepEqual(s.push("harmless"), { hit: null, pendingLength: 0 });
  assert.equal(s.consumed, 8);
});

test("overlapping terms", () => {
  const ab = BlocklistMatcher.fromTerms(["ab", "bc"]);
  assert.deepEqual(ab.findFirst("xabc"), { term: "ab", startOffset: 1, endOffset: 3 });
  assert.deepEqual(ab.findFirst("xbc"), { term: "bc", startOffset: 1, endOffset: 3 });
  assert.deepEqual(ab.findAll("abc").map((h) => h.term), ["ab", "bc"]);

  const she = BlocklistMatcher.fromTerms(["she", "he", "hers", "his"]);
  assert.deepEqual(she.findFirst("ushers"), { term: "she", startOffset: 1, endOffset: 4 });
  assert.deepEqual(
    she.findAll("ushers").map((h) => [h.term, h.startOffset]),
    [["she", 1], ["he", 2], ["hers", 2]],
  );

  // "hers" is only reached through a failure transition out of the "sh" of "sha".
  const s = BlocklistMatcher.fromTerms(["sha", "hers"]).scanner();
  assert.equal(s.push("sh").pendingLength, 2);
  assert.equal(s.push("e").pendingLength, 2);
  assert.deepEqual(s.push("rs").hit, { term: "hers", startOffset: 1, endOffset: 5 });
});

test("pending length is the longest suffix that is a proper prefix of a term", () => {
  const m = BlocklistMatcher.fromTerms(["abcd", "bcx", "cz"]);
  const s = m.scanner();
  assert.equal(s.push("zab").pendingLength, 2);
  assert.equal(s.push("c").pendingLength, 3);
  assert.equal(s.push("q").pendingLength, 0);
});

test("agrees with a naive matcher on random terms, text and chunking", () => {
  const rand = seededRandom(7);
  for (let round = 0; round < 200; round++) {
    const terms = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => randomString(rand, "abcA傻逼", 1, 4));
    const m = BlocklistMatcher.fromTerms(terms);
    const folded = [...new Set(terms.map(foldText))];
    const text = randomString(rand, "abcdAB傻逼", 0, 30);
    const expected = naiveFirst(foldText(text), folded);
    const s = m.scanner();
    let seen = "";
    let hit = null;
    for (const chunk of randomChunks(rand, text, 4)) {
      const r = s.push(chunk);
      if (r.hit) {
        hit = r.hit;
        break;
      }
      seen += chunk;
      assert.equal(r.pendingLength, naivePending(foldText(seen), folded), `pending after "${seen}" in ${terms}`);
    }
    assert.equal(hit ? [foldText(hit.term), hit.endOffset].join("@") : null, expected ? [expected.term, expected.end].join("@") : null);
    const all = m.findAll(text).map((h) => `${h.startOffset}:${foldText(h.term)}`).sort();
    const naiveAll = folded.flatMap((t) => {
      const at: string[] = [];
      for (let i = foldText(text).indexOf(t); i >= 0; i = foldText(text).indexOf(t, i + 1)) at.push(`${i}:${t}`);
      return at;
    }).sort();
    assert.deepEqual(all, naiveAll);
  }
});

test("10,000 terms build and match", () => {
  const rand = seededRandom(42);
  const terms = new Set<string>();
  while (terms.size < 10_000) {
    terms.add(rand() < 0.6 ? randomString(rand, "abcdefghijklmnopqrstuvwxyz", 4, 12) : randomString(rand, "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年", 2, 4));
  }
  const list = [...terms];
  const m = BlocklistMatcher.fromTerms(list);
  assert.equal(m.size, 10_000);
  for (const i of [0, 1234, 5000, 9999]) {
    const term = list[i]!;
    const text = `0123456789${term.toUpperCase()}!`;
    const hit = m.findFirst(text);
    assert.ok(hit, `no hit for ${term}`);
    assert.ok(hit.startOffset >= 10 && hit.endOffset <= 10 + term.length, `hit outside ${term}`);
    assert.ok(m.findAll(text).some((h) => h.term === term && h.startOffset === 10));
  }
  assert.equal(m.findFirst("0123456789 !?.,;:0123456789"), null);
});
