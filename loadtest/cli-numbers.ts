/** Numbers from the benchmarks' command lines, refused with the flag's name when they make no sense. */

/** A comma-separated list of positive numbers. */
export function positiveList(name: string, raw: string): number[] {
  return raw.split(",").map((v) => {
    const n = Number(v.trim());
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: "${v}" is not a positive number`);
    return n;
  });
}

/** One number of at least `min`. */
export function numberAtLeast(name: string, raw: string, min = 1): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}`);
  return n;
}
