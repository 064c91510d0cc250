import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_BLOCKLIST_PATH, loadBlocklist, parseBlocklist } from "./blocklist.ts";

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

test("the default list parses and holds English phrases and Chinese terms", async () => {
  const terms = await loadBlocklist(DEFAULT_BLOCKLIST_PATH);
  assert.ok(terms.length >= 30 && terms.length <= 60, `unexpected size ${terms.length}`);
  const chinese = terms.filter((t) => /[\u4e00-\u9fff]/.test(t));
  const english = terms.filter((t) => /^[a-z ]+$/.test(t));
  assert.ok(chinese.length >= 5, "several Chinese terms");
  assert.ok(english.length >= 5, "several English terms");
  assert.ok(english.filter((t) => t.includes(" ")).length >= 2, "multi-word English phrases");
  assert.ok(terms.every((t) => !t.startsWith("#") && t === t.trim()));
});
