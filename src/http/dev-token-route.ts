import type { RequestHandler } from "express";
import { z } from "zod";
import type { TokenIssuer } from "../auth/tokens.ts";

const DevTokenRequest = z.strictObject({ user_id: z.string().trim().min(1).max(128) });

/** `POST /auth/dev-token {user_id}` -> `{token}`: only for local play, never in production. */
export function devTokenRoute(tokens: TokenIssuer): RequestHandler {
  return async (req, res) => {
    const parsed = DevTokenRequest.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ code: "auth/invalid_request", message: 'send {"user_id": "..."}' });
      return;
    }
    res.json({ token: await tokens.sign(parsed.data.user_id) });
  };
}
