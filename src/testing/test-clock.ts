import type { Scheduler } from "../store/scheduler.ts";
import type { Logger } from "../store/durable-chat-log.ts";
import { until } from "./until.ts";

interface Timer {
  id: number;
  at: number;
  delay: number;
  fn: () => void;
}

/** Timers that fire only when the test says so. */
export class ManualScheduler implements Scheduler {
  private time = 0;
  private nextId = 1;
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, at: this.time + ms, delay: ms, fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Delays of the timers still waiting, earliest first. */
  pendingDelays(): number[] {
    return this.sorted().map((t) => t.delay);
  }

  /** Moves the clock to the earliest timer and fires it. */
  fireNext(): void {
    const next = this.sorted()[0];
    if (!next) throw new Error("no timer is waiting");
    this.clearTimeout(next.id);
    this.time = next.at;
    next.fn();
  }

  private sorted(): Timer[] {
    return [...this.timers].sort((a, b) => a.at - b.at || a.id - b.id);
  }
}

/** Lets every promise chain and file operation started so far run to its next wait. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Polls until `check` holds; a test that never gets there fails instead of hanging. */
export function waitFor(check: () => boolean | Promise<boolean>, what = "condition", limitMs = 10_000): Promise<void> {
  return until(check, what, limitMs, 2);
}

export interface LogLine {
  level: "info" | "warn" | "error";
  obj: object;
  msg: string | undefined;
}

export function captureLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (obj, msg) => void lines.push({ level: "info", obj, msg }),
    warn: (obj, msg) => void lines.push({ level: "warn", obj, msg }),
    error: (obj, msg) => void lines.push({ level: "error", obj, msg }),
  };
}
