import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BatchingRecall } from "./batching-recall.ts";
import type { MemoryQuery, RecalledMemory } from "./long-term-memory.ts";

const query = (user_id: string): MemoryQuery => ({ user_id, character_id: "1", text: `about ${user_id}`, limit: 4 });
const memoryOf = (user_id: string) => ({ content: `memory of ${user_id}` }) as RecalledMemory;

/** A store that records each batch and answers every query with one memory of its player. */
function fakeStore(fail?: Error) {
  const batches: string[][] = [];
  return {
    batches,
    memory: {
      async recallAll(queries: readonly MemoryQuery[]) {
        batches.push(queries.map((q) => q.user_id));
        if (fail) throw fail;
        return queries.map((q) => [memoryOf(q.user_id)]);
      },
    },
  };
}

describe("BatchingRecall", () => {
  it("sends lookups made within the wait as one batch and gives each its own answer", async () => {
    const { batches, memory } = fakeStore();
    const recall = new BatchingRecall({ memory, maxBatch: 10, maxWaitMs: 20 });
    const [a, b] = await Promise.all([recall.recall(query("ann")), recall.recall(query("bob"))]);
    assert.deepEqual(batches, [["ann", "bob"]]);
    assert.equal(a[0]!.content, "memory of ann");
    assert.equal(b[0]!.content, "memory of bob");
  });

  it("sends a full batch at once without waiting", async () => {
    const { batches, memory } = fakeStore();
    const recall = new BatchingRecall({ memory, maxBatch: 2, maxWaitMs: 60_000 });
    await Promise.all([recall.recall(query("a")), recall.recall(query("b"))]);
    assert.deepEqual(batches, [["a", "b"]]);
  });

  it("sends what waits at once when flushed", async () => {
    const { batches, memory } = fakeStore();
    const recall = new BatchingRecall({ memory, maxBatch: 10, maxWaitMs: 60_000 });
    const waiting = recall.recall(query("hurried"));
    recall.flush();
    assert.equal((await waiting)[0]!.content, "memory of hurried");
    assert.deepEqual(batches, [["hurried"]]);
  });

  it("drops an aborted lookup from its batch and fails only that one", async () => {
    const { batches, memory } = fakeStore();
    const recall = new BatchingRecall({ memory, maxBatch: 10, maxWaitMs: 10 });
    const abort = new AbortController();
    const dropped = recall.recall(query("gone"), abort.signal);
    const kept = recall.recall(query("kept"));
    abort.abort(new Error("left"));
    await assert.rejects(dropped, /left/);
    assert.equal((await kept)[0]!.content, "memory of kept");
    assert.deepEqual(batches, [["kept"]]);
  });

  it("fails every lookup of a failed batch, and refuses lookups once closed", async () => {
    const { memory } = fakeStore(new Error("database gone"));
    const recall = new BatchingRecall({ memory, maxBatch: 10, maxWaitMs: 5 });
    const results = await Promise.allSettled([recall.recall(query("a")), recall.recall(query("b"))]);
    assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected"]);
    const waiting = recall.recall(query("c"));
    recall.close();
    await assert.rejects(waiting, /closed/);
    await assert.rejects(recall.recall(query("d")), /closed/);
  });
});
