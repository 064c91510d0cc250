/**
 * Preloaded into a Parley process by a test (`NODE_OPTIONS=--import=<this file>`): prints one
 * `loaded-package <name>` line on stderr for each npm package the main thread resolves, so the test
 * can tell which drivers a configuration loads.
 */
import { registerHooks } from "node:module";
import { isMainThread } from "node:worker_threads";

export const LOADED_PACKAGE_PREFIX = "loaded-package ";

if (isMainThread) {
  const seen = new Set<string>();
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      const name = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(resolved.url)?.[1];
      if (name !== undefined && !seen.has(name)) {
        seen.add(name);
        process.stderr.write(`${LOADED_PACKAGE_PREFIX}${name}\n`);
      }
      return resolved;
    },
  });
}
