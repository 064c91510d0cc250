/** Time as the write-behind log sees it; tests substitute a clock they advance by hand. */
export interface Scheduler {
  now(): number;
  /** A `background` timer must not keep the process alive by itself. */
  setTimeout(fn: () => void, ms: number, background?: boolean): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (fn, ms, background = false) => {
    const timer = setTimeout(fn, ms);
    if (background) timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Settles like `promise`, or rejects after `ms` if it has not settled by then. */
export function withTimeout<T>(scheduler: Scheduler, promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = scheduler.setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        scheduler.clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        scheduler.clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** A wait that can be cut short; resolves true when it ran out, false when cancelled. */
export function sleep(scheduler: Scheduler, ms: number): { done: Promise<boolean>; cancel(): void } {
  let finish: (ranOut: boolean) => void = () => {};
  const done = new Promise<boolean>((resolve) => (finish = resolve));
  const timer = scheduler.setTimeout(() => finish(true), Math.max(0, ms));
  return {
    done,
    cancel() {
      scheduler.clearTimeout(timer);
      finish(false);
    },
  };
}
