/**
 * pgvector parameters, text against binary: the client's CPU, the PostgreSQL backend's CPU (from
 * /proc, so run it on the database's machine) and the wall time to insert 2,000 vectors in
 * statements of 50, at 256 and 1,536 dimensions, each encoding twice, alternating.
 * Run: node loadtest/vector-params-bench.ts [DATABASE_URL]
 */
import pg from "pg";
import { vectorBinary, vectorLiteral } from "../src/memory/pgvector-params.ts";
import { CLOCK_TICKS_PER_SECOND, readProc } from "./proc-stats.ts";

const url = process.argv[2] ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/parley_test";
const VECTORS = 2000;
const PER_STATEMENT = 50;

const client = new pg.Client({ connectionString: url });
await client.connect();
const backend = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
/** The backend's user + system time in ms. */
const backendCpuMs = (): number => {
  const proc = readProc(backend);
  if (!proc) throw new Error(`cannot read PostgreSQL's backend ${backend} in /proc: run this on the database's machine`);
  return (proc.cpuTicks * 1000) / CLOCK_TICKS_PER_SECOND;
};

const table = `vector_params_bench_${process.pid}`;
try {
  for (const dims of [256, 1536]) {
    await client.query(`CREATE TEMP TABLE ${table} (embedding vector(${dims}))`);
    for (const [name, encode] of [["text", vectorLiteral], ["binary", vectorBinary], ["text", vectorLiteral], ["binary", vectorBinary]] as const) {
      // Fresh vectors every round: each encoding caches what it has encoded.
      const vectors = Array.from({ length: VECTORS }, () => Array.from(new Float32Array(dims).map(() => Math.random() * 2 - 1)));
      const cpu = process.cpuUsage();
      const db = backendCpuMs();
      const started = performance.now();
      for (let at = 0; at < VECTORS; at += PER_STATEMENT) {
        const params = vectors.slice(at, at + PER_STATEMENT).map((v) => encode(v));
        await client.query(`INSERT INTO ${table} (embedding) VALUES ${params.map((_, i) => `($${i + 1}::vector)`).join(", ")}`, params);
      }
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      console.log(`${String(dims).padStart(5)} dims  ${name.padEnd(6)}  client ${((used.user + used.system) / VECTORS).toFixed(1).padStart(6)} µs/vector  ` +
        `PostgreSQL ${((backendCpuMs() - db) * 1000 / VECTORS).toFixed(0).padStart(4)} µs/vector  wall ${wallMs.toFixed(0).padStart(5)} ms`);
    }
    await client.query(`DROP TABLE ${table}`);
  }
} finally {
  await client.end();
}
