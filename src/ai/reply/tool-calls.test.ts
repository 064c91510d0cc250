import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_ARGUMENTS_CHARS, ToolCallAssembler } from "./tool-calls.ts";

describe("tool-call assembly", () => {
  it("joins the fragments of one call, split anywhere in its JSON", () => {
    const a = new ToolCallAssembler();
    a.push([{ index: 0, id: "call_a", name: "give_item", arguments: "" }]);
    for (const piece of ["{\"it", "em_id", "\":\"swo", "rd_001\"}"]) a.push([{ index: 0, arguments: piece }]);
    assert.deepEqual(a.finish(), [{ index: 0, id: "call_a", name: "give_item", argumentsText: "{\"item_id\":\"sword_001\"}", args: { item_id: "sword_001" } }]);
  });

  it("keeps several calls apart by index, interleaved, and returns them in index order", () => {
    const a = new ToolCallAssembler();
    a.push([{ index: 1, id: "b", name: "emote", arguments: "{\"anim" }]);
    a.push([{ index: 0, id: "a", name: "set_mood", arguments: "{\"mood\":" }]);
    a.push([{ index: 1, arguments: "ation\":\"nod\"}" }, { index: 0, arguments: "\"pleased\"}" }]);
    const calls = a.finish();
    assert.deepEqual(calls.map((c) => [c.id, c.name, c.args]), [["a", "set_mood", { mood: "pleased" }], ["b", "emote", { animation: "nod" }]]);
  });

  it("marks malformed arguments, arrays, missing names and oversized arguments; never throws", () => {
    const a = new ToolCallAssembler();
    a.push([
      { index: 0, id: "x", name: "give_item", arguments: "{\"item_id\": sword" },
      { index: 1, id: "y", name: "emote", arguments: "[1,2]" },
      { index: 2, id: "z", arguments: "{}" },
      { index: 3, id: "w", name: "emote", arguments: "x".repeat(MAX_ARGUMENTS_CHARS + 10) },
    ]);
    assert.deepEqual(a.finish().map((c) => c.problem), ["malformed_arguments", "malformed_arguments", "missing_name", "malformed_arguments"]);
  });

  it("takes empty arguments as {}, and makes up an id when the model sent none", () => {
    const a = new ToolCallAssembler();
    assert.equal(a.empty, true);
    a.push([{ index: 0, name: "emote" }]);
    assert.deepEqual(a.finish(() => "made-up"), [{ index: 0, id: "made-up", name: "emote", argumentsText: "", args: {} }]);
  });
});
