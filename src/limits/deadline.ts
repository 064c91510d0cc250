/** Racing work against a deadline, the one way: the timer never outlives the race. */

/** What `orLate` resolves with when the work has not settled in time. */
export const LATE = Symbol("late");

/** `work`'s value, or LATE when it has not settled within `ms`; a rejection of `work` in time rejects. */
export async function orLate<T>(work: Promise<T>, ms: number): Promise<T | typeof LATE> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => { timer = setTimeout(resolve, ms, LATE); });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
