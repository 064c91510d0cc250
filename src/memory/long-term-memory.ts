/** Long-term memory: what a character remembers of a player across sessions. */
export interface MemoryEntry {
  user_id: string;
  character_id: string;
  session_id: string;
  /** The remembered text (an exchange: what the player said and what the character answered). */
  content: string;
  /** 0..1: how much this should weigh when ranking. */
  importance: number;
  created_at: Date;
}

export interface RecalledMemory extends MemoryEntry {
  id: string;
  /** Cosine similarity to the query, 0..1. */
  relevance: number;
  /** The final rank score (relevance + importance + recency). */
  score: number;
}

export interface MemoryQuery {
  user_id: string;
  character_id: string;
  text: string;
  limit: number;
}

export interface LongTermMemory {
  remember(entry: MemoryEntry): Promise<void>;
  /** Many at once: one embeddings request and few round trips. */
  rememberAll(entries: readonly MemoryEntry[], signal?: AbortSignal): Promise<void>;
  recall(query: MemoryQuery, signal?: AbortSignal): Promise<RecalledMemory[]>;
  /** Many lookups at once: one embeddings request and one statement; answers in query order. */
  recallAll(queries: readonly MemoryQuery[], signal?: AbortSignal): Promise<RecalledMemory[][]>;
  close(): Promise<void>;
}

/** Turns text into vectors of a fixed size. */
export interface Embedder {
  readonly dimensions: number;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
  /** Frees connections; called once at shutdown. */
  close?(): void;
}
