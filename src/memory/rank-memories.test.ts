import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { RANKING, overfetchCount, rankMemories, recencyOf, scoreOf } from "./rank-memories.ts";
import type { RankCandidate } from "./rank-memories.ts";

const NOW = new Date("2025-06-01T12:00:00Z");
const daysAgo = (days: number): Date => new Date(NOW.getTime() - days * 24 * 60 * 60 * 1000);

interface Named extends RankCandidate {
  name: string;
}

const memory = (name: string, relevance: number, importance: number, ageDays: number): Named => ({
  name,
  relevance,
  importance,
  created_at: daysAgo(ageDays),
});

describe("recencyOf", () => {
  test("halves every half-life and never exceeds 1", () => {
    assert.equal(recencyOf(NOW, NOW), 1);
    const halfLifeDays = RANKING.recencyHalfLifeMs / (24 * 60 * 60 * 1000);
    assert.ok(Math.abs(recencyOf(daysAgo(halfLifeDays), NOW) - 0.5) < 1e-12);
    assert.ok(Math.abs(recencyOf(daysAgo(2 * halfLifeDays), NOW) - 0.25) < 1e-12);
    assert.equal(recencyOf(new Date(NOW.getTime() + 60_000), NOW), 1);
  });
});

describe("overfetchCount", () => {
  test("multiplies the limit by the overfetch factor", () => {
    assert.equal(overfetchCount(5), 5 * RANKING.overfetchFactor);
    assert.equal(overfetchCount(0), 0);
    assert.equal(overfetchCount(-3), 0);
    assert.equal(overfetchCount(3, { ...RANKING, overfetchFactor: 0.5 }), 3);
  });
});

describe("rankMemories", () => {
  test("a clearly relevant memory beats an important or recent but unrelated one", () => {
    const ranked = rankMemories(
      [
        memory("unrelated-important", 0.05, 1, 0),
        memory("relevant-old", 0.9, 0.3, 60),
        memory("unrelated-recent", 0.1, 0.2, 0),
      ],
      3,
      NOW,
    );
    assert.deepEqual(
      ranked.map((m) => m.name),
      ["relevant-old", "unrelated-important", "unrelated-recent"],
    );
  });

  test("importance and recency decide between equally relevant memories", () => {
    const byImportance = rankMemories([memory("small-talk", 0.7, 0.1, 1), memory("name", 0.7, 0.9, 1)], 2, NOW);
    assert.deepEqual(byImportance.map((m) => m.name), ["name", "small-talk"]);

    const byRecency = rankMemories([memory("old", 0.7, 0.5, 30), memory("new", 0.7, 0.5, 0)], 2, NOW);
    assert.deepEqual(byRecency.map((m) => m.name), ["new", "old"]);
  });

  test("returns at most limit memories with their scores, keeping the original fields", () => {
    const candidates = [memory("a", 0.2, 0.2, 3), memory("b", 0.8, 0.2, 3), memory("c", 0.5, 0.2, 3)];
    const ranked = rankMemories(candidates, 2, NOW);
    assert.deepEqual(ranked.map((m) => m.name), ["b", "c"]);
    assert.equal(ranked[0]!.score, scoreOf(candidates[1]!, NOW));
    assert.ok(ranked[0]!.score > ranked[1]!.score);
    assert.deepEqual(rankMemories(candidates, 0, NOW), []);
  });

  test("clamps out-of-range relevance instead of letting it dominate", () => {
    const ranked = rankMemories([memory("nan", Number.NaN, 0.5, 0), memory("negative", -0.4, 0.5, 0)], 2, NOW);
    for (const m of ranked) assert.ok(Number.isFinite(m.score));
    assert.equal(ranked[0]!.score, ranked[1]!.score);
  });
});
