import type { Embedder } from "./long-term-memory.ts";

/**
 * The name of this embedder's vector space, recorded with the memories it made. Any change to
 * the features, their weights or the hashing makes another space: bump the version.
 */
export const HASHING_EMBEDDER_MODEL = "hashing-v2";

/**
 * A local, deterministic embedder: signed feature hashing of words, sub-word trigrams and,
 * for Chinese and Japanese (written without spaces), characters and character bigrams.
 * It knows no synonyms, but it finds memories that share words with the query, costs no
 * network call and gives the same vector for the same text in every process.
 */
export class HashingEmbedder implements Embedder {
  readonly dimensions: number;

  constructor(options: { dimensions?: number } = {}) {
    const dimensions = options.dimensions ?? 256;
    if (!Number.isInteger(dimensions) || dimensions < 2) {
      throw new Error(`HashingEmbedder: dimensions must be an integer >= 2, got ${dimensions}`);
    }
    this.dimensions = dimensions;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    signal?.throwIfAborted();
    return texts.map((text) => this.embedOne(text));
  }

  embedOne(text: string): number[] {
    const vector = new Array<number>(this.dimensions).fill(0);
    const features = textFeatures(text);
    // Every text gets a direction, so cosine distance is never undefined.
    if (features.size === 0) features.set("empty", 1);
    for (const [feature, weight] of features) {
      const hash = fnv1a32(feature);
      const sign = (mix32(hash) & 1) === 0 ? 1 : -1;
      // Square root: saying a word five times should not make it five times as important.
      vector[hash % this.dimensions]! += sign * Math.sqrt(weight);
    }
    let norm = 0;
    for (const x of vector) norm += x * x;
    norm = Math.sqrt(norm);
    // Opposite-signed collisions can cancel out exactly; fall back to a fixed direction.
    if (norm === 0) {
      vector[0] = 1;
      return vector;
    }
    return vector.map((x) => x / norm);
  }
}

const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]+/gu;
const CJK_ONLY = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]+$/u;
const WORD_CHARS = /[\p{L}\p{M}\p{N}]+/gu;

// Words that appear in nearly every exchange, or in nearly every question about one, and would
// make unrelated memories look alike: function words, question words, and the words of the frame
// every memory is stored in (exchange-text.ts: "The player said: ... You answered: ...").
const STOP_WORDS = new Set(
  (
    "a an the and or but if of to in on at by for with from as is am are was were be been " +
    "being do does did have has had i me my mine you your yours he him his she her it its " +
    "we us our they them their this that these those what which who whom there here so not " +
    "no yes just very too can will would should could may might must about into than then " +
    "also up out some any all oh ok okay hi hello hey im ive id ill dont youre thats whats " +
    "where when how why whos wheres remember tell know again still now please " +
    "player said answered"
  ).split(" "),
);
// Particles, pronouns and question words: in nearly every sentence, or every question.
const STOP_CHARS = new Set("的了吗呢啊吧呀是在和也就都很我你他她它们这那个着么什哪谁怎过".split(""));
/** Weight of a bigram with a stop character in it ("我的", "的狗"): some signal, mostly noise. */
const STOP_BIGRAM_WEIGHT = 0.25;
/** A word's trigrams together weigh this much: they catch spelling variants, words carry meaning. */
const TRIGRAM_WEIGHT = 0.5;

/** The weighted features of a text, before hashing. */
export function textFeatures(text: string): Map<string, number> {
  const features = new Map<string, number>();
  const add = (feature: string, weight: number): void => {
    features.set(feature, (features.get(feature) ?? 0) + weight);
  };
  // "sister's" is about a sister: the possessive goes, then any other apostrophe ("don't" -> dont).
  const normalized = text.normalize("NFKC").toLowerCase().replace(/['’]s\b/g, "").replace(/['’]/g, "");
  // Spaces around CJK runs split them from adjacent Latin words ("用python写" -> 用 python 写).
  const spaced = normalized.replace(CJK_RUN, (run) => ` ${run} `);
  for (const segment of spaced.split(/\s+/)) {
    if (segment === "") continue;
    if (CJK_ONLY.test(segment)) {
      const chars = Array.from(segment);
      for (let i = 0; i < chars.length; i++) {
        const stop = STOP_CHARS.has(chars[i]!);
        if (!stop) add(`c:${chars[i]}`, 1);
        if (i + 1 < chars.length) {
          add(`b:${chars[i]}${chars[i + 1]}`, stop || STOP_CHARS.has(chars[i + 1]!) ? STOP_BIGRAM_WEIGHT : 1);
        }
      }
      continue;
    }
    for (const raw of segment.match(WORD_CHARS) ?? []) {
      if (STOP_WORDS.has(raw)) continue;
      const word = stem(raw);
      add(`w:${word}`, 1);
      const padded = Array.from(`<${word}>`);
      if (padded.length <= 3) continue;
      const count = padded.length - 2;
      // Trigrams share a fixed weight per word, so long words do not drown short ones.
      for (let i = 0; i < count; i++) add(`t:${padded.slice(i, i + 3).join("")}`, TRIGRAM_WEIGHT / count);
    }
  }
  return features;
}

/**
 * A light English suffix stripper, so "sisters", "called" and "learning" meet "sister", "call" and
 * "learn". Deliberately crude: both sides of a comparison get the same stem, which is all it needs.
 */
export function stem(word: string): string {
  if (word.length <= 4 || /[^a-z]/.test(word)) return word;
  for (const [suffix, replacement] of STEM_RULES) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) return word.slice(0, -suffix.length) + replacement;
  }
  return word;
}

const STEM_RULES: ReadonlyArray<readonly [string, string]> = [
  ["ies", "y"], ["ing", ""], ["ed", ""], ["ly", ""], ["es", ""], ["ss", "ss"], ["s", ""],
];

const utf8 = new TextEncoder();

/** 32-bit FNV-1a over the UTF-8 bytes: fixed, so vectors match across processes and versions. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of utf8.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

// Spreads the hash bits so the sign is independent of the bucket (the low bits).
function mix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
