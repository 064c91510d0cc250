/** Player tokens for bots, signed with the secret the server under test was given. */
import { SignJWT } from "jose";

export function botTokenSigner(authSecret: string): (userId: string) => Promise<string> {
  const key = new TextEncoder().encode(authSecret);
  return (userId) =>
    new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(userId).setIssuedAt().setExpirationTime("2h").sign(key);
}
