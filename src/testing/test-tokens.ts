/** Player tokens for tests that run Parley in another process: signed as a game's backend would. */
import { SignJWT } from "jose";

export function testTokenSigner(secret: string): (userId: string) => Promise<string> {
  const key = new TextEncoder().encode(secret);
  return (userId) => new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(userId)
    .setIssuedAt().setExpirationTime("10m").sign(key);
}
