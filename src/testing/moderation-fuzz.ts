/** Helpers shared by the moderation tests: a seeded generator and a naive reference matcher. */

/** Deterministic PRNG (mulberry32) so failures reproduce: the simulated model's own. */
export { mulberry32 as seededRandom } from "../../loadtest/sim-openai/reply-text.ts";

export function randomString(rand: () => number, alphabet: string, min: number, max: number): string {
  const len = min + Math.floor(rand() * (max - min + 1));
  let s = "";
  for (let i = 0; i < len; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

/** Splits text into chunks of 1..maxLen characters. */
export function randomChunks(rand: () => number, text: string, maxLen: number): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; ) {
    const n = 1 + Math.floor(rand() * maxLen);
    chunks.push(text.slice(i, i + n));
    i += n;
  }
  return chunks;
}

/** First occurrence by earliest end, longest term at that end; for already-folded input. */
export function naiveFirst(text: string, terms: readonly string[]): { term: string; end: number } | null {
  for (let end = 1; end <= text.length; end++) {
    let best: string | null = null;
    for (const t of terms) {
      if (t.length <= end && text.startsWith(t, end - t.length) && (!best || t.length > best.length)) best = t;
    }
    if (best) return { term: best, end };
  }
  return null;
}

/** Longest suffix of text that is a proper prefix of some term. */
export function naivePending(text: string, terms: readonly string[]): number {
  let best = 0;
  for (const t of terms) {
    for (let k = Math.min(t.length - 1, text.length); k > best; k--) {
      if (text.endsWith(t.slice(0, k))) best = k;
    }
  }
  return best;
}
