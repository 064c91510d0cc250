/**
 * Parley under many concurrent sessions: the simulated model, Parley and the bots each run in
 * their own processes, so each one's CPU and memory are read apart. For every token rate and
 * session count it starts fresh processes, ramps the sessions in, measures a fixed window and
 * prints one row. Two baselines are measured in the same run: a bare WebSocket round trip, and the
 * `relay` rows, the same model streamed to the same bots by a plain Colyseus room
 * (loadtest/plain-relay.ts); Parley's rows are also printed as ratios to the relay's.
 *
 *   npm run bench -- [--sessions 100,500,1000] [--tokens-per-second 20,80] [--stores relay,embedded,services] [--measure-seconds 20]
 *                    [--ramp-seconds 10] [--players-per-session 1] [--processes 1] [--model-http2] [--env KEY=VALUE ...] [--node-arg FLAG ...]
 *                    [--cpu-profile]  (profiles of every process over the measured window, for Chrome DevTools)
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, release, totalmem } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { aggregate, SHARE_SLICE_SECONDS, type BotMetrics } from "./bench-metrics.ts";
import { formatRatios, formatTable, type BenchRow } from "./bench-table.ts";
import type { BotDriverConfig, BotDriverReport } from "./bot-driver.ts";
import type { BotSample } from "./bot-samples.ts";
import { freePorts, spawnTs, stopChild, tailStderr, waitForHttp, waitForLine } from "./child-processes.ts";
import { CLOCK_TICKS_PER_SECOND, DATABASES, MACHINE, ProcSampler, STOLEN, readProc, type ProcSample, type ProcSummary } from "./proc-stats.ts";
import { heapAfterGc, startCpuProfile } from "./inspector.ts";
import { emptyServiceTables, prepareServices, type Store } from "./bench-services.ts";
import { cpuReferenceMs } from "./cpu-reference.ts";
import { numberAtLeast, positiveList } from "./cli-numbers.ts";
import { measureWsBaseline, type WsBaseline } from "./ws-baseline.ts";
import { bucketDelta, bucketQuantileMs, readOwnShare } from "./own-share.ts";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const root = fileURLToPath(new URL("..", import.meta.url));

const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "100,500,1000" },
    stores: { type: "string", default: "relay,embedded,services" },
    "database-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432/parley_bench" },
    "tokens-per-second": { type: "string", default: "20,80" },
    "ramp-seconds": { type: "string", default: "10" },
    "measure-seconds": { type: "string", default: "20" },
    "chat-every-ms": { type: "string", default: "5000" },
    "reply-tokens": { type: "string", default: "60" },
    "first-token-ms": { type: "string", default: "150" },
    "players-per-session": { type: "string", default: "1" },
    processes: { type: "string", default: "1" },
    "bot-processes": { type: "string", default: "2" },
    "redis-url": { type: "string", default: "redis://127.0.0.1:6379" },
    "model-http2": { type: "boolean", default: false },
    env: { type: "string", multiple: true, default: [] },
    "node-arg": { type: "string", multiple: true, default: [] },
    baseline: { type: "boolean", default: true },
    "keep-samples": { type: "boolean", default: false },
    "cpu-profile": { type: "boolean", default: false },
    out: { type: "string", default: ".bench" },
    help: { type: "boolean", short: "h", default: false },
  },
  allowNegative: true,
});

if (values.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("*/")[0]);
  process.exit(0);
}

const opts = {
  sessions: positiveList("sessions", values.sessions),
  tokensPerSecond: positiveList("tokens-per-second", values["tokens-per-second"]),
  rampMs: numberAtLeast("ramp-seconds", values["ramp-seconds"]) * 1000,
  measureMs: numberAtLeast("measure-seconds", values["measure-seconds"]) * 1000,
  chatEveryMs: numberAtLeast("chat-every-ms", values["chat-every-ms"]),
  replyTokens: numberAtLeast("reply-tokens", values["reply-tokens"]),
  firstTokenMs: numberAtLeast("first-token-ms", values["first-token-ms"], 0),
  playersPerSession: numberAtLeast("players-per-session", values["players-per-session"]),
  processes: numberAtLeast("processes", values.processes),
  botProcesses: numberAtLeast("bot-processes", values["bot-processes"]),
  redisUrl: values["redis-url"],
  databaseUrl: values["database-url"],
  stores: values.stores.split(",").map((s) => {
    const store = s.trim();
    if (store !== "relay" && store !== "embedded" && store !== "services") {
      throw new Error(`--stores takes relay, embedded and/or services (got "${store}")`);
    }
    return store as ServerKind;
  }),
  modelHttp2: values["model-http2"],
  nodeArgs: values["node-arg"],
  extraEnv: Object.fromEntries(values.env.map((kv) => {
    const at = kv.indexOf("=");
    if (at < 1) throw new Error(`--env wants KEY=VALUE (got "${kv}")`);
    return [kv.slice(0, at), kv.slice(at + 1)];
  })) as Record<string, string>,
};

/** Parley on one of its stores, or the plain relay that is its baseline. */
type ServerKind = Store | "relay";

const AUTH_SECRET = randomBytes(24).toString("base64url");
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const outDir = join(root, values.out);
const samplesDir = join(outDir, `samples-${stamp}`);
const dataRoot = join(outDir, `data-${stamp}`);
const logsDir = join(outDir, `logs-${stamp}`);
mkdirSync(samplesDir, { recursive: true });
mkdirSync(logsDir, { recursive: true });

interface ParleyProcess { child: ChildProcess; port: number; inspectorPort: number; stderr: () => string; logFile: string }

/** Every child still running, so an interrupted benchmark leaves nothing behind. */
const live = new Set<ChildProcess>();
function track<T extends ChildProcess>(child: T): T {
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const child of live) child.kill("SIGKILL");
    rmSync(dataRoot, { recursive: true, force: true });
    process.exit(130);
  });
}

/**
 * Everything one Parley process is started with. Extra `--env` pairs (a database, a cache) are
 * laid over it, so a variant of the server is one flag away.
 */
function parleyEnv(port: number, simUrl: string, processes: number, dataDir: string, store: Store): Record<string, string> {
  const env: Record<string, string> = {
    NODE_ENV: "production",
    PORT: String(port),
    // A fresh embedded store per process and run: runs do not see each other's history, and the
    // developer's own data directory is left alone.
    DATA_DIR: dataDir,
    HOST: "127.0.0.1",
    AUTH_SECRET,
    OPENAI_BASE_URL: simUrl,
    OPENAI_API_KEY: "sim",
    OPENAI_MODEL: "parley-sim",
    LOG_LEVEL: "warn",
  };
  if (opts.modelHttp2) env.MODEL_HTTP2 = "true";
  if (processes > 1 || store === "services") {
    // Processes share matchmaking through Redis and send clients to each other by address.
    env.REDIS_URL = opts.redisUrl;
    env.PUBLIC_ADDRESS = `127.0.0.1:${port}`;
  }
  if (store === "services") env.DATABASE_URL = opts.databaseUrl;
  return { ...env, ...opts.extraEnv };
}

async function startSim(tokensPerSecond: number, http2: boolean): Promise<{ child: ChildProcess; url: string; inspectorPort: number }> {
  const [inspectorPort] = await freePorts(1);
  const child = spawnTs(here("./sim-openai/main.ts"), [
    "--port", "0", "--quiet",
    "--first-token-ms", String(opts.firstTokenMs),
    "--tokens-per-second", String(tokensPerSecond),
    "--reply-tokens", String(opts.replyTokens),
    ...(http2 ? ["--http2"] : []),
  ], {}, root, [`--inspect=127.0.0.1:${inspectorPort}`]);
  track(child);
  const stderr = tailStderr(child);
  const url = await waitForLine(child, (l) => l.startsWith("http"), 20000, "sim-openai").catch((err: Error) => {
    throw new Error(`${err.message}\n${stderr()}`);
  });
  return { child, url, inspectorPort: inspectorPort! };
}

/** The relay takes what a plain server needs: its port, the token secret and the model. */
function relayEnv(port: number, simUrl: string): Record<string, string> {
  return { PORT: String(port), AUTH_SECRET, OPENAI_BASE_URL: simUrl, OPENAI_MODEL: "parley-sim" };
}

async function startParley(simUrl: string, runId: string, store: ServerKind): Promise<ParleyProcess[]> {
  const started: ParleyProcess[] = [];
  const ports = await freePorts(opts.processes * 2);
  for (let i = 0; i < opts.processes; i++) {
    const port = ports[2 * i]!;
    const inspectorPort = ports[2 * i + 1]!;
    const dataDir = join(dataRoot, `${runId}-p${i}`);
    // The inspector is how the live heap is read after a forced collection; idle, it costs nothing.
    const child = track(store === "relay"
      ? spawnTs(here("./plain-relay.ts"), [], relayEnv(port, simUrl), root, [`--inspect=127.0.0.1:${inspectorPort}`, ...opts.nodeArgs])
      : spawnTs(here("../src/index.ts"), [], parleyEnv(port, simUrl, opts.processes, dataDir, store), root,
        [`--inspect=127.0.0.1:${inspectorPort}`, ...opts.nodeArgs]));
    // Parley logs at warn: what it writes is why a row has errors, so it is kept.
    const logFile = join(logsDir, `${runId}-parley${i}.log`);
    child.stdout?.pipe(createWriteStream(logFile));
    started.push({ child, port, inspectorPort, stderr: tailStderr(child), logFile });
  }
  try {
    for (const p of started) {
      await waitForHttp(`http://127.0.0.1:${p.port}/healthz`, 30000, p.child).catch((err: Error) => {
        throw new Error(`Parley on port ${p.port}: ${err.message}\n${p.stderr()}`);
      });
    }
  } catch (err) {
    await Promise.all(started.map((p) => stopChild(p.child)));
    throw err;
  }
  return started;
}

interface BotProcess { child: ChildProcess; out: string; inspectorPort: number }

async function forkBots(endpoints: string[], sessions: number, runId: string): Promise<BotProcess[]> {
  const count = Math.min(opts.botProcesses, sessions);
  const inspectorPorts = await freePorts(count);
  const bots: BotProcess[] = [];
  let first = 0;
  for (let i = 0; i < count; i++) {
    const mine = Math.floor(sessions / count) + (i < sessions % count ? 1 : 0);
    const config: BotDriverConfig = {
      endpoints, authSecret: AUTH_SECRET, firstSession: first, sessions: mine,
      playersPerSession: opts.playersPerSession, runId, characterId: 1, chatEveryMs: opts.chatEveryMs,
      // Joins take the first half of the ramp; the first chats are spread over one chat period after.
      joinSpreadMs: opts.rampMs / 2,
      out: join(samplesDir, `${runId}-bots${i}.jsonl`),
    };
    const child = fork(here("./bot-driver.ts"), [], {
      // Without Node's built-in WebSocket the SDK uses the `ws` package, as a native game client
      // would use its platform's socket: undici's WebSocket costs the bots several times the CPU
      // per frame and stalled joins, making the bots the limit instead of Parley.
      execArgv: ["--no-experimental-websocket", `--inspect=127.0.0.1:${inspectorPorts[i]}`], cwd: root, stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: { ...process.env, PARLEY_BOT_CONFIG: JSON.stringify(config) },
    });
    bots.push({ child: track(child), out: config.out, inspectorPort: inspectorPorts[i]! });
    first += mine;
  }
  return bots;
}

/** Each process's CPU profile over the measured window, read as `.cpuprofile` by Chrome DevTools. */
async function startProfiles(targets: { name: string; inspectorPort: number }[]) {
  return Promise.all(targets.map(async (t) => ({ name: t.name, stop: await startCpuProfile(t.inspectorPort) })));
}

async function writeProfiles(profiles: { name: string; stop: () => Promise<unknown> }[], runId: string): Promise<void> {
  const dir = join(outDir, `profiles-${stamp}`);
  mkdirSync(dir, { recursive: true });
  for (const p of profiles) writeFileSync(join(dir, `${runId}-${p.name}.cpuprofile`), JSON.stringify(await p.stop()));
  console.log(`  CPU profiles: ${dir}`);
}

function waitForReport(child: ChildProcess, type: BotDriverReport["type"], timeoutMs: number): Promise<BotDriverReport | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(null), timeoutMs);
    const onMessage = (m: unknown) => { if ((m as BotDriverReport).type === type) done(m as BotDriverReport); };
    const onExit = () => done(null);
    const done = (r: BotDriverReport | null) => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(r);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

function* readSamples(files: readonly string[]): Generator<BotSample> {
  for (const file of files) {
    let text: string;
    try { text = readFileSync(file, "utf8"); } catch { continue; }
    for (const line of text.split("\n")) if (line) yield JSON.parse(line) as BotSample;
  }
}

async function parleyHeap(parley: readonly ParleyProcess[]): Promise<number | null> {
  try {
    const heaps = await Promise.all(parley.map((p) => heapAfterGc(p.inspectorPort)));
    return heaps.reduce((a, h) => a + h.heapUsedMb + h.externalMb, 0);
  } catch (err) {
    console.warn(`could not read Parley's heap: ${(err as Error).message}`);
    return null;
  }
}

function perSecond(series: ProcSample[][], startedAt: number): { second: number; cpuPercent: number; rssMb: number }[] {
  const points: { second: number; cpuPercent: number; rssMb: number }[] = [];
  const length = Math.min(...series.map((s) => s.length));
  for (let i = 1; i < length; i++) {
    let cpu = 0, rss = 0;
    for (const s of series) {
      const [a, b] = [s[i - 1]!, s[i]!];
      cpu += ((b.cpuTicks - a.cpuTicks) / CLOCK_TICKS_PER_SECOND / ((b.at - a.at) / 1000)) * 100;
      rss += b.rssKb / 1024;
    }
    points.push({ second: Math.round((series[0]![i]!.at - startedAt) / 1000), cpuPercent: Math.round(cpu), rssMb: Math.round(rss) });
  }
  return points;
}

function sumSummaries(list: (ProcSummary | null)[]): ProcSummary | null {
  const present = list.filter((s): s is ProcSummary => s !== null);
  if (present.length === 0) return null;
  return {
    cpuPercent: present.reduce((a, s) => a + s.cpuPercent, 0),
    rssMeanMb: present.reduce((a, s) => a + s.rssMeanMb, 0),
    rssMaxMb: present.reduce((a, s) => a + s.rssMaxMb, 0),
  };
}

interface RunResult {
  store: ServerKind;
  tokensPerSecond: number;
  sessions: number;
  playersPerSession: number;
  processes: number;
  window: { from: number; to: number };
  bots: BotMetrics;
  /** Parley's own share of the first chunk, from its /metrics histogram: bucket upper bounds, ms. */
  ownShareMs: { p50: number | null; p95: number | null; p99: number | null };
  /** Parley processes whose /metrics answered at both ends of the window (the own share is theirs). */
  ownShareProcessesRead: number;
  playersJoined: number;
  playersFailed: number;
  /** Players whose join had neither succeeded nor failed when the bots stopped: errors to a player. */
  playersUnfinished: number;
  sessionsJoined: number;
  parley: ProcSummary | null;
  parleyPerProcess: (ProcSummary | null)[];
  /** Parley's CPU% (all processes) and RSS over each second of the run, ramp included. */
  parleySeries: { second: number; cpuPercent: number; rssMb: number }[];
  parleyIdleRssMb: number;
  /** Live JS heap plus external memory after a full collection, all Parley processes. */
  parleyHeapIdleMb: number | null;
  parleyHeapLoadedMb: number | null;
  /** Growth of that live memory from idle to loaded, per joined session. */
  memoryPerSessionKb: number | null;
  sim: ProcSummary | null;
  botProcesses: ProcSummary | null;
  /** Every process on the machine, PostgreSQL and Redis included. */
  machine: ProcSummary | null;
  /** PostgreSQL's and Redis' processes. */
  databases: ProcSummary | null;
  /** CPU the hypervisor gave to other guests while this machine wanted it (steal), counted in `machine`. */
  stolen: ProcSummary | null;
  /** The machine's speed just before the run and just after the bots left (cpu-reference.ts). */
  cpuReferenceMs: { before: number; after: number };
}

async function runOnce(store: ServerKind, tokensPerSecond: number, sessions: number): Promise<RunResult> {
  const runId = `r${tokensPerSecond}x${sessions}-${randomBytes(3).toString("hex")}`;
  // Every run starts from empty tables, as the embedded runs start from a fresh data directory.
  if (store === "services") await emptyServiceTables(opts.databaseUrl);
  const cpuReference = cpuReferenceMs();
  // The obvious relay speaks HTTP/1.1 to the model (fetch), whatever Parley is given.
  const sim = await startSim(tokensPerSecond, opts.modelHttp2 && store !== "relay");
  const parley = await startParley(sim.url, runId, store).catch(async (err: unknown) => { await stopChild(sim.child); throw err; });
  try {
    await sleep(1000);
    const parleyIdleRssMb = parley.reduce((a, p) => a + (readProc(p.child.pid!)?.rssKb ?? 0), 0) / 1024;
    const idleHeap = await parleyHeap(parley);
    const endpoints = parley.map((p) => `ws://127.0.0.1:${p.port}`);
    const startedAt = Date.now();
    const bots = await forkBots(endpoints, sessions, runId);
    const sampler = new ProcSampler([...parley.map((p) => p.child.pid!), sim.child.pid!, ...bots.map((b) => b.child.pid!), MACHINE, STOLEN, DATABASES]);
    const window = { from: startedAt + opts.rampMs, to: startedAt + opts.rampMs + opts.measureMs };
    const ports = parley.map((p) => p.port);
    await sleep(window.from - Date.now());
    const ownBefore = await readOwnShare(ports);
    const profiled = [
      ...parley.map((p, i) => ({ name: `parley${i}`, inspectorPort: p.inspectorPort })),
      { name: "sim", inspectorPort: sim.inspectorPort },
      ...bots.map((b, i) => ({ name: `bots${i}`, inspectorPort: b.inspectorPort })),
    ];
    const profiles = values["cpu-profile"] ? await startProfiles(profiled) : null;
    await sleep(window.to - Date.now());
    const own = bucketDelta(ownBefore, await readOwnShare(ports));
    if (profiles) await writeProfiles(profiles, runId);
    await sleep(500);
    // Still connected: what the sessions keep alive, without the garbage RSS also counts.
    const loadedHeap = await parleyHeap(parley);
    const stopped = bots.map((b) => waitForReport(b.child, "stopped", 30000));
    for (const b of bots) b.child.send("stop");
    const reports = await Promise.all(stopped);
    sampler.stop();
    for (const b of bots) if (b.child.exitCode === null) await stopChild(b.child);
    const cpuReferenceAfter = cpuReferenceMs();

    const sessionsJoined = reports.reduce((a, r) => a + (r?.sessionsJoined ?? 0), 0);
    const playersJoined = reports.reduce((a, r) => a + (r?.playersJoined ?? 0), 0);
    const playersFailed = reports.reduce((a, r) => a + (r?.playersFailed ?? 0), 0);
    const playersUnfinished = reports.reduce((a, r) => a + (r?.playersPending ?? 0), 0);
    const parleyPerProcess = parley.map((p) => sampler.summary(p.child.pid!, window.from, window.to));
    const parleySum = sumSummaries(parleyPerProcess);
    const metrics = aggregate(readSamples(bots.map((b) => b.out)), window, opts.firstTokenMs);
    if (!values["keep-samples"]) for (const b of bots) rmSync(b.out, { force: true });
    return {
      store, tokensPerSecond, sessions, playersPerSession: opts.playersPerSession, processes: opts.processes, window,
      bots: metrics,
      ownShareMs: {
        p50: bucketQuantileMs(own.buckets, 0.5), p95: bucketQuantileMs(own.buckets, 0.95), p99: bucketQuantileMs(own.buckets, 0.99),
      },
      ownShareProcessesRead: own.processesRead,
      playersJoined,
      playersFailed,
      playersUnfinished,
      sessionsJoined,
      parley: parleySum,
      parleyPerProcess,
      parleySeries: perSecond(parley.map((p) => sampler.series.get(p.child.pid!) ?? []), startedAt),
      parleyIdleRssMb,
      parleyHeapIdleMb: idleHeap,
      parleyHeapLoadedMb: loadedHeap,
      memoryPerSessionKb: idleHeap !== null && loadedHeap !== null && sessionsJoined > 0
        ? ((loadedHeap - idleHeap) * 1024) / sessionsJoined : null,
      sim: sampler.summary(sim.child.pid!, window.from, window.to),
      botProcesses: sumSummaries(bots.map((b) => sampler.summary(b.child.pid!, window.from, window.to))),
      machine: sampler.summary(MACHINE, window.from, window.to),
      databases: sampler.summary(DATABASES, window.from, window.to),
      stolen: sampler.summary(STOLEN, window.from, window.to),
      cpuReferenceMs: { before: cpuReference, after: cpuReferenceAfter },
    };
  } finally {
    await Promise.all(parley.map((p) => stopChild(p.child)));
    await stopChild(sim.child);
    rmSync(dataRoot, { recursive: true, force: true });
    for (const p of parley) if (statSync(p.logFile, { throwIfNoEntry: false })?.size === 0) rmSync(p.logFile);
  }
}

function toRow(r: RunResult): BenchRow {
  const m = r.bots;
  const errors = Object.values(m.errorsByCode).reduce((a, b) => a + b, 0) + m.joinFailures + r.playersUnfinished + m.disconnects;
  return {
    store: r.store,
    tokensPerSecond: r.tokensPerSecond,
    sessions: r.sessions,
    players: r.sessions * r.playersPerSession,
    playersJoined: r.playersJoined,
    chatsPerSecond: m.chatsPerSecond,
    firstChunk: m.firstChunkMs,
    parleyShare: m.parleyShareMs,
    ownShare: { p50: r.ownShareMs.p50 ?? NaN, p95: r.ownShareMs.p95 ?? NaN, p99: r.ownShareMs.p99 ?? NaN },
    chunkGapP99: m.chunkGapMs.p99,
    chunksPerSecond: m.chunksPerSecond,
    parleyCpu: r.parley?.cpuPercent ?? NaN,
    parleyRssMb: r.parley?.rssMeanMb ?? NaN,
    kbPerSession: r.memoryPerSessionKb ?? NaN,
    errors,
    seqFaults: m.seqFaults + m.contentMismatches,
    botsCpu: r.botProcesses?.cpuPercent ?? NaN,
    simCpu: r.sim?.cpuPercent ?? NaN,
    machineCpu: r.machine?.cpuPercent ?? NaN,
    databasesCpu: r.databases?.cpuPercent ?? NaN,
    stolenCpu: r.stolen?.cpuPercent ?? NaN,
    cpuReferenceMs: r.cpuReferenceMs,
  };
}

const machine = {
  cpus: availableParallelism(),
  model: cpus()[0]?.model ?? "unknown",
  memoryGb: Math.round(totalmem() / 2 ** 30),
  kernel: release(),
  node: process.version,
  cpuReferenceMs: cpuReferenceMs(),
};
console.log(`machine: ${machine.cpus} CPUs (${machine.model}), ${machine.memoryGb} GB, Linux ${machine.kernel}, Node ${machine.node}; ` +
  `CPU reference ${machine.cpuReferenceMs} ms (lower is faster; each row has its own, before and after it)`);
console.log(`each session chats every ${opts.chatEveryMs} ms; replies of ${opts.replyTokens} tokens; model first token ${opts.firstTokenMs} ms; ` +
  `${opts.playersPerSession} player(s) per session; ${opts.processes} Parley process(es); ${opts.botProcesses} bot processes; ` +
  `${opts.rampMs / 1000} s ramp, ${opts.measureMs / 1000} s measured`);

let baseline: WsBaseline | null = null;
if (values.baseline) {
  baseline = await measureWsBaseline(2000, 200, root);
  console.log(`baseline: bare ws echo round trip, ${baseline.roundTrips} frames: p50 ${baseline.p50.toFixed(3)} ms  p95 ${baseline.p95.toFixed(3)} ms  p99 ${baseline.p99.toFixed(3)} ms`);
}

const results: RunResult[] = [];
const rows: BenchRow[] = [];
const jsonPath = join(outDir, `bench-${stamp}.json`);
const save = () => writeFileSync(jsonPath, `${JSON.stringify({ machine, options: { ...opts, extraEnv: Object.keys(opts.extraEnv) }, baseline, runs: results }, null, 2)}\n`);
const stores: ServerKind[] = [];
for (const store of opts.stores) {
  if (store === "services") {
    const problem = await prepareServices(opts.databaseUrl, opts.redisUrl);
    if (problem) {
      console.log(`services: skipped (${problem}); run \`npm run setup\` for PostgreSQL with pgvector and Redis`);
      continue;
    }
  }
  stores.push(store);
}
for (const store of stores) for (const tps of opts.tokensPerSecond) {
  for (const sessions of opts.sessions) {
    const result = await runOnce(store, tps, sessions);
    results.push(result);
    rows.push(toRow(result));
    save();
    const r = result.bots;
    console.log(`  ${store}, ${tps} tok/s, ${sessions} sessions: ${r.replies} replies, first chunk p50 ${r.firstChunkMs.p50.toFixed(1)} ms, ` +
      `errors ${JSON.stringify(r.errorsByCode)} join failures ${r.joinFailures} joins unfinished ${result.playersUnfinished} ` +
      `disconnects ${r.disconnects}`);
    if (store !== "relay" && result.ownShareProcessesRead < result.processes) {
      console.log(`    own share from ${result.ownShareProcessesRead} of ${result.processes} process(es): the others' /metrics did not answer`);
    }
    console.log(`    Parley share p50/p99 by ${SHARE_SLICE_SECONDS} s of the window: ` +
      r.parleyShareBySlice.map((slice) => (slice.replies > 0 ? `${slice.p50.toFixed(1)}/${slice.p99.toFixed(1)}` : "-")).join(", "));
  }
}

console.log("");
console.log(formatTable(rows, baseline));
const ratios = formatRatios(rows);
if (ratios) console.log(`\n${ratios}`);
console.log(`\nJSON: ${jsonPath}`);
if (!values["keep-samples"]) rmSync(samplesDir, { recursive: true, force: true });
else console.log(`samples: ${samplesDir}`);
if (readdirSync(logsDir).length === 0) rmSync(logsDir, { recursive: true });
else console.log(`Parley's warnings and errors: ${logsDir}`);
