/**
 * State is patched when it changes, not on Colyseus' 20-a-second interval: a thousand quiet rooms
 * would otherwise spend a fifth of a core checking for changes (BENCHMARKS.md). Changes within the
 * delay go out as one patch.
 */
export class StatePatches {
  readonly #send: () => void;
  readonly #delayMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(send: () => void, delayMs: number) {
    this.#send = send;
    this.#delayMs = delayMs;
  }

  /** The state changed: patch it within the delay. */
  soon(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#send();
    }, this.#delayMs);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
