/**
 * `npm start`, the README's command, as an operator runs it: the server is npm's own child (the
 * script `exec`s node), so a SIGTERM to npm reaches the server, which drains and closes its
 * stores; and it runs with the start script's malloc setting.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../testing/process-cluster.ts";
import { LOCK_FILE_NAME } from "../store/embedded-postgres.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

test("npm start runs the server as npm's child, with the malloc setting, and a SIGTERM to npm stops it cleanly", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "parley-npm-start-"));
  const port = await freePort();
  const npm = spawn("npm", ["start"], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info", DEMO: "false" },
    stdio: ["ignore", "pipe", "pipe"],
    // A group of its own, so a failed test can stop whatever npm started.
    detached: true,
  });
  let output = "";
  npm.stdout!.setEncoding("utf8").on("data", (s: string) => { output += s; });
  npm.stderr!.setEncoding("utf8").on("data", (s: string) => { output += s; });
  const exited = new Promise<number | null>((resolve) => npm.once("close", (code) => resolve(code)));
  try {
    const deadline = Date.now() + 30_000;
    while (!output.includes("Parley listening")) {
      if (Date.now() > deadline || npm.exitCode !== null) assert.fail(`the server did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const children = execFileSync("pgrep", ["-P", String(npm.pid)], { encoding: "utf8" }).trim().split("\n").map(Number);
    const server = children.find((pid) => {
      const [program, script] = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      return /(^|\/)node$/.test(program ?? "") && script === "src/index.ts";
    });
    assert.ok(server, `the server is npm's own child, not a shell's (children: ${children.join(", ")})`);
    assert.match(readFileSync(`/proc/${server}/environ`, "utf8"), /(^|\0)MALLOC_TRIM_THRESHOLD_=131072(\0|$)/);
    assert.ok(existsSync(join(dataDir, "pglite", LOCK_FILE_NAME)), "the embedded database is open");

    npm.kill("SIGTERM");
    const code = await exited;
    t.diagnostic(`npm exited with ${code}`);
    assert.equal(existsSync(`/proc/${server}`), false, "the server stopped with npm");
    assert.equal(existsSync(join(dataDir, "pglite", LOCK_FILE_NAME)), false, "and closed its database on the way out");
  } finally {
    try {
      process.kill(-npm.pid!, "SIGKILL");
    } catch {
      // Already gone.
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});
