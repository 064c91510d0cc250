/** With SEAT_RESERVATION_SECONDS unset, a reserved seat waits 30 s (Colyseus alone would wait 15). */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { matchMaker } from "@colyseus/core";
import { startTestServer, type TestServer } from "../testing/test-server.ts";

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server.close();
});

it("a seat reserved with the default settings is held for 30 s", async () => {
  const seat = await matchMaker.joinOrCreate("ai_character", { character_id: 1 },
    { token: await server.tokenFor("default-player"), ip: "127.0.0.1", headers: new Headers() });
  const room = matchMaker.getLocalRoomById(seat.roomId);
  // Waiting out 30 s is too slow for a test; the room's timeout is the one its seat timers are set from,
  // and seat-reservation.test.ts shows with 1 s that the seat is given up when it runs out.
  assert.equal(room.seatReservationTimeout, 30);
  assert.ok(room.hasReservedSeat(seat.sessionId));
});
