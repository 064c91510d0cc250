/** Each connection's chat and action rates (token buckets); floods are cut earlier, at the transport. */
import { TokenBucket } from "../limits/token-bucket.ts";

export type LimitedKind = "chat" | "action";
export type Rates = Record<LimitedKind, { burst: number; perSecond: number }>;

export class PlayerLimits {
  readonly #rates: Rates;
  readonly #buckets = new Map<string, Record<LimitedKind, TokenBucket>>();

  constructor(rates: Rates) {
    this.#rates = rates;
  }

  add(sessionId: string): void {
    this.#buckets.set(sessionId, {
      chat: new TokenBucket(this.#rates.chat.burst, this.#rates.chat.perSecond),
      action: new TokenBucket(this.#rates.action.burst, this.#rates.action.perSecond),
    });
  }

  remove(sessionId: string): void {
    this.#buckets.delete(sessionId);
  }

  /** Takes a token; a connection without buckets (not joined yet) is not limited here. */
  allow(sessionId: string, kind: LimitedKind): boolean {
    return this.#buckets.get(sessionId)?.[kind].take() ?? true;
  }
}
