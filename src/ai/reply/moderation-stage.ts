/**
 * The reply's moderation stage: model text goes through the content rules on its way to the
 * chunks. A blocked term stops the reply; what was waiting to go out is dropped, and the caller
 * retracts what was shown. Without rules, text passes straight through.
 */
import { createModeratedStream, type Hit, type ModeratedStream, type ModeratedStreamOptions } from "../../moderation/index.ts";

/** Where released text goes: the chunk pacer. */
export interface ModerationOutlet {
  push(content: string): void;
  /** True once the first chunk has gone out. */
  readonly started: boolean;
  /** Discards what waits to go out. */
  drop(): void;
}

export class ModerationStage {
  readonly #filter: ModeratedStream | null;
  readonly #out: ModerationOutlet;
  readonly #onHit: (hit: Hit) => void;

  /** `onHit` is told once, after what was waiting has been dropped. */
  constructor(rules: ModeratedStreamOptions | undefined, out: ModerationOutlet, onHit: (hit: Hit) => void) {
    this.#filter = rules ? createModeratedStream(rules) : null;
    this.#out = out;
    this.#onHit = onHit;
  }

  /** The term that stopped the reply, if one did. */
  get blocked(): Hit | null {
    return this.#filter?.blocked ?? null;
  }

  push(content: string): void {
    const filter = this.#filter;
    if (!filter) return this.#out.push(content);
    if (filter.blocked) return;
    const { release, hit } = filter.push(content);
    this.#out.push(release);
    // The first chunk never waits for the next token: it is the latency players feel. What it
    // shows is at most the start of a blocked term, which is retracted if the term completes.
    if (!this.#out.started && !hit) this.#out.push(filter.releaseHeld());
    if (hit) {
      // Nothing more of a retracted reply goes out, not even what was waiting to.
      this.#out.drop();
      this.#onHit(hit);
    }
  }

  /** At the normal end of the reply: held text is released (a cut reply never calls this, and drops it). */
  end(): void {
    if (this.#filter) this.#out.push(this.#filter.flush());
  }
}
