/** Blocklist files: one term per line; blank lines and lines starting with `#` are ignored. */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** The list that ships with Parley; deployments are expected to supply their own. */
export const DEFAULT_BLOCKLIST_PATH = fileURLToPath(
  new URL("../../moderation/blocklist.txt", import.meta.url),
);

/** Terms in file order, trimmed, each once. */
export function parseBlocklist(text: string): string[] {
  const seen = new Set<string>();
  for (const line of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    const term = line.trim();
    if (term.length > 0 && !term.startsWith("#")) seen.add(term);
  }
  return [...seen];
}

export async function loadBlocklist(path: string): Promise<string[]> {
  return parseBlocklist(await readFile(path, "utf8"));
}
