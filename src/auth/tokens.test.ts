import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SignJWT } from "jose";
import { CLOCK_TOLERANCE_SECONDS, createTokenIssuer, refuseClaims } from "./tokens.ts";

const SECRET = "tokens-test-secret-tokens-test-secret";
const DAY = 24 * 60 * 60;
const issuer = createTokenIssuer(SECRET, { maxLifetimeSeconds: DAY });
const now = () => Math.floor(Date.now() / 1000);

/** A token as another issuer might mint it: only the claims given are set. */
function mint(claims: { exp?: number; iat?: number; nbf?: number }, sub = "alice") {
  const jwt = new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(sub);
  if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
  if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
  if (claims.nbf !== undefined) jwt.setNotBefore(claims.nbf);
  return jwt.sign(new TextEncoder().encode(SECRET));
}

describe("player tokens", () => {
  it("accepts a token with an expiry within the cap", async () => {
    assert.equal(await issuer.verify(await mint({ iat: now(), exp: now() + 3600 })), "alice");
    assert.equal(await issuer.verify(await mint({ exp: now() + 3600 })), "alice", "iat is optional");
    assert.equal(await issuer.verify(await issuer.sign("bob")), "bob", "what sign mints is accepted");
  });

  it("refuses a token without exp, which would never expire", async () => {
    assert.equal(await issuer.verify(await mint({ iat: now() })), null);
    assert.equal(await issuer.verify(await mint({})), null);
  });

  it("refuses a token living longer than the cap, measured from iat or else from now", async () => {
    assert.equal(await issuer.verify(await mint({ iat: now(), exp: now() + DAY + 60 })), null);
    assert.equal(await issuer.verify(await mint({ exp: now() + DAY + 60 })), null);
    // Issued long ago with a long life: still too long, though what is left of it is short.
    assert.equal(await issuer.verify(await mint({ iat: now() - 2 * DAY, exp: now() + 60 })), null);
    assert.equal(await issuer.verify(await mint({ iat: now() - 60, exp: now() + DAY - 120 })), "alice");
  });

  it("refuses a token not valid yet (nbf) or issued in the future (iat), within a clock tolerance", async () => {
    const later = now() + CLOCK_TOLERANCE_SECONDS + 60;
    assert.equal(await issuer.verify(await mint({ nbf: later, exp: later + 60 })), null);
    assert.equal(await issuer.verify(await mint({ iat: later, exp: later + 60 })), null);
    const skewed = now() + 5;
    assert.equal(await issuer.verify(await mint({ iat: skewed, nbf: skewed, exp: skewed + 60 })), "alice", "a few seconds of skew pass");
  });

  it("refuses an expired or forged token", async () => {
    assert.equal(await issuer.verify(await mint({ iat: now() - 7200, exp: now() - 3600 })), null);
    assert.equal(await issuer.verify(await mint({ iat: now() - 60, exp: now() - 1 })), null, "the clock tolerance is not for exp");
    const forged = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("alice").setExpirationTime("1h")
      .sign(new TextEncoder().encode("another-secret-another-secret-another"));
    assert.equal(await issuer.verify(forged), null);
    assert.equal(await issuer.verify(undefined), null);
  });

  it("signs within the cap when the cap is shorter than the default lifetime", async () => {
    const short = createTokenIssuer(SECRET, { maxLifetimeSeconds: 600 });
    assert.equal(await short.verify(await short.sign("carol")), "carol");
  });

  it("names the refusal (pure)", () => {
    const t = 1_000_000;
    const policy = { maxLifetimeSeconds: 100 };
    assert.equal(refuseClaims({ iat: t }, t, policy), "auth/no_expiry");
    assert.equal(refuseClaims({ iat: t, exp: t + 101 }, t, policy), "auth/lifetime_too_long");
    assert.equal(refuseClaims({ exp: t + 101 }, t, policy), "auth/lifetime_too_long");
    assert.equal(refuseClaims({ iat: t + CLOCK_TOLERANCE_SECONDS + 1, exp: t + 60 }, t, policy), "auth/issued_in_future");
    assert.equal(refuseClaims({ iat: t - 10, exp: t }, t, policy), "auth/expired");
    assert.equal(refuseClaims({ iat: t, exp: t + 100 }, t, policy), null);
  });
});
