/**
 * The Docker image starts, serves and stops on SIGTERM. No Docker daemon here: the test reads the
 * Dockerfile's last stage, lays out exactly the files its COPY lines put in the image (production
 * packages stand in for `npm ci`), and runs its CMD from there. A file the image lacks (the
 * blocklist was one) makes the server refuse to start, and this test fail.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createTokenIssuer } from "../auth/tokens.ts";
import { freePort } from "../testing/process-cluster.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NODE_BIN = fileURLToPath(new URL("../../node_modules/.bin/node", import.meta.url));

interface Instruction { op: string; args: string }
interface Stage { name: string | undefined; workdir: string; instructions: Instruction[] }

/** Instructions per stage, with line continuations joined and comments dropped. */
export function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, " ").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (!op) continue;
    const upper = op.toUpperCase();
    if (upper === "FROM") {
      stages.push({ name: /\sAS\s+(\S+)/i.exec(args!)?.[1], workdir: "/", instructions: [] });
      continue;
    }
    const stage = stages.at(-1)!;
    if (upper === "WORKDIR") stage.workdir = posix.resolve(stage.workdir, args!);
    stage.instructions.push({ op: upper, args: args! });
  }
  return stages;
}

/** Lays out the last stage's files in a fresh folder; returns the folder (its WORKDIR) and the stage's CMD. */
function layOutImage(stages: Stage[], log: (line: string) => void): { dir: string; cmd: string[]; copied: string[] } {
  const final = stages.at(-1)!;
  const root = mkdtempSync(join(tmpdir(), "parley-image-"));
  const dir = join(root, final.workdir);
  mkdirSync(dir, { recursive: true });
  const copied: string[] = [];
  let cmd: string[] | undefined;
  for (const { op, args } of final.instructions) {
    if (op === "COPY") {
      const words = args.split(/\s+/);
      const from = words.find((w) => w.startsWith("--from="))?.slice("--from=".length);
      const paths = words.filter((w) => !w.startsWith("--"));
      const dest = paths.pop()!;
      for (const source of paths) {
        // A file from an earlier stage: that stage builds it in the repository too (the demo, by `npm ci`).
        const relative = from ? posix.relative(stages.find((s) => s.name === from)!.workdir, source) : source;
        const target = dest.endsWith("/") ? join(dir, dest, posix.basename(source)) : join(dir, dest);
        const origin = join(REPO_ROOT, relative);
        if (!existsSync(origin)) {
          assert.ok(from, `COPY ${source}: not in the repository`);
          log(`COPY --from=${from} ${source}: not built in this checkout (npm run build:demo), left out`);
          continue;
        }
        mkdirSync(dirname(target), { recursive: true });
        cpSync(origin, target, { recursive: true });
        copied.push(relative);
      }
    } else if (op === "RUN" && /\bnpm ci\b/.test(args)) {
      symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
    } else if (op === "RUN" && /mkdir -p \/app\/data/.test(args)) {
      mkdirSync(join(dir, "data"), { recursive: true });
    } else if (op === "CMD") {
      cmd = JSON.parse(args) as string[];
    }
  }
  assert.ok(cmd, "the image has a CMD");
  return { dir, cmd, copied };
}

test("the image's files start the server, serve it, and SIGTERM to the CMD process stops it cleanly", { timeout: 60_000 }, async (t) => {
  const stages = parseDockerfile(readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8"));
  const { dir, cmd, copied } = layOutImage(stages, (line) => t.diagnostic(line));
  t.diagnostic(`image files: ${copied.join(", ")}`);
  assert.equal(cmd[0], "node", "the CMD is node itself (npm does not pass SIGTERM on)");

  const port = await freePort();
  const secret = "image-test-secret-0123456789abcdef";
  const env = { PATH: process.env.PATH, NODE_ENV: "production", AUTH_SECRET: secret, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info", DEMO: "on" };
  const child = spawn(NODE_BIN, cmd.slice(1), { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL"); });
  const listening = new Promise<void>((resolve, reject) => {
    const onLine = (line: string) => { output.push(line); if (line.includes("Parley listening")) resolve(); };
    createInterface({ input: child.stdout! }).on("line", onLine);
    createInterface({ input: child.stderr! }).on("line", onLine);
    void exited.then(({ code }) => reject(new Error(`exited (code ${code}) before listening:\n${output.join("\n")}`)));
    setTimeout(() => reject(new Error(`not listening within 30 s:\n${output.join("\n")}`)), 30_000).unref();
  });
  await listening;

  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(health.status, 200);
  if (copied.includes("client-demo/dist")) {
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200, "the demo is served from the image");
    assert.match(await page.text(), /<script/);
  }

  // A compose user's way to a token: the script in the image, signing with the server's secret.
  const minted = await new Promise<string>((resolve, reject) => {
    const mint = spawn(NODE_BIN, ["scripts/mint-token.ts", "alice"], { cwd: dir, env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    mint.stdout!.setEncoding("utf8").on("data", (s: string) => { out += s; });
    mint.once("close", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`mint-token exited ${code}`))));
  });
  assert.equal(await createTokenIssuer(secret, { maxLifetimeSeconds: 86_400 }).verify(minted), "alice");

  const stopAt = performance.now();
  child.kill("SIGTERM");
  const { code, signal } = await exited;
  const ms = Math.round(performance.now() - stopAt);
  t.diagnostic(`SIGTERM: exit code ${code}, signal ${signal}, in ${ms} ms`);
  assert.equal(signal, null, "the server handled SIGTERM itself rather than being killed by it");
  assert.equal(code, 0, `a clean exit:\n${output.slice(-10).join("\n")}`);
  assert.ok(ms < 10_000, `stopped within the shutdown deadline, took ${ms} ms`);
  assert.doesNotMatch(output.join("\n"), /^\s+at /m, "no stack trace in the output");
});

test("the Dockerfile parser reads stages, continuations and COPY --from", () => {
  const stages = parseDockerfile("FROM a AS build\nWORKDIR /app\nRUN x \\\n  y\n# note\nFROM b\nWORKDIR /srv\nCOPY --from=build /app/out ./out\nCMD [\"node\", \"i.ts\"]\n");
  assert.deepEqual(stages.map((s) => [s.name, s.workdir]), [["build", "/app"], [undefined, "/srv"]]);
  assert.deepEqual(stages[0]!.instructions[1], { op: "RUN", args: "x    y" });
  assert.deepEqual(stages[1]!.instructions.map((i) => i.op), ["WORKDIR", "COPY", "CMD"]);
});

test("everything the image runs imports only production packages (the image installs with --omit=dev)", async () => {
  const esbuild = await import("esbuild");
  const entryPoints = ["src/index.ts", "src/store/embedded-postgres-worker.ts", "src/store/create-embedded-postgres.ts", "scripts/mint-token.ts"].map((p) => join(REPO_ROOT, p));
  const result = await esbuild.build({
    entryPoints, bundle: true, platform: "node", format: "esm", packages: "external", write: false, metafile: true,
    outdir: join(tmpdir(), "parley-deps"), logLevel: "silent",
  });
  const packageOf = (path: string) => path.split("/").slice(0, path.startsWith("@") ? 2 : 1).join("/");
  const imported = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imp of input.imports) if (imp.external && !imp.path.startsWith("node:")) imported.add(packageOf(imp.path));
  }
  const { dependencies } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  assert.ok(imported.has("@colyseus/core") && imported.has("@electric-sql/pglite"), `the imports were found: ${[...imported].join(", ")}`);
  assert.deepEqual([...imported].filter((p) => !(p in dependencies)), [], "imported but not a production dependency");
});
