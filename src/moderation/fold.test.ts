import { test } from "node:test";
import assert from "node:assert/strict";
import { foldText } from "./fold.ts";

test("folds case and full-width ASCII without changing length", () => {
  assert.equal(foldText("HeLLo ＫＩＬＬ！"), "hello kill!");
  assert.equal(foldText("很好，再来一次。"), "很好,再来一次。");
  assert.equal(foldText("\u3000"), " ");
});

test("characters whose lowercase is longer keep their form", () => {
  const s = "\u0130x"; // "İ".toLowerCase() is two code units
  assert.equal(foldText(s).length, s.length);
  assert.equal(foldText(s), "\u0130x");
});

test("surrogate pairs pass through", () => {
  assert.equal(foldText("a😀B"), "a😀b");
});
