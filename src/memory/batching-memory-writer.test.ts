import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BatchingMemoryWriter } from "./batching-memory-writer.ts";
import type { MemoryEntry } from "./long-term-memory.ts";
import { until } from "../testing/until.ts";

const entry = (n: number): MemoryEntry => ({
  user_id: "u", character_id: "1", session_id: "s", content: `turn ${n}`, importance: 0.5, created_at: new Date(0),
});

function recorder(fail = false) {
  const writes: string[][] = [];
  return {
    writes,
    memory: {
      async rememberAll(entries: readonly MemoryEntry[]) {
        writes.push(entries.map((e) => e.content));
        if (fail) throw new Error("database down");
      },
    },
  };
}

describe("BatchingMemoryWriter", () => {
  it("stores the entries of a short moment in one write", async () => {
    const { writes, memory } = recorder();
    const writer = new BatchingMemoryWriter({ memory, maxBatch: 50, maxWaitMs: 20, onError: assert.fail });
    for (let i = 0; i < 5; i++) writer.add(entry(i));
    assert.equal(writes.length, 0, "nothing is written before the wait is over");
    await until(() => writes.length > 0, "the batch written");
    assert.deepEqual(writes, [["turn 0", "turn 1", "turn 2", "turn 3", "turn 4"]]);
  });

  it("writes at once when a batch is full", () => {
    const { writes, memory } = recorder();
    const writer = new BatchingMemoryWriter({ memory, maxBatch: 3, maxWaitMs: 10_000, onError: assert.fail });
    for (let i = 0; i < 7; i++) writer.add(entry(i));
    assert.deepEqual(writes, [["turn 0", "turn 1", "turn 2"], ["turn 3", "turn 4", "turn 5"]]);
    assert.equal(writer.pending, 1);
    return writer.close().then(() => assert.deepEqual(writes.at(-1), ["turn 6"]));
  });

  it("close writes what waits, and later entries are reported lost", async () => {
    const { writes, memory } = recorder();
    const lost: number[] = [];
    const writer = new BatchingMemoryWriter({ memory, maxBatch: 50, maxWaitMs: 10_000, onError: (_e, n) => lost.push(n) });
    writer.add(entry(1));
    await writer.close();
    assert.deepEqual(writes, [["turn 1"]]);
    writer.add(entry(2));
    assert.deepEqual(lost, [1]);
  });

  it("a failed write is reported with how many memories it cost, and nothing throws", async () => {
    const { memory } = recorder(true);
    const lost: number[] = [];
    const writer = new BatchingMemoryWriter({ memory, maxBatch: 2, maxWaitMs: 10_000, onError: (_e, n) => lost.push(n) });
    writer.add(entry(1));
    writer.add(entry(2));
    await writer.close();
    assert.deepEqual(lost, [2]);
  });
});
