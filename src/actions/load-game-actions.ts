/**
 * The game's own actions, loaded at start from a folder (GAME_ACTIONS_DIR): each `.ts`, `.js` or
 * `.mjs` file's default export is an action made with defineAction, or an array of them.
 */
import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ActionRegistry } from "./action-registry.ts";
import type { ActionDefinition } from "./define-action.ts";

/** Registers every action of the folder; returns their ids. A file that exports no action stops the start. */
export async function loadGameActions(dir: string, registry: ActionRegistry): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /\.(ts|js|mjs)$/.test(f) && !/\.test\.|\.d\.ts$/.test(f)).sort();
  const ids: string[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(resolve(join(dir, file))).href)) as { default?: unknown };
    const exported = Array.isArray(module.default) ? module.default : [module.default];
    for (const action of exported) {
      if (!isAction(action)) throw new Error(`${join(dir, file)}: the default export is not an action made with defineAction (or an array of them)`);
      registry.register(action);
      ids.push(action.id);
    }
  }
  return ids;
}

function isAction(v: unknown): v is ActionDefinition {
  if (typeof v !== "object" || v === null) return false;
  const a = v as Partial<ActionDefinition>;
  return typeof a.id === "string" && a.id.length > 0 && typeof a.run === "function" &&
    typeof a.params === "object" && a.params !== null && typeof a.params.safeParse === "function";
}
