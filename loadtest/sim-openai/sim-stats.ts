import { EventEmitter } from "node:events";

export interface ChatRequestBody {
  model?: string;
  messages: Array<{ role: string; content?: unknown; [key: string]: unknown }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  [key: string]: unknown;
}

export interface SimRequestRecord {
  id: string;
  body: ChatRequestBody;
}

export interface SimStatsEvents {
  request: [SimRequestRecord];
  completed: [SimRequestRecord];
  cancelled: [SimRequestRecord];
  embeddings: [unknown];
}

export const LAST_REQUESTS_KEPT = 50;

/** Counters and events tests await to observe what the simulated model saw. */
export class SimStats extends EventEmitter<SimStatsEvents> {
  requests = 0;
  completed = 0;
  cancelled = 0;
  active = 0;
  embeddings = 0;
  readonly lastRequests: SimRequestRecord[] = [];

  constructor() {
    super();
    // Many tests may wait at once; a leak warning would only be noise here.
    this.setMaxListeners(0);
  }

  recordRequest(record: SimRequestRecord): void {
    this.requests++;
    this.active++;
    this.lastRequests.push(record);
    if (this.lastRequests.length > LAST_REQUESTS_KEPT) this.lastRequests.shift();
    this.emit("request", record);
  }

  recordCompleted(record: SimRequestRecord): void {
    this.completed++;
    this.active--;
    this.emit("completed", record);
  }

  recordCancelled(record: SimRequestRecord): void {
    this.cancelled++;
    this.active--;
    this.emit("cancelled", record);
  }

  recordEmbeddings(body: unknown): void {
    this.embeddings++;
    this.emit("embeddings", body);
  }

  /** Resolves once the predicate holds, re-checking after every recorded event. */
  waitFor(predicate: (stats: SimStats) => boolean, timeoutMs = 5000): Promise<void> {
    if (predicate(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const events = ["request", "completed", "cancelled", "embeddings"] as const;
      const check = (): void => {
        if (!predicate(this)) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`SimStats.waitFor timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        for (const event of events) this.off(event, check);
      };
      for (const event of events) this.on(event, check);
    });
  }
}
