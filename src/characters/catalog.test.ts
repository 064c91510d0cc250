import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { abilityTools } from "../actions/ability-runner.ts";
import { defaultActions } from "../actions/action-registry.ts";
import { CharacterCatalog } from "./catalog.ts";

const base = { id: 9, name: "Tess", persona: "You are Tess.", mood: "calm", moods: ["cross"] };

describe("character files with abilities", () => {
  it("the sword instructor's file declares give_item, set_mood and emote, bound to registered actions", () => {
    const aldric = CharacterCatalog.parse("1", JSON.parse(readFileSync("characters/1-sword-instructor.json", "utf8")));
    const { tools } = abilityTools(aldric, defaultActions());
    assert.deepEqual(tools.map((t) => t.name), ["give_item", "set_mood", "emote"]);
    assert.deepEqual(aldric.moods, ["stern", "pleased", "impatient", "amused"]);
  });

  it("adds the starting mood to the moods, and takes an action's zod schema when the file gives none", () => {
    const tess = CharacterCatalog.parse("tess", { ...base, abilities: [{ name: "emote", description: "Gesture." }] });
    assert.deepEqual(tess.moods, ["calm", "cross"]);
    const [tool] = abilityTools(tess, defaultActions()).tools;
    assert.equal((tool!.parameters["properties"] as Record<string, unknown>)["animation"] !== undefined, true);
  });

  it("refuses a file whose ability parameters are no object schema, or whose name is no tool name", () => {
    assert.throws(() => CharacterCatalog.parse("bad", { ...base, abilities: [{ name: "emote", description: "x", parameters: { type: "string" } }] }), /parameters must be an object schema/);
    assert.throws(() => CharacterCatalog.parse("bad", { ...base, abilities: [{ name: "give item!", description: "x" }] }), /tool name/);
  });

  it("stops the start when an ability names no registered action", () => {
    const tess = CharacterCatalog.parse("tess", { ...base, abilities: [{ name: "fly", description: "Fly away." }] });
    assert.throws(() => abilityTools(tess, defaultActions()), /names no registered action "fly"/);
  });
});
