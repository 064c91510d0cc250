import type { BaseMessage } from "@langchain/core/messages";
import type { ContextWindow } from "./context-window.ts";

interface Entry { messages: BaseMessage[]; expiresAt: number }

/** The context window without Redis: same trimming and time-to-live, in this process only. */
export class InProcessContextWindow implements ContextWindow {
  readonly #entries = new Map<string, Entry>();
  readonly #maxMessages: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(opts: { maxMessages: number; ttlSeconds: number; now?: () => number }) {
    this.#maxMessages = opts.maxMessages;
    this.#ttlMs = opts.ttlSeconds * 1000;
    this.#now = opts.now ?? Date.now;
  }

  async load(sessionId: string): Promise<BaseMessage[] | null> {
    const entry = this.#entries.get(sessionId);
    if (!entry) return null;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(sessionId);
      return null;
    }
    entry.expiresAt = this.#now() + this.#ttlMs;
    return [...entry.messages];
  }

  async append(sessionId: string, messages: readonly BaseMessage[]): Promise<void> {
    const current = (await this.load(sessionId)) ?? [];
    await this.replace(sessionId, [...current, ...messages]);
  }

  async replace(sessionId: string, messages: readonly BaseMessage[]): Promise<void> {
    this.#sweep();
    this.#entries.set(sessionId, { messages: messages.slice(-this.#maxMessages), expiresAt: this.#now() + this.#ttlMs });
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }

  /** Expired sessions are dropped lazily so memory stays bounded by the live ones. */
  #sweep(): void {
    if (this.#entries.size % 256 !== 0) return;
    const now = this.#now();
    for (const [id, e] of this.#entries) if (e.expiresAt <= now) this.#entries.delete(id);
  }
}
