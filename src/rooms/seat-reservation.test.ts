/** A reserved seat waits SEAT_RESERVATION_SECONDS for its player's WebSocket, then is given up. */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { matchMaker } from "@colyseus/core";
import { Client } from "@colyseus/sdk";
import { startTestServer, type TestServer } from "../testing/test-server.ts";

let server: TestServer;

before(async () => {
  server = await startTestServer({ SEAT_RESERVATION_SECONDS: "1" });
});

after(async () => {
  await server.close();
});

/** A seat in a private session of `user`, reserved as the matchmaking route would reserve it. */
async function reserveSeat(user: string) {
  return matchMaker.joinOrCreate("ai_character", { character_id: 1 }, { token: await server.tokenFor(user), ip: "127.0.0.1", headers: new Headers() });
}

it("a player who comes within the reservation time joins", async () => {
  const seat = await reserveSeat("prompt-player");
  await new Promise((r) => setTimeout(r, 300));
  const room = await new Client(server.wsUrl).consumeSeatReservation(seat);
  assert.ok(room.sessionId);
  await room.leave();
});

it("a player who comes after the reservation time is refused, and says why", async () => {
  const seat = await reserveSeat("late-player");
  await new Promise((r) => setTimeout(r, 1600));
  await assert.rejects(new Client(server.wsUrl).consumeSeatReservation(seat), /seat reservation expired/);
});
