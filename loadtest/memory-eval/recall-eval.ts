/**
 * Measures the recall Parley runs in production: memories written through PgLongTermMemory into
 * a memories table, looked up through BatchingRecall with the configured recall limit, ranked by
 * rank-memories.ts, exactly as services.ts wires them for the rooms.
 */
import { BatchingRecall } from "../../src/memory/batching-recall.ts";
import type { Embedder } from "../../src/memory/long-term-memory.ts";
import { PgLongTermMemory } from "../../src/memory/pg-long-term-memory.ts";
import { createMemoryIndexes, createMemoryTable } from "../../src/memory/pg-memory-schema.ts";
import type { VectorEncoding } from "../../src/memory/pgvector-params.ts";
import type { SqlClient } from "../../src/store/sql.ts";
import { EVAL_CHARACTER, EVAL_USER, type EvalDataset } from "./dataset.ts";
import type { Language } from "./facts.ts";

export interface EvalStore {
  sql: SqlClient;
  /** A table name of its own; created here, dropped by the caller. */
  table: string;
  embedder: Embedder;
  /** As storage.ts: `binary` on a pg.Pool, `text` on the embedded database. */
  vectorEncoding: VectorEncoding;
  /** The lookups' limit: the configured MEMORY_RECALL_LIMIT. */
  recallLimit: number;
}

export interface Hits {
  questions: number;
  hit1: number;
  hit3: number;
}

export interface RecallHandle {
  recall(text: string): Promise<string[]>;
  /** A single lookup, sent at once (as when a chat waits for one). */
  recallNow(text: string): Promise<string[]>;
  close(): Promise<void>;
}

/** Loads `memories` into a fresh table, then hands back the rooms' recall over it. */
export async function loadStore(store: EvalStore, dataset: Pick<EvalDataset, "memories" | "now">): Promise<RecallHandle> {
  const memory = new PgLongTermMemory({
    sql: store.sql, embedder: store.embedder, table: store.table, now: () => dataset.now, vectorEncoding: store.vectorEncoding,
  });
  await createMemoryTable(store.sql, { table: store.table, dimensions: store.embedder.dimensions });
  for (let start = 0; start < dataset.memories.length; start += 1000) {
    await memory.rememberAll(dataset.memories.slice(start, start + 1000));
  }
  await createMemoryIndexes(store.sql, { table: store.table, vectorIndex: "none" });
  await store.sql.query(`ANALYZE ${store.table}`);
  // The same batching as services.ts (64 lookups or 100 ms).
  const batching = new BatchingRecall({ memory, maxBatch: 64, maxWaitMs: 100 });
  const ask = (text: string) => batching.recall({ user_id: EVAL_USER, character_id: EVAL_CHARACTER, text, limit: store.recallLimit });
  return {
    recall: async (text) => (await ask(text)).map((m) => m.content),
    recallNow: async (text) => {
      const found = ask(text);
      batching.flush();
      return (await found).map((m) => m.content);
    },
    close: async () => {
      batching.close();
      await memory.close();
    },
  };
}

/** hit@1 and hit@3 per language: the fact's memory first, or among the first three. */
export async function scoreQuestions(handle: RecallHandle, dataset: Pick<EvalDataset, "questions">): Promise<Record<Language | "all", Hits> & { misses: string[] }> {
  // Asked together, as a wave of players' lookups would be: they share batches.
  const answers = await Promise.all(dataset.questions.map((q) => handle.recall(q.fact.question)));
  const empty = (): Hits => ({ questions: 0, hit1: 0, hit3: 0 });
  const result = { en: empty(), zh: empty(), all: empty(), misses: [] as string[] };
  dataset.questions.forEach((q, i) => {
    const found = answers[i]!;
    const rank = found.indexOf(q.answer);
    for (const hits of [result[q.fact.language], result.all]) {
      hits.questions++;
      if (rank === 0) hits.hit1++;
      if (rank >= 0 && rank < 3) hits.hit3++;
    }
    if (rank < 0 || rank >= 3) result.misses.push(`${q.fact.id}: "${q.fact.question}" -> ${JSON.stringify(found[0] ?? null)}`);
  });
  return result;
}

/** Single lookups one after another, each sent at once: milliseconds per lookup. */
export async function lookupLatencies(handle: RecallHandle, texts: readonly string[], count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await handle.recallNow(texts[i % texts.length]!);
    times.push(performance.now() - start);
  }
  return times;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
