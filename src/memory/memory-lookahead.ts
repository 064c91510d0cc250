/**
 * Long-term memories looked up before a player speaks, so no chat waits for a lookup.
 *
 * A lookup is an embeddings request and a vector query: milliseconds against a local store, and
 * 100 ms or more against a hosted embeddings API, which alone would spend half of the 200 ms
 * first-token budget. So each player's memories are fetched ahead: when the player joins (by
 * the conversation so far) and after each of the player's turns (by that exchange). A chat then
 * takes what is ready. The price: a prompt's memories match the talk up to the previous turn,
 * not the new message itself, which the prompt carries anyway.
 */

export type RecallFn = (userId: string, text: string, signal: AbortSignal) => Promise<string[]>;

export interface MemoryLookaheadOptions {
  recall: RecallFn;
  /** A lookup still running after this long is given up, so a stalled store holds nothing. */
  lookupDeadlineMs?: number;
  onError?(err: unknown, userId: string): void;
}

/** What a chat can use now: memories, or a lookup that has not answered yet. */
export type Lookahead =
  | { ready: true; memories: string[] }
  | { ready: false; pending: Promise<string[]> };

interface PlayerMemories {
  /** The newest lookup's answer; older answers stay usable until a newer one lands. */
  latest: string[] | null;
  pending: Promise<string[]> | null;
  generation: number;
}

const DEFAULT_LOOKUP_DEADLINE_MS = 5_000;

export class MemoryLookahead {
  readonly #recall: RecallFn;
  readonly #deadlineMs: number;
  readonly #onError: (err: unknown, userId: string) => void;
  readonly #players = new Map<string, PlayerMemories>();
  readonly #closed = new AbortController();

  constructor(options: MemoryLookaheadOptions) {
    this.#recall = options.recall;
    this.#deadlineMs = options.lookupDeadlineMs ?? DEFAULT_LOOKUP_DEADLINE_MS;
    this.#onError = options.onError ?? (() => {});
  }

  /** Starts a lookup of this player's memories by `text`; what an earlier lookup found stays usable meanwhile. */
  prepare(userId: string, text: string): void {
    if (this.#closed.signal.aborted) return;
    const player = this.#players.get(userId) ?? { latest: null, pending: null, generation: 0 };
    this.#players.set(userId, player);
    const generation = ++player.generation;
    // Plain timers and listeners: AbortSignal.timeout/any can be collected before they fire.
    const abort = new AbortController();
    const giveUp = () => abort.abort();
    const timer = setTimeout(giveUp, this.#deadlineMs);
    this.#closed.signal.addEventListener("abort", giveUp, { once: true });
    const lookup = this.#recall(userId, text, abort.signal).finally(() => {
      clearTimeout(timer);
      this.#closed.signal.removeEventListener("abort", giveUp);
    }).then(
      (memories) => {
        if (player.generation === generation) {
          player.latest = memories;
          player.pending = null;
        }
        return memories;
      },
      (err: unknown) => {
        if (!this.#closed.signal.aborted) this.#onError(err, userId);
        if (player.generation === generation) player.pending = null;
        return player.latest ?? [];
      },
    );
    player.pending = lookup;
  }

  /** `prepare`, for a player still here (prepared, not forgotten): a turn can end after its player left. */
  refresh(userId: string, text: string): void {
    if (this.#players.has(userId)) this.prepare(userId, text);
  }

  /**
   * What a chat of this player uses: the newest answer if one has landed, else an older one, else
   * the lookup in flight (null when none was ever prepared).
   */
  take(userId: string): Lookahead | null {
    const player = this.#players.get(userId);
    if (!player) return null;
    if (player.pending === null || player.latest !== null) return { ready: true, memories: player.latest ?? [] };
    return { ready: false, pending: player.pending };
  }

  /** The player left: nothing of theirs is kept. */
  forget(userId: string): void {
    this.#players.delete(userId);
  }

  /** Gives up every lookup in flight. */
  close(): void {
    this.#closed.abort();
    this.#players.clear();
  }
}
