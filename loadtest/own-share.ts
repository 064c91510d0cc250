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

/** What was observed between two readings, summed over processes: `after` minus `before`. */
export function bucketDelta(before: readonly Buckets[], after: readonly Buckets[]): Buckets {
  const out: Buckets = new Map();
  for (const b of after) for (const [le, n] of b) out.set(le, (out.get(le) ?? 0) + n);
  for (const b of before) for (const [le, n] of b) out.set(le, (out.get(le) ?? 0) - n);
  return out;
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

/** Reads the histogram of every Parley process; a process that does not answer counts as empty. */
export async function readOwnShare(ports: readonly number[]): Promise<Buckets[]> {
  return Promise.all(ports.map(async (port) => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
      return parseOwnShareBuckets(await res.text());
    } catch {
      return new Map();
    }
  }));
}
