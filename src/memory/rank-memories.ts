/** Everything that shapes which memories a character recalls, in one place. */
export interface RankingTunables {
  relevanceWeight: number;
  importanceWeight: number;
  recencyWeight: number;
  recencyHalfLifeMs: number;
  overfetchFactor: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const RANKING: Readonly<RankingTunables> = Object.freeze({
  // What the player is talking about now matters most; the other two only reorder near-equals.
  relevanceWeight: 0.6,
  // Names, preferences and questions should beat small talk of similar relevance.
  importanceWeight: 0.25,
  // A light pull toward recent talk, too weak to bury an old but relevant fact.
  recencyWeight: 0.15,
  // A week: last session's talk is still fresh, a month-old exchange keeps about 5%.
  recencyHalfLifeMs: 7 * DAY_MS,
  // The index orders by similarity alone; 4x the asked-for count gives importance and
  // recency enough candidates to promote without scanning the whole history.
  overfetchFactor: 4,
});

export interface RankCandidate {
  /** Cosine similarity to the query, 0..1. */
  relevance: number;
  /** 0..1. */
  importance: number;
  created_at: Date;
}

/** How many candidates to fetch by similarity for a recall of `limit` memories. */
export function overfetchCount(limit: number, tunables: RankingTunables = RANKING): number {
  if (!Number.isFinite(limit) || limit <= 0) return 0;
  return Math.ceil(Math.floor(limit) * Math.max(1, tunables.overfetchFactor));
}

/** 1 for a memory made now, 0.5 after one half-life, toward 0 for very old ones. */
export function recencyOf(createdAt: Date, now: Date, tunables: RankingTunables = RANKING): number {
  const age = Math.max(0, now.getTime() - createdAt.getTime());
  if (!Number.isFinite(age)) return 0;
  return Math.pow(0.5, age / tunables.recencyHalfLifeMs);
}

export function scoreOf(candidate: RankCandidate, now: Date, tunables: RankingTunables = RANKING): number {
  return (
    tunables.relevanceWeight * clamp01(candidate.relevance) +
    tunables.importanceWeight * clamp01(candidate.importance) +
    tunables.recencyWeight * recencyOf(candidate.created_at, now, tunables)
  );
}

/**
 * The best `limit` candidates by score, best first, each with its score. Ties go to the more
 * relevant, then to the newer memory.
 */
export function rankMemories<T extends RankCandidate>(
  candidates: readonly T[],
  limit: number,
  now: Date,
  tunables: RankingTunables = RANKING,
): Array<T & { score: number }> {
  const count = Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : 0;
  return candidates
    .map((candidate) => ({ ...candidate, score: scoreOf(candidate, now, tunables) }))
    .sort(
      (a, b) =>
        b.score - a.score ||
        clamp01(b.relevance) - clamp01(a.relevance) ||
        b.created_at.getTime() - a.created_at.getTime(),
    )
    .slice(0, count);
}

export function clamp01(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(1, Math.max(0, value));
}
