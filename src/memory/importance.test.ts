import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { importanceOf } from "./importance.ts";

describe("importanceOf", () => {
  test("stays within 0..1", () => {
    const samples = [
      ["", ""],
      ["hi", "hello!"],
      ["My name is Ada, I love chess, I live in Paris, what is your favourite game? ".repeat(10), "..."],
      ["我叫小明，我最喜欢吃火锅，我住在北京，你呢？".repeat(10), "好的"],
    ] as const;
    for (const [user, ai] of samples) {
      const value = importanceOf(user, ai);
      assert.ok(value >= 0 && value <= 1, `${value} for ${user.slice(0, 20)}`);
    }
  });

  test("names and preferences outweigh greetings, in English and Chinese", () => {
    const greeting = importanceOf("hi", "Hello there!");
    assert.ok(importanceOf("My name is Ada.", "Nice to meet you, Ada.") > greeting);
    assert.ok(importanceOf("I really love sailing.", "Sailing is wonderful.") > greeting);
    assert.ok(importanceOf("我叫小明。", "你好，小明。") > importanceOf("你好", "你好！"));
    assert.ok(importanceOf("我最喜欢吃火锅", "火锅很好吃") > importanceOf("嗯", "嗯嗯"));
  });

  test("a name outweighs a plain question, a question outweighs a plain statement", () => {
    const name = importanceOf("call me Captain", "Aye, Captain.");
    const question = importanceOf("where does the river go", "To the sea.");
    const statement = importanceOf("the river goes on", "It does.");
    assert.ok(name > question);
    assert.ok(question > statement);
  });

  test("a longer message weighs more than a short one of the same kind", () => {
    const short = importanceOf("the sky is grey", "");
    const long = importanceOf(`the sky is grey ${"and the clouds hang low over the harbour ".repeat(4)}`, "");
    assert.ok(long > short);
  });

  test("small talk weighs less than a plain statement of the same length", () => {
    assert.ok(importanceOf("thanks", "") < importanceOf("stones", ""));
    assert.ok(importanceOf("谢谢", "") < importanceOf("石头", ""));
  });

  test("gives the same weight when asked again (no pattern keeps state between calls)", () => {
    // One sample per pattern: with a /g or /y flag, a second test() of the same text starts after the first match.
    const samples = ["my name is Ada", "call me Captain", "I'm called Bo", "我叫小明", "我的名字", "叫我小明",
      "I really love tea", "my favourite song", "我最喜欢火锅", "最爱火锅",
      "I am from Oslo", "I live in Oslo", "my dog is old", "我是学生", "我在北京工作", "我的猫",
      "where is it?", "really?", "how do birds fly", "是吗", "hi", "你好"];
    for (const text of samples) assert.equal(importanceOf(text, "ok"), importanceOf(text, "ok"), text);
  });
});
