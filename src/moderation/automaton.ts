/**
 * Aho-Corasick automaton over folded UTF-16 code units, stored as flat typed arrays so one
 * build can be shared by every stream and scanning allocates nothing.
 */
import { foldText } from "./fold.ts";

export interface Automaton {
  /** Distinct terms as given (first spelling wins when two fold to the same key). */
  readonly terms: readonly string[];
  /** Next state from the root for each code unit; 0 = stay at the root. */
  readonly rootNext: Int32Array;
  /** Edges of node n are edgeChar/edgeTarget[edgeStart[n] .. edgeStart[n + 1]), sorted by char. */
  readonly edgeStart: Int32Array;
  readonly edgeChar: Uint16Array;
  readonly edgeTarget: Int32Array;
  readonly fail: Int32Array;
  /** Length of the prefix a node spells. */
  readonly depth: Int32Array;
  /** Longest term ending at the node (itself or via failure links), index into terms, or -1. */
  readonly output: Int32Array;
  /** Next node on the failure chain that ends a term, or -1; walks every term ending here. */
  readonly outputLink: Int32Array;
}

export function buildAutomaton(input: Iterable<string>): Automaton {
  const terms: string[] = [];
  const children: Map<number, number>[] = [new Map()];
  const termAt: number[] = [-1];
  const depth: number[] = [0];

  for (const term of input) {
    // A blank term would match between every two characters and block everything.
    if (term.trim().length === 0) continue;
    const key = foldText(term);
    let node = 0;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      let next = children[node]!.get(c);
      if (next === undefined) {
        next = children.length;
        children.push(new Map());
        termAt.push(-1);
        depth.push(i + 1);
        children[node]!.set(c, next);
      }
      node = next;
    }
    if (termAt[node] === -1) {
      termAt[node] = terms.length;
      terms.push(term);
    }
  }

  const n = children.length;
  const fail = new Int32Array(n);
  const output = new Int32Array(n).fill(-1);
  const outputLink = new Int32Array(n).fill(-1);
  // Breadth-first, so a node's failure target (always shallower) is complete before it is used.
  const queue: number[] = [];
  for (const child of children[0]!.values()) queue.push(child);
  for (let head = 0; head < queue.length; head++) {
    const u = queue[head]!;
    const f = fail[u]!;
    output[u] = termAt[u]! >= 0 ? termAt[u]! : output[f]!;
    outputLink[u] = termAt[f]! >= 0 ? f : outputLink[f]!;
    for (const [c, v] of children[u]!) {
      let g = f;
      while (g !== 0 && !children[g]!.has(c)) g = fail[g]!;
      fail[v] = children[g]!.get(c) ?? 0;
      queue.push(v);
    }
  }

  const edgeStart = new Int32Array(n + 1);
  let edges = 0;
  for (let u = 0; u < n; u++) edges += children[u]!.size;
  const edgeChar = new Uint16Array(edges);
  const edgeTarget = new Int32Array(edges);
  const rootNext = new Int32Array(0x10000);
  let e = 0;
  for (let u = 0; u < n; u++) {
    edgeStart[u] = e;
    const sorted = [...children[u]!].sort((a, b) => a[0] - b[0]);
    for (const [c, v] of sorted) {
      edgeChar[e] = c;
      edgeTarget[e++] = v;
      if (u === 0) rootNext[c] = v;
    }
  }
  edgeStart[n] = e;

  return {
    terms,
    rootNext,
    edgeStart,
    edgeChar,
    edgeTarget,
    fail,
    depth: Int32Array.from(depth),
    output,
    outputLink,
  };
}
