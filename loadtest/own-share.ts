/**
 * Parley's own share of the first chunk, as Parley itself measures it (the histogram
 * `parley_first_chunk_own_seconds` on /metrics): the bots see the whole path, the shared machine
 * included; this is what is left once the model's time and every other process are taken out.
 */
const METRIC = "parley_first_chunk_own_seconds_bucket";

/** Cumulative counts by bucket upper bound (seconds; Infinity for +Inf). */
export type Buckets = Map<number, number>;

export function parseOwnShareBuckets(metricsText: string): Buckets {
  const buckets: Buckets = new Map();
  for (const line of metricsText.split("\n")) {
    if (!line.startsWith(METRIC)) continue;
    const match = /le="([^"]+)"\}\s+(\S+)/.exec(line);
    if (!match) continue;
    const le = match[1] === "+Inf" ? Infinity : Number(match[1]);
    buckets.set(le, (buckets.get(le) ?? 0) + Number(match[2]));
  }
  return buckets;
}

/** One process's histogram, or null when it did not answer. */
export type Reading = Buckets | null;

/**
 * What was observed between two readings, `after` minus `before`, summed over the processes that
 * answered both (index i is one process in both arrays). A process missing from either reading is
 * left out rather than counted as empty: an empty `before` would add everything since its start,
 * an empty `after` would subtract it.
 */
export function bucketDelta(before: readonly Reading[], after: readonly Reading[]): { buckets: Buckets; processesRead: number } {
  const buckets: Buckets = new Map();
  let processesRead = 0;
  after.forEach((a, i) => {
    const b = before[i];
    if (!a || !b) return;
    processesRead += 1;
    for (const [le, n] of a) buckets.set(le, (buckets.get(le) ?? 0) + n);
    for (const [le, n] of b) buckets.set(le, (buckets.get(le) ?? 0) - n);
  });
  return { buckets, processesRead };
}

/**
 * The bucket bound, in ms, under which a share `q` (0..1) of the observations fall: an upper
 * bound, as precise as the buckets. Null when nothing was observed.
 */
export function bucketQuantileMs(buckets: Buckets, q: number): number | null {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Infinity) ?? 0;
  if (total <= 0) return null;
  for (const le of bounds) if ((buckets.get(le) ?? 0) >= q * total) return le * 1000;
  return Infinity;
}

/**
 * Reads the histogram of every Parley process, null for one that does not answer. A saturated
 * process may take seconds to serve /metrics behind a wave of joins, hence the long timeout: a late
 * reading only shortens the span it covers.
 */
export async function readOwnShare(ports: readonly number[], timeoutMs = 15_000): Promise<Reading[]> {
  return Promise.all(ports.map(async (port) => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) return null;
      return parseOwnShareBuckets(await res.text());
    } catch {
      return null;
    }
  }));
}
