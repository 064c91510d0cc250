/** Liveness and readiness: /healthz says the process answers, /readyz that its dependencies do. */
import type { RequestHandler } from "express";
import { LATE, orLate } from "../limits/deadline.ts";

export type HealthCheck = () => Promise<void>;

export interface Readiness {
  ok: boolean;
  /** "ok", or why the check failed. */
  checks: Record<string, string>;
}

/** A hung dependency must not hang the probe: each check gets its own deadline. */
async function timeBoxed(check: HealthCheck, timeoutMs: number): Promise<string> {
  const run = Promise.resolve()
    .then(check)
    .then(() => "ok", (err: unknown) => (err instanceof Error ? err.message : String(err)) || "failed");
  const result = await orLate(run, timeoutMs);
  return result === LATE ? `timed out after ${timeoutMs} ms` : result;
}

export async function readinessCheck(checks: Record<string, HealthCheck>, timeoutMs: number): Promise<Readiness> {
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((name) => timeBoxed(checks[name]!, timeoutMs)));
  const out: Record<string, string> = {};
  names.forEach((name, i) => { out[name] = results[i]!; });
  return { ok: results.every((r) => r === "ok"), checks: out };
}

export function healthzHandler(): RequestHandler {
  return (_req, res) => { res.json({ ok: true }); };
}

export function readyzHandler(checks: Record<string, HealthCheck>, timeoutMs = 2000): RequestHandler {
  return async (_req, res) => {
    const readiness = await readinessCheck(checks, timeoutMs);
    res.status(readiness.ok ? 200 : 503).json(readiness);
  };
}
