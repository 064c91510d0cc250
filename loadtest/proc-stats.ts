/**
 * CPU time and resident memory of other processes, read from /proc once a second (Linux only,
 * no privileges needed for one's own children).
 */
import { readdirSync, readFileSync } from "node:fs";

/** utime + stime in clock ticks, from the text of /proc/<pid>/stat. */
export function parseStatCpuTicks(stat: string): number {
  // The command name is in parentheses and may itself hold spaces or parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the name: state is field 3 of proc(5), utime 14 and stime 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error("unreadable /proc stat line");
  return utime + stime;
}

/** VmRSS in kB, from the text of /proc/<pid>/status. */
export function parseStatusRssKb(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error("no VmRSS in /proc status");
  return Number(match[1]);
}

export interface ProcSample {
  /** Wall clock, ms since the epoch. */
  at: number;
  cpuTicks: number;
  rssKb: number;
}

export interface ProcSummary {
  /** Share of one core over the window; 200 means two cores busy. */
  cpuPercent: number;
  rssMeanMb: number;
  rssMaxMb: number;
}

/** Linux's USER_HZ; it is 100 on every mainstream architecture. */
export const CLOCK_TICKS_PER_SECOND = 100;

export function summarize(samples: readonly ProcSample[], from: number, to: number, ticksPerSecond = CLOCK_TICKS_PER_SECOND): ProcSummary | null {
  const inside = samples.filter((s) => s.at >= from && s.at <= to);
  if (inside.length < 2) return null;
  const first = inside[0]!;
  const last = inside[inside.length - 1]!;
  const seconds = (last.at - first.at) / 1000;
  const rss = inside.map((s) => s.rssKb / 1024);
  return {
    cpuPercent: seconds > 0 ? ((last.cpuTicks - first.cpuTicks) / ticksPerSecond / seconds) * 100 : 0,
    rssMeanMb: rss.reduce((a, b) => a + b, 0) / rss.length,
    rssMaxMb: Math.max(...rss),
  };
}

export function readProc(pid: number): { cpuTicks: number; rssKb: number } | null {
  try {
    return {
      cpuTicks: parseStatCpuTicks(readFileSync(`/proc/${pid}/stat`, "utf8")),
      rssKb: parseStatusRssKb(readFileSync(`/proc/${pid}/status`, "utf8")),
    };
  } catch {
    return null; // the process is gone
  }
}

function cpuLineTicks(stat: string): number[] {
  const fields = (/^cpu\s+(.*)$/m.exec(stat)?.[1] ?? "").trim().split(/\s+/).map(Number);
  if (fields.length < 8 || fields.some((n) => !Number.isFinite(n))) throw new Error("unreadable /proc/stat cpu line");
  return fields;
}

/** Busy CPU ticks of the whole machine (all cores, every process), from the text of /proc/stat. */
export function parseMachineBusyTicks(stat: string): number {
  const fields = cpuLineTicks(stat);
  // user nice system idle iowait irq softirq steal ...: busy is everything but idle and iowait.
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return total - fields[3]! - fields[4]!;
}

/**
 * Ticks the hypervisor gave to other guests while this machine wanted to run (steal), from the
 * text of /proc/stat. They count as busy above, but no process here used them.
 */
export function parseStolenTicks(stat: string): number {
  return cpuLineTicks(stat)[7]!;
}

/** The pseudo-pid under which ProcSampler keeps the whole machine's CPU. */
export const MACHINE = 0;
/** The pseudo-pid for the CPU the hypervisor took (steal). */
export const STOLEN = -1;
/** The pseudo-pid for PostgreSQL's and Redis' processes together, found by their command names. */
export const DATABASES = -2;

const DATABASE_COMMANDS = new Set(["postgres", "redis-server"]);

/**
 * CPU ticks of every process whose command is one of `commands`, added up as they are seen.
 * PostgreSQL starts and ends a process per connection: a process's ticks count from its first
 * sighting, so the total only grows, and one that ended counts what it used while seen.
 */
export function commandCpuCounter(commands: ReadonlySet<string>, procDir = "/proc"): () => number {
  const last = new Map<number, number>();
  let total = 0;
  return () => {
    const seen = new Set<number>();
    for (const entry of readdirSync(procDir)) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid <= 0) continue;
      let stat: string;
      try {
        stat = readFileSync(`${procDir}/${pid}/stat`, "utf8");
      } catch {
        continue; // gone between the listing and the read
      }
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (!commands.has(name)) continue;
      const ticks = parseStatCpuTicks(stat);
      const before = last.get(pid);
      if (before !== undefined) total += Math.max(0, ticks - before);
      last.set(pid, ticks);
      seen.add(pid);
    }
    for (const pid of last.keys()) if (!seen.has(pid)) last.delete(pid);
    return total;
  };
}

/** readProc, with the pseudo-pids MACHINE, STOLEN and DATABASES. */
export function systemReader(): (pid: number) => { cpuTicks: number; rssKb: number } | null {
  const databases = commandCpuCounter(DATABASE_COMMANDS);
  return (pid) => {
    try {
      if (pid === MACHINE) return { cpuTicks: parseMachineBusyTicks(readFileSync("/proc/stat", "utf8")), rssKb: 0 };
      if (pid === STOLEN) return { cpuTicks: parseStolenTicks(readFileSync("/proc/stat", "utf8")), rssKb: 0 };
      if (pid === DATABASES) return { cpuTicks: databases(), rssKb: 0 };
    } catch {
      return null;
    }
    return readProc(pid);
  };
}

/** Samples a set of processes on a timer until stopped. */
export class ProcSampler {
  readonly series = new Map<number, ProcSample[]>();
  readonly #timer: NodeJS.Timeout;

  constructor(pids: readonly number[], everyMs = 1000, read = systemReader(), now = Date.now) {
    for (const pid of pids) this.series.set(pid, []);
    const tick = () => {
      const at = now();
      for (const [pid, list] of this.series) {
        const r = read(pid);
        if (r) list.push({ at, ...r });
      }
    };
    tick();
    this.#timer = setInterval(tick, everyMs);
  }

  summary(pid: number, from: number, to: number): ProcSummary | null {
    return summarize(this.series.get(pid) ?? [], from, to);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
