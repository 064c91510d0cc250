/** Guards the Colyseus monitor: basic auth when a password is set, loopback-only in development, off otherwise. */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";

export const MONITOR_REALM = "parley-monitor";
const DEFAULT_USER = "admin";
const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

export interface MonitorAuthOptions {
  /** Basic-auth user name; `admin` when unset. */
  user?: string;
  /** Basic-auth password; with none, the monitor is loopback-only (development) or off (production). */
  password?: string;
  production: boolean;
}

export type MonitorMode = "auth" | "loopback" | "off";

/** "off" means: mount nothing at /monitor. */
export function monitorMode({ password, production }: Pick<MonitorAuthOptions, "password" | "production">): MonitorMode {
  if (password) return "auth";
  return production ? "off" : "loopback";
}

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.has(address);
}

/** Hashing first gives equal-length buffers, so the comparison leaks neither content nor length. */
function safeEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(a), digest(b));
}

export function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  const match = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function refuse(res: Response, challenge: boolean): void {
  if (challenge) res.setHeader("WWW-Authenticate", `Basic realm="${MONITOR_REALM}"`);
  res.status(401).type("text/plain").send("Unauthorized");
}

export function monitorAuth(options: MonitorAuthOptions): RequestHandler {
  const mode = monitorMode(options);
  const user = options.user || DEFAULT_USER;
  const password = options.password ?? "";

  return (req: Request, res: Response, next) => {
    if (mode === "auth") {
      const given = parseBasicAuth(req.headers.authorization);
      // Both comparisons always run, so a wrong user name takes as long as a wrong password.
      const userOk = safeEqual(given?.user ?? "", user);
      const passwordOk = safeEqual(given?.password ?? "", password);
      if (given && userOk && passwordOk) return next();
      return refuse(res, true);
    }
    // Off should never be mounted; refusing anyway keeps a wiring mistake from opening the monitor.
    if (mode === "loopback" && isLoopback(req.socket.remoteAddress)) return next();
    refuse(res, false);
  };
}
