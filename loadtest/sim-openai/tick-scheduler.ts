// One shared interval drives every stream: thousands of per-token setTimeouts
// cost far more CPU than bucketing due work into fixed slots (a timer wheel).

/** Runs at or after its due time; returns the next due time, or null when done. */
export type TickJob = (now: number) => number | null;

export interface TickSchedulerOptions {
  tickMs?: number;
  now?: () => number;
}

export class TickScheduler {
  private readonly tickMs: number;
  private readonly now: () => number;
  private readonly buckets = new Map<number, TickJob[]>();
  private cursor = 0;
  private pending = 0;
  private ticking = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(options: TickSchedulerOptions = {}) {
    this.tickMs = options.tickMs ?? 5;
    this.now = options.now ?? (() => performance.now());
  }

  get size(): number {
    return this.pending;
  }

  currentTime(): number {
    return this.now();
  }

  schedule(job: TickJob, dueAt: number): void {
    if (this.timer === null) this.start();
    // A slot already being drained cannot take new work, so the earliest is the next one.
    const earliest = this.ticking ? this.cursor + 1 : this.cursor;
    const slot = Math.max(Math.ceil(dueAt / this.tickMs), earliest);
    const bucket = this.buckets.get(slot);
    if (bucket) bucket.push(job);
    else this.buckets.set(slot, [job]);
    this.pending++;
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.buckets.clear();
    this.pending = 0;
  }

  private start(): void {
    this.cursor = Math.floor(this.now() / this.tickMs);
    this.timer = setInterval(() => this.runDue(), this.tickMs);
    // Open sockets keep the process alive; the wheel alone never should.
    this.timer.unref();
  }

  private run(job: TickJob, now: number): void {
    let next: number | null = null;
    try {
      next = job(now);
    } catch {
      // A failing job is dropped so it cannot stall every other stream.
    }
    if (next !== null) this.schedule(job, next);
  }

  /** Runs every job whose slot has come; the interval calls it, tests may too. */
  runDue(): void {
    const now = this.now();
    const current = Math.floor(now / this.tickMs);
    this.ticking = true;
    try {
      for (; this.cursor <= current; this.cursor++) {
        const bucket = this.buckets.get(this.cursor);
        if (!bucket) continue;
        this.buckets.delete(this.cursor);
        this.pending -= bucket.length;
        for (const job of bucket) this.run(job, now);
      }
    } finally {
      this.ticking = false;
    }
    if (this.pending === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}
