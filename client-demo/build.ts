/**
 * Bundles the demo into client-demo/dist, which Parley serves in development. Run by `npm ci`
 * (the `prepare` script) and `npm run build:demo`. An install without development packages
 * (a production image) has no bundler: it says so and leaves the demo unbuilt.
 */
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "dist");

let esbuild: typeof import("esbuild");
try {
  esbuild = await import("esbuild");
} catch {
  console.log("[demo] esbuild is not installed (an install without dev packages): the demo is not built");
  process.exit(0);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: [join(here, "src/main.ts")],
  outfile: join(out, "main.js"),
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: false,
  logLevel: "warning",
});
for (const file of ["index.html", "style.css"]) copyFileSync(join(here, file), join(out, file));
console.log(`[demo] built ${out}`);
