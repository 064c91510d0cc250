/** An unexpected throw or rejection is logged and counted, and the process carries on. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

const NODE_BIN = fileURLToPath(new URL("../../node_modules/.bin/node", import.meta.url));
const CHILD = fileURLToPath(new URL("../testing/guarded-child.ts", import.meta.url));

function runChild(mode: "guarded" | "unguarded"): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(NODE_BIN, [CHILD, mode], { timeout: 10_000 }, (err, stdout) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout });
    });
  });
}

describe("process guard", () => {
  it("a throw in a timer and an unhandled rejection are logged and counted, and the process lives on", async () => {
    const { code, stdout } = await runChild("guarded");
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as { alive: boolean; counted: string[]; logged: string[] };
    assert.equal(report.alive, true);
    assert.deepEqual(report.counted, ["process", "process"]);
    assert.deepEqual(report.logged.sort(), ["uncaught exception (the process carries on)", "unhandled promise rejection (the process carries on)"]);
  });

  it("without the guard the same child dies, so the test above proves the guard", async () => {
    const { code, stdout } = await runChild("unguarded");
    assert.notEqual(code, 0);
    assert.equal(stdout, "");
  });
});
