import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_BLOCKLIST_PATH, loadBlocklist, parseBlocklist } from "./blocklist.ts";
import { BlocklistMatcher } from "./matcher.ts";

test("parseBlocklist trims, skips blank and # lines, keeps order, drops duplicates", () => {
  const text = "\uFEFF# header\r\n  foo bar  \n\n   \n#comment\n傻逼\nfoo bar\n  # indented comment\nbaz\n";
  assert.deepEqual(parseBlocklist(text), ["foo bar", "傻逼", "baz"]);
});

test("loadBlocklist reads a file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "parley-blocklist-"));
  try {
    const file = join(dir, "list.txt");
    await writeFile(file, "alpha\n# no\nbeta gamma\n");
    assert.deepEqual(await loadBlocklist(file), ["alpha", "beta gamma"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the default list catches each of its terms inside a sentence, and nothing in harmless text", async () => {
  const terms = await loadBlocklist(DEFAULT_BLOCKLIST_PATH);
  assert.ok(terms.some((t) => /[\u4e00-\u9fff]/.test(t)) && terms.some((t) => /^[a-z]+ [a-z ]+$/.test(t)), "Chinese terms and English phrases");
  const matcher = BlocklistMatcher.fromTerms(terms);
  for (const term of terms) {
    const upper = term.toUpperCase();
    assert.ok(matcher.findFirst(`Well, ${upper}, then.`), `"${term}" is caught in capitals inside a sentence`);
  }
  // The list has no word boundaries: a short term inside a common word would cut a harmless reply.
  const harmless = [
    "Hold your guard, recruit. A chink in the armor is all an assassin needs.",
    "The class ate a spicy stew of grass-fed lamb, then read Dickens for analysis.",
    "Hello! Shall we cocktail in Sussex? The therapist said I should skip hiking today.",
    "你好，小明。火锅很好吃，我们明天去北京的公园散步吧。",
    await readFile(new URL("../../characters/1-sword-instructor.json", import.meta.url), "utf8"),
  ];
  for (const text of harmless) assert.equal(matcher.findFirst(text), null, text.slice(0, 60));
});
