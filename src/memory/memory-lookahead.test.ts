import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryLookahead, type RecallFn } from "./memory-lookahead.ts";
import { until } from "../testing/until.ts";

/** A store whose lookups the test answers one by one. */
function manualRecall() {
  const calls: { userId: string; text: string; signal: AbortSignal; answer(m: string[]): void; fail(e: Error): void }[] = [];
  const recall: RecallFn = (userId, text, signal) => new Promise((resolve, reject) => {
    calls.push({ userId, text, signal, answer: resolve, fail: reject });
  });
  return { calls, recall };
}

describe("MemoryLookahead", () => {
  it("has nothing for a player never prepared, and a pending lookup until it answers", async () => {
    const { calls, recall } = manualRecall();
    const ahead = new MemoryLookahead({ recall });
    assert.equal(ahead.take("u1"), null);
    ahead.prepare("u1", "the old lighthouse");
    const pending = ahead.take("u1");
    assert.equal(pending?.ready, false);
    assert.equal(calls[0]!.text, "the old lighthouse");
    calls[0]!.answer(["Met at the lighthouse."]);
    assert.deepEqual(await (pending as { pending: Promise<string[]> }).pending, ["Met at the lighthouse."]);
    assert.deepEqual(ahead.take("u1"), { ready: true, memories: ["Met at the lighthouse."] });
  });

  it("keeps serving the last answer while a newer lookup runs, then the newer one", async () => {
    const { calls, recall } = manualRecall();
    const ahead = new MemoryLookahead({ recall });
    ahead.prepare("u1", "first");
    calls[0]!.answer(["old"]);
    await new Promise((r) => setImmediate(r));
    ahead.prepare("u1", "second");
    assert.deepEqual(ahead.take("u1"), { ready: true, memories: ["old"] });
    calls[1]!.answer(["new"]);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(ahead.take("u1"), { ready: true, memories: ["new"] });
  });

  it("ignores a superseded answer that lands after the newer one", async () => {
    const { calls, recall } = manualRecall();
    const ahead = new MemoryLookahead({ recall });
    ahead.prepare("u1", "first");
    ahead.prepare("u1", "second");
    calls[1]!.answer(["second"]);
    calls[0]!.answer(["first"]);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(ahead.take("u1"), { ready: true, memories: ["second"] });
  });

  it("reports a failed lookup and keeps what an earlier one found", async () => {
    const { calls, recall } = manualRecall();
    const errors: unknown[] = [];
    const ahead = new MemoryLookahead({ recall, onError: (err) => errors.push(err) });
    ahead.prepare("u1", "first");
    calls[0]!.answer(["kept"]);
    await new Promise((r) => setImmediate(r));
    ahead.prepare("u1", "second");
    calls[1]!.fail(new Error("database gone"));
    await new Promise((r) => setImmediate(r));
    assert.equal(errors.length, 1);
    assert.deepEqual(ahead.take("u1"), { ready: true, memories: ["kept"] });
  });

  it("gives up a lookup past its deadline, and every lookup when closed", async () => {
    const { calls, recall } = manualRecall();
    const ahead = new MemoryLookahead({ recall, lookupDeadlineMs: 20 });
    ahead.prepare("u1", "slow");
    ahead.prepare("u2", "slow too");
    await until(() => calls[0]!.signal.aborted, "the first lookup given up");
    ahead.prepare("u3", "third");
    ahead.close();
    assert.equal(calls[2]!.signal.aborted, true);
    assert.equal(ahead.take("u3"), null);
  });

  it("forgets a player who left, and a turn that ends after does not bring them back", () => {
    const { calls, recall } = manualRecall();
    const ahead = new MemoryLookahead({ recall });
    ahead.prepare("u1", "hello");
    ahead.forget("u1");
    assert.equal(ahead.take("u1"), null);
    ahead.refresh("u1", "their last exchange");
    assert.equal(ahead.take("u1"), null);
    assert.equal(calls.length, 1);
    ahead.prepare("u2", "hi");
    ahead.refresh("u2", "an exchange");
    assert.equal(calls.at(-1)!.text, "an exchange", "a player still here is looked up again");
  });
});
