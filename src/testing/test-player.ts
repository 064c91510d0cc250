/** A player over a real WebSocket with the Colyseus SDK, recording every message it receives. */
import { Client, type Room } from "@colyseus/sdk";
import type { ServerMessages, ServerMessageType } from "../protocol/messages.ts";

export type Received = { [K in ServerMessageType]: { type: K; message: ServerMessages[K] } }[ServerMessageType];

export class TestPlayer {
  readonly received: Received[] = [];
  #waiters: Array<() => void> = [];

  readonly client: Client;
  room: Room;

  private constructor(client: Client, room: Room) {
    this.client = client;
    this.room = room;
    this.#listen(room);
  }

  static async join(wsUrl: string, token: string, options: Record<string, unknown>): Promise<TestPlayer> {
    const client = new Client(wsUrl);
    client.auth.token = token;
    const room = await client.joinOrCreate("ai_character", options);
    return new TestPlayer(client, room);
  }

  /** Swaps in the room of a reconnection, keeping what was received. */
  adopt(room: Room): void {
    this.room = room;
    this.#listen(room);
  }

  #listen(room: Room): void {
    room.onMessage("*", (type, message) => {
      this.received.push({ type, message } as Received);
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  send(type: string, message?: unknown): void {
    this.room.send(type, message);
  }

  of<K extends ServerMessageType>(type: K): ServerMessages[K][] {
    return this.received.filter((r) => r.type === type).map((r) => r.message as ServerMessages[K]);
  }

  /** Resolves with the first received message (past or future) that matches. */
  async waitFor<K extends ServerMessageType>(
    type: K, match: (m: ServerMessages[K]) => boolean = () => true, timeoutMs = 5000,
  ): Promise<ServerMessages[K]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.of(type).find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${type}; got ${JSON.stringify(this.received.map((r) => r.type))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  /** Sends a chat and resolves with the end of its reply (not an earlier one, not a greeting). */
  async say(content: string, timeoutMs = 10_000): Promise<ServerMessages["ai_end"]> {
    const seen = new Set(this.of("ai_end").map((e) => e.reply_id));
    this.send("chat", { content });
    return this.waitFor("ai_end", (e) => !seen.has(e.reply_id) && !e.reply_id.startsWith("greeting-"), timeoutMs);
  }

  /** The chunks of one reply, in arrival order. */
  chunksOf(replyId: string) {
    return this.of("ai_chunk").filter((c) => c.reply_id === replyId);
  }

  async leave(): Promise<void> {
    await this.room.leave(true).catch(() => undefined);
  }
}
