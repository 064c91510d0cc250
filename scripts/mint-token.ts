/**
 * Prints a player token signed with AUTH_SECRET, as a game's backend would mint one:
 *
 *   AUTH_SECRET=... npm run token -- alice [lifetime]
 *   docker compose exec parley-1 node scripts/mint-token.ts alice
 *
 * `lifetime` as jose reads it ("10m", "2h"); 12 h by default, never more than TOKEN_MAX_LIFETIME_SECONDS.
 */
import { createTokenIssuer } from "../src/auth/tokens.ts";

const [userId, lifetime] = process.argv.slice(2);
const secret = process.env.AUTH_SECRET?.trim();
const maxLifetimeSeconds = Number(process.env.TOKEN_MAX_LIFETIME_SECONDS ?? 24 * 60 * 60);

if (!userId) {
  process.stderr.write("usage: npm run token -- <user-id> [lifetime, e.g. 2h]\n");
  process.exit(2);
}
if (!secret) {
  process.stderr.write("AUTH_SECRET is not set: a token must be signed with the server's AUTH_SECRET (without one, the server serves POST /auth/dev-token instead)\n");
  process.exit(2);
}
if (!(Number.isInteger(maxLifetimeSeconds) && maxLifetimeSeconds > 0)) {
  process.stderr.write("TOKEN_MAX_LIFETIME_SECONDS must be a whole number above 0\n");
  process.exit(2);
}
const tokens = createTokenIssuer(secret, { maxLifetimeSeconds });
const token = await tokens.sign(userId, lifetime);
if ((await tokens.verify(token)) !== userId) {
  process.stderr.write(`a token living ${lifetime} would be refused: the server accepts at most TOKEN_MAX_LIFETIME_SECONDS=${maxLifetimeSeconds}\n`);
  process.exit(2);
}
process.stdout.write(`${token}\n`);
