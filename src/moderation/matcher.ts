/**
 * Blocklist matching: an immutable matcher built once from the terms, and cheap per-stream
 * scanners that carry automaton state across chunks so a term split over chunks is still found.
 */
import { buildAutomaton } from "./automaton.ts";
import type { Automaton } from "./automaton.ts";
import { foldingTable } from "./fold.ts";

/** One blocked term occurrence; offsets count UTF-16 code units of the whole stream. */
export interface Hit {
  /** The term as written in the list. */
  term: string;
  startOffset: number;
  /** Just past the last character of the occurrence. */
  endOffset: number;
}

export interface ScanResult {
  /** The first occurrence completed in this push, or the one that stopped the scanner earlier. */
  hit: Hit | null;
  /** Length of the longest suffix seen so far that is a proper prefix of a term (0 after a hit). */
  pendingLength: number;
}

export class BlocklistMatcher {
  private readonly a: Automaton;
  private readonly fold: Uint16Array;

  private constructor(a: Automaton) {
    this.a = a;
    this.fold = foldingTable();
  }

  /** Builds the automaton; blank terms are ignored, duplicates (after folding) kept once. */
  static fromTerms(terms: Iterable<string>): BlocklistMatcher {
    return new BlocklistMatcher(buildAutomaton(terms));
  }

  /** Number of distinct terms. */
  get size(): number {
    return this.a.terms.length;
  }

  get terms(): readonly string[] {
    return this.a.terms;
  }

  /** A fresh scanner for one stream. */
  scanner(): BlocklistScanner {
    return new BlocklistScanner(this);
  }

  /** The first occurrence in a complete text (earliest end; the longest term ending there). */
  findFirst(text: string): Hit | null {
    return this.scanner().push(text).hit;
  }

  /** Every occurrence of every term, ordered by end then by length descending. */
  findAll(text: string): Hit[] {
    const { output, outputLink, terms } = this.a;
    const hits: Hit[] = [];
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      state = this.next(state, this.fold[text.charCodeAt(i)]!);
      // Walk the state itself if it ends a term, then every shorter term via outputLink.
      let node = this.endsTerm(state) ? state : outputLink[state]!;
      for (; node >= 0; node = outputLink[node]!) {
        const term = terms[output[node]!]!;
        hits.push({ term, startOffset: i + 1 - term.length, endOffset: i + 1 });
      }
    }
    return hits;
  }

  /** @internal The state after reading one folded code unit. */
  next(state: number, code: number): number {
    const { rootNext, edgeStart, edgeChar, edgeTarget, fail } = this.a;
    let s = state;
    while (s !== 0) {
      let lo = edgeStart[s]!;
      let hi = edgeStart[s + 1]! - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const c = edgeChar[mid]!;
        if (c === code) return edgeTarget[mid]!;
        if (c < code) lo = mid + 1;
        else hi = mid - 1;
      }
      s = fail[s]!;
    }
    return rootNext[code]!;
  }

  private endsTerm(state: number): boolean {
    const t = this.a.output[state]!;
    // Folding keeps lengths, so a term ends exactly here iff its length is the state's depth.
    return t >= 0 && this.a.terms[t]!.length === this.a.depth[state]!;
  }

  /** @internal */
  depthOf(state: number): number {
    return this.a.depth[state]!;
  }

  /** @internal Index of the longest term ending at this state, or -1. */
  outputOf(state: number): number {
    return this.a.output[state]!;
  }
}

/** Scans one stream; stops at the first hit and stays stopped until reset(). */
export class BlocklistScanner {
  private readonly matcher: BlocklistMatcher;
  private readonly fold: Uint16Array;
  private state = 0;
  private offset = 0;
  private stopped: Hit | null = null;

  constructor(matcher: BlocklistMatcher) {
    this.matcher = matcher;
    this.fold = foldingTable();
  }

  /** Characters scanned so far. */
  get consumed(): number {
    return this.offset;
  }

  get hit(): Hit | null {
    return this.stopped;
  }

  push(text: string): ScanResult {
    if (this.stopped) return { hit: this.stopped, pendingLength: 0 };
    const m = this.matcher;
    let state = this.state;
    for (let i = 0; i < text.length; i++) {
      state = m.next(state, this.fold[text.charCodeAt(i)]!);
      const t = m.outputOf(state);
      if (t >= 0) {
        const term = m.terms[t]!;
        const end = this.offset + i + 1;
        this.stopped = { term, startOffset: end - term.length, endOffset: end };
        this.offset = end;
        this.state = 0;
        return { hit: this.stopped, pendingLength: 0 };
      }
    }
    this.state = state;
    this.offset += text.length;
    return { hit: null, pendingLength: m.depthOf(state) };
  }

  /** Back to the start of a new stream. */
  reset(): void {
    this.state = 0;
    this.offset = 0;
    this.stopped = null;
  }
}
