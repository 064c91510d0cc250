/**
 * Admission control of joins: a process that cannot seat a player in time refuses the join at
 * matchmaking, at once and with a reason, instead of reserving a seat the player then waits 30 s
 * for. "In time" is read from the event loop: a process whose loop runs far behind is saturated
 * (too many rooms for its CPU), and every join it takes slows the players it has.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";

/** The code and message a refused join gets (as a 503 ServerError). */
export const SATURATED = "server/saturated";

export interface JoinLimits {
  /** Refuse joins while the event loop has run this many ms late within the last second or two; 0 is off. */
  maxEventLoopDelayMs: number;
  /** Refuse joins while this many players are connected to the process; 0 is off. */
  maxPlayers: number;
}

/** How late the event loop ran lately: the longest delay of the current and the previous window. */
export class EventLoopLag {
  readonly #histogram: IntervalHistogram;
  readonly #timer: NodeJS.Timeout;
  #previousMaxMs = 0;

  constructor(windowMs = 1_000) {
    this.#histogram = monitorEventLoopDelay({ resolution: 10 });
    this.#histogram.enable();
    this.#timer = setInterval(() => {
      this.#previousMaxMs = this.#histogram.max / 1e6;
      this.#histogram.reset();
    }, windowMs);
    this.#timer.unref();
  }

  /** The longest the event loop ran late in the last one or two windows, in ms. */
  get recentMaxMs(): number {
    return Math.max(this.#previousMaxMs, this.#histogram.max / 1e6);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#histogram.disable();
  }
}

export interface JoinLoad {
  eventLoopDelayMs(): number;
  players(): number;
}

/** Why a join is refused now, or undefined when it may proceed. */
export function joinRefusal(limits: JoinLimits, load: JoinLoad): string | undefined {
  if (limits.maxEventLoopDelayMs > 0) {
    const delay = load.eventLoopDelayMs();
    if (delay > limits.maxEventLoopDelayMs) {
      return `${SATURATED}: this process is running ${Math.round(delay)} ms behind; try again in a few seconds`;
    }
  }
  if (limits.maxPlayers > 0 && load.players() >= limits.maxPlayers) {
    return `${SATURATED}: this process has its ${limits.maxPlayers} players; try again in a few seconds`;
  }
  return undefined;
}
