/** Characters are data: one JSON file each in the characters folder. */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

const Item = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  description: z.string().default(""),
  /** What `inspect_item` reveals, sent as the `item_info` game event. */
  payload: z.record(z.string(), z.unknown()),
});

/**
 * An ability: an action the character may take itself, as a tool call in its replies. `action`
 * names the game action that runs it (the ability's own name by default); `parameters` is the JSON
 * schema the model sees, and the model's arguments must satisfy it as well as the action's own.
 */
const Ability = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a tool name: letters, digits, _ and -"),
  description: z.string().min(1),
  action: z.string().min(1).optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
}).superRefine((a, ctx) => {
  if (!a.parameters) return;
  if (a.parameters["type"] !== "object") ctx.addIssue({ code: "custom", path: ["parameters", "type"], message: "parameters must be an object schema" });
  try {
    z.fromJSONSchema(a.parameters as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (err) {
    ctx.addIssue({ code: "custom", path: ["parameters"], message: `not a JSON schema zod can check: ${(err as Error).message}` });
  }
});

const Character = z.strictObject({
  id: z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String),
  name: z.string().min(1),
  /** The system prompt. */
  persona: z.string().min(1),
  /** Sent whole to each joining player; omit for a character who waits to be spoken to. */
  greeting: z.string().optional(),
  mood: z.string().default("neutral"),
  /** The moods `set_mood` may choose from; the starting `mood` is always one. */
  moods: z.array(z.string().min(1)).default([]),
  items: z.array(Item).default([]),
  /** Action ids this character understands. */
  actions: z.array(z.string().min(1)).default([]),
  /** What the character may do itself, as tool calls of its replies. */
  abilities: z.array(Ability).default([]),
  /** Lines the offline model draws from when no real model is configured. */
  offline_replies: z.array(z.string().min(1)).default([]),
  /** Lines of the offline model after it used an ability, by ability name (its `ok` or `refused` result). */
  offline_ability_replies: z.record(z.string(), z.strictObject({ ok: z.array(z.string().min(1)), refused: z.array(z.string().min(1)) })).default({}),
}).transform((c) => ({ ...c, moods: c.moods.includes(c.mood) ? c.moods : [c.mood, ...c.moods] }));

export type Item = z.infer<typeof Item>;
export type Ability = z.infer<typeof Ability>;
export type Character = z.infer<typeof Character>;

export class CharacterCatalog {
  readonly #byId: ReadonlyMap<string, Character>;

  constructor(characters: readonly Character[]) {
    const byId = new Map<string, Character>();
    for (const c of characters) {
      if (byId.has(c.id)) throw new Error(`two characters have the id "${c.id}"`);
      byId.set(c.id, c);
    }
    this.#byId = byId;
  }

  /** `1` and `"1"` name the same character. */
  get(id: string | number): Character | undefined {
    return this.#byId.get(String(id));
  }

  all(): Character[] {
    return [...this.#byId.values()];
  }

  static parse(source: string, json: unknown): Character {
    const parsed = Character.safeParse(json);
    if (!parsed.success) {
      throw new Error(`${source}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
    return parsed.data;
  }

  static async load(dir: string): Promise<CharacterCatalog> {
    const files = (await readdir(dir)).filter((f) => f.endsWith(".json")).sort();
    const characters = await Promise.all(
      files.map(async (f) => CharacterCatalog.parse(f, JSON.parse(await readFile(join(dir, f), "utf8")))),
    );
    if (characters.length === 0) throw new Error(`no characters in ${dir}`);
    return new CharacterCatalog(characters);
  }
}
