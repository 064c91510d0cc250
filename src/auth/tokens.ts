/** Player identity: HS256 JWTs whose `sub` is the user id. */
import { randomBytes } from "node:crypto";
import { jwtVerify, SignJWT, errors } from "jose";

export interface TokenIssuer {
  /** The user id in a valid token; null for a missing, forged, malformed or expired one. */
  verify(token: string | undefined): Promise<string | null>;
  sign(userId: string, expiresIn?: string): Promise<string>;
}

export function createTokenIssuer(secret: string): TokenIssuer {
  // Imported once: given raw bytes, jose imports the key again on every verify, a cost each join paid.
  const key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  return {
    async verify(token) {
      if (!token) return null;
      try {
        const { payload } = await jwtVerify(token, await key, { algorithms: ["HS256"] });
        return typeof payload.sub === "string" && payload.sub.length > 0 ? payload.sub : null;
      } catch (err) {
        if (err instanceof errors.JOSEError) return null;
        throw err;
      }
    },
    async sign(userId, expiresIn = "12h") {
      return new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(userId)
        .setIssuedAt().setExpirationTime(expiresIn).sign(await key);
    },
  };
}

/** A secret for local play when none is configured; tokens die with the process. */
export function randomSecret(): string {
  return randomBytes(32).toString("base64url");
}
