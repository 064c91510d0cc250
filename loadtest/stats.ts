/** Nearest-rank percentiles of a sample, keyed by percentile. */
export function percentiles(samples: readonly number[], ps: readonly number[]): Record<number, number> {
  const sorted = [...samples].sort((a, b) => a - b);
  const out: Record<number, number> = {};
  for (const p of ps) {
    out[p] = sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  }
  return out;
}
