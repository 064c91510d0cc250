/**
 * The benchmark's baseline: the same model streamed to the same bots through Colyseus the obvious
 * way, with none of Parley's work. One room per `session_id`, the token checked, each `chat` sent to
 * the model as it comes and every delta broadcast as an `ai_chunk` the moment it arrives, then
 * `ai_end`: no history, memory, moderation, pacing, queue, rate limits or chat log. The bench runs
 * it as a row of its own (`--stores relay,...`) and divides Parley's figures by its figures.
 *
 * Run: PORT=2567 AUTH_SECRET=... OPENAI_BASE_URL=http://127.0.0.1:8000/v1 node loadtest/plain-relay.ts
 */
import { defineRoom, defineServer, Room, ServerError, type Client } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { createParser } from "eventsource-parser";
import { jwtVerify } from "jose";
import type { AiChunkMessage, AiEndMessage, AiStatusMessage } from "../src/protocol/messages.ts";
import { ROOM_NAME } from "../src/protocol/messages.ts";

const port = Number(process.env.PORT ?? 2567);
const baseUrl = process.env.OPENAI_BASE_URL ?? "http://127.0.0.1:8000/v1";
const model = process.env.OPENAI_MODEL ?? "parley-sim";
const key = new TextEncoder().encode(process.env.AUTH_SECRET ?? "");

class RelayRoom extends Room {
  static async onAuth(token: string) {
    try {
      const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"] });
      return { user_id: payload.sub };
    } catch {
      throw new ServerError(401, "invalid or expired token");
    }
  }

  #replies = 0;

  messages = {
    chat: (_client: Client, message: { content?: unknown }) => {
      if (typeof message?.content !== "string") return;
      this.#reply(message.content).catch((err: unknown) => console.error(`relay: ${(err as Error).message}`));
    },
  };

  async #reply(content: string): Promise<void> {
    const reply_id = `r${++this.#replies}`;
    this.broadcast("ai_status", { status: "thinking", reply_id } satisfies AiStatusMessage);
    const res = await fetch(`${baseUrl}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sim" },
      body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content }] }),
    });
    if (!res.ok || !res.body) throw new Error(`model answered ${res.status}`);
    let seq = 0;
    let full = "";
    const parser = createParser({
      onEvent: (event) => {
        if (event.data === "[DONE]") return;
        const delta = (JSON.parse(event.data) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content;
        if (!delta) return;
        full += delta;
        this.broadcast("ai_chunk", { content: delta, seq: ++seq, reply_id } satisfies AiChunkMessage);
      },
    });
    const decoder = new TextDecoder();
    for await (const bytes of res.body) parser.feed(decoder.decode(bytes, { stream: true }));
    this.broadcast("ai_end", { full_content: full, reply_id, reason: "complete" } satisfies AiEndMessage);
  }
}

const server = defineServer({
  greet: false,
  transport: new WebSocketTransport(),
  rooms: { [ROOM_NAME]: defineRoom(RelayRoom).filterBy(["session_id"]) },
  express: (app) => {
    app.get("/healthz", (_req, res) => { res.send("ok"); });
  },
});
await server.listen(port, "127.0.0.1");
// On stderr: the bench keeps stdout as the server's log of warnings.
console.error(`plain relay listening on ws://127.0.0.1:${port}`);
