/** Player identity: HS256 JWTs whose `sub` is the user id. */
import { randomBytes } from "node:crypto";
import { jwtVerify, SignJWT, errors, type JWTPayload } from "jose";

/**
 * Clocks of the issuer and of this server disagree by a few seconds: a token minted "now" by a
 * server whose clock runs ahead must still be accepted, but not one dated minutes into the future.
 */
export const CLOCK_TOLERANCE_SECONDS = 30;
/** What `sign` gives a token when no lifetime is asked for, if the cap allows it. */
const DEFAULT_LIFETIME_SECONDS = 12 * 60 * 60;

export interface TokenPolicy {
  /** A token that lives longer than this (exp - iat, or exp - now without iat) is refused. */
  maxLifetimeSeconds: number;
}

export interface TokenIssuer {
  /**
   * The user id in a valid token; null for a missing, forged, malformed or expired one, for one
   * without `exp`, one that lives longer than the policy allows, or one not yet valid (nbf, iat).
   */
  verify(token: string | undefined): Promise<string | null>;
  /** `expiresIn` as jose reads it ("10m", "2h", "-1s"); by default 12 h, or the cap if it is shorter. */
  sign(userId: string, expiresIn?: string): Promise<string>;
}

export type ClaimsRefusal = "auth/no_expiry" | "auth/expired" | "auth/lifetime_too_long" | "auth/issued_in_future";

/**
 * The checks jose does not make (it checks nbf, and exp but with the clock tolerance): pure, so
 * each rule is tested without signing anything. `now` in seconds. The tolerance is for a clock
 * running ahead; an expired token is expired, so exp gets none.
 */
export function refuseClaims(payload: JWTPayload, now: number, policy: TokenPolicy): ClaimsRefusal | null {
  if (typeof payload.exp !== "number") return "auth/no_expiry";
  if (payload.exp <= now) return "auth/expired";
  if (typeof payload.iat === "number" && payload.iat > now + CLOCK_TOLERANCE_SECONDS) return "auth/issued_in_future";
  const from = typeof payload.iat === "number" ? payload.iat : now;
  if (payload.exp - from > policy.maxLifetimeSeconds) return "auth/lifetime_too_long";
  return null;
}

export function createTokenIssuer(secret: string, policy: TokenPolicy): TokenIssuer {
  if (!(policy.maxLifetimeSeconds > 0)) throw new RangeError("maxLifetimeSeconds must be positive");
  // Imported once: given raw bytes, jose imports the key again on every verify, a cost each join paid.
  const key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  const defaultExpiresIn = `${Math.min(DEFAULT_LIFETIME_SECONDS, policy.maxLifetimeSeconds)}s`;
  return {
    async verify(token) {
      if (!token) return null;
      try {
        const { payload } = await jwtVerify(token, await key, {
          algorithms: ["HS256"], requiredClaims: ["exp"], clockTolerance: CLOCK_TOLERANCE_SECONDS,
        });
        if (refuseClaims(payload, Math.floor(Date.now() / 1000), policy) !== null) return null;
        return typeof payload.sub === "string" && payload.sub.length > 0 ? payload.sub : null;
      } catch (err) {
        if (err instanceof errors.JOSEError) return null;
        throw err;
      }
    },
    async sign(userId, expiresIn = defaultExpiresIn) {
      return new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(userId)
        .setIssuedAt().setExpirationTime(expiresIn).sign(await key);
    },
  };
}

/** A secret for local play when none is configured; tokens die with the process. */
export function randomSecret(): string {
  return randomBytes(32).toString("base64url");
}
