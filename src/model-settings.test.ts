/** The model's deadlines are read from the environment, with defaults, and refused unless positive whole milliseconds. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "./config.ts";

test("the reply deadlines default to 10 s to the first token and 5 s of silence mid-stream", () => {
  const { model } = loadConfig({});
  assert.equal(model.firstTokenTimeoutMs, 10_000);
  assert.equal(model.idleTimeoutMs, 5_000);
});

test("the reply deadlines are read from MODEL_FIRST_TOKEN_TIMEOUT_MS and MODEL_IDLE_TIMEOUT_MS", () => {
  const { model } = loadConfig({ MODEL_FIRST_TOKEN_TIMEOUT_MS: "2500", MODEL_IDLE_TIMEOUT_MS: "800" });
  assert.equal(model.firstTokenTimeoutMs, 2_500);
  assert.equal(model.idleTimeoutMs, 800);
});

test("a deadline that is zero, negative, fractional or not a number is refused at start-up", () => {
  for (const name of ["MODEL_FIRST_TOKEN_TIMEOUT_MS", "MODEL_IDLE_TIMEOUT_MS"]) {
    for (const value of ["0", "-5", "1.5", "soon"]) {
      assert.throws(() => loadConfig({ [name]: value }), new RegExp(`StartupError: ${name}: `), `${name}=${value}`);
    }
  }
});
