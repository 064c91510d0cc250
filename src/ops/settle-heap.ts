/**
 * One memory-reducing collection at the end of start-up. Loading the code and opening the stores
 * grow V8's young generation to its largest (32 MB) and leave start-up garbage in the old one; V8
 * gives that back only when its memory reducer decides the process is idle, which took from a few
 * seconds to more than 30 on an idle server (npm run bench:idle-rss: about 230 MB resident at 5 s,
 * 182-227 MB at 30 s, on the embedded default). Done before the server listens, the pause meets no
 * player. Node has no public call for it: V8's `gc` is exposed into a throwaway context only.
 */
import v8 from "node:v8";
import { runInNewContext } from "node:vm";

type GcOptions = { type: "major"; execution: "sync"; flavor: "last-resort" };

export interface HeapSettled {
  ms: number;
  /** Committed V8 heap before and after, MB. */
  heapBeforeMb: number;
  heapAfterMb: number;
}

export function settleHeap(): HeapSettled {
  v8.setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as (options: GcOptions) => void;
  const before = process.memoryUsage().heapTotal;
  const started = performance.now();
  // "last-resort": every collection V8 can make, shrinking the young generation as it goes.
  gc({ type: "major", execution: "sync", flavor: "last-resort" });
  return {
    ms: performance.now() - started,
    heapBeforeMb: before / 2 ** 20,
    heapAfterMb: process.memoryUsage().heapTotal / 2 ** 20,
  };
}
