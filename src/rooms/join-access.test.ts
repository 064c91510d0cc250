/**
 * A private session is its player's alone, whichever way into its room another player tries:
 * joinOrCreate, join, create, joinById with the room id, or a reconnection token. Real WebSockets
 * through the Colyseus SDK, against a server in process and one behind Redis (the driver that
 * finds rooms across processes).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { matchMaker } from "@colyseus/core";
import { Client, type Room } from "@colyseus/sdk";
import { Redis } from "ioredis";
import { SignJWT } from "jose";
import { startTestServer, type TestServer } from "../testing/test-server.ts";
import { until } from "../testing/until.ts";
import { privateSessionId } from "./session.ts";

const SECRET = "test-secret-test-secret-test-secret";
const REDIS_URL = `${process.env.PARLEY_TEST_REDIS_URL ?? "redis://127.0.0.1:6379"}/7`;

const refusedWith = (...codes: number[]) => (err: unknown) => {
  assert.ok(codes.includes((err as { code?: number }).code ?? 0), `expected ${codes.join(" or ")}, got ${String((err as { code?: number }).code)}: ${(err as Error).message}`);
  return true;
};

for (const backend of ["local", "redis"] as const) {
  describe(`who may enter a private session (${backend})`, () => {
    let server: TestServer;
    let n = 0;

    before(async () => {
      if (backend === "redis") {
        const redis = new Redis(REDIS_URL);
        await redis.flushdb();
        await redis.quit();
      }
      server = await startTestServer({ RECONNECT_SECONDS: "5", ...(backend === "redis" ? { REDIS_URL } : {}) });
    });
    after(() => server.close());

    async function clientOf(user: string): Promise<Client> {
      const client = new Client(server.wsUrl);
      client.auth.token = await server.tokenFor(user);
      return client;
    }

    /** A new alice for each test, so each has a private session (and room) of its own. */
    async function alicesRoom(): Promise<{ alice: Client; room: Room; character_id: string; session_id: string }> {
      const character_id = "1";
      const user = `alice-${backend}-${++n}`;
      const alice = await clientOf(user);
      const room = await alice.joinOrCreate("ai_character", { character_id });
      const session_id = privateSessionId(user, character_id);
      assert.equal((room.state as { session_id?: string }).session_id ?? session_id, session_id);
      return { alice, room, character_id, session_id };
    }

    it("alice gets in by joinOrCreate, join, joinById and a second joinOrCreate: one room", async () => {
      const { alice, room, character_id, session_id } = await alicesRoom();
      const again = await alice.joinOrCreate("ai_character", { character_id });
      const joined = await alice.join("ai_character", { character_id, session_id });
      const byId = await alice.joinById(room.roomId, { character_id });
      assert.deepEqual([again.roomId, joined.roomId, byId.roomId], [room.roomId, room.roomId, room.roomId]);
      await Promise.all([room, again, joined, byId].map((r) => r.leave(true)));
    });

    it("bob cannot joinOrCreate, join or create alice's private session", async () => {
      const { room, character_id, session_id } = await alicesRoom();
      const bob = await clientOf("bob");
      await assert.rejects(bob.joinOrCreate("ai_character", { character_id, session_id }), refusedWith(403));
      await assert.rejects(bob.join("ai_character", { character_id, session_id }), refusedWith(403));
      await assert.rejects(bob.create("ai_character", { character_id, session_id }), refusedWith(403));
      assert.equal(room.connection.isOpen, true, "alice is still in");
      await room.leave(true);
    });

    it("bob cannot joinById alice's room, with or without naming her session", async () => {
      const { room, character_id, session_id } = await alicesRoom();
      const bob = await clientOf("bob");
      await assert.rejects(bob.joinById(room.roomId, { character_id }), refusedWith(403));
      await assert.rejects(bob.joinById(room.roomId, { character_id, session_id }), refusedWith(403));
      // Naming a shared session that is not the room's is no key either.
      await assert.rejects(bob.joinById(room.roomId, { character_id, session_id: "a-shared-one" }), refusedWith(403));
      await room.leave(true);
    });

    it("a shared session is joined by id by anyone who names it", async () => {
      const session_id = `shared-${backend}-${++n}`;
      const carol = await clientOf("carol");
      const room = await carol.joinOrCreate("ai_character", { character_id: "1", session_id });
      const dave = await clientOf("dave");
      const byId = await dave.joinById(room.roomId, { character_id: "1", session_id });
      assert.equal(byId.roomId, room.roomId);
      await Promise.all([room.leave(true), byId.leave(true)]);
    });

    it("create of a session that already has a room is refused: one conversation, one room", async () => {
      const { alice, room, character_id } = await alicesRoom();
      await assert.rejects(alice.create("ai_character", { character_id }), refusedWith(409));
      const session_id = `shared-${backend}-${++n}`;
      const shared = await alice.create("ai_character", { character_id, session_id });
      const bob = await clientOf("bob");
      await assert.rejects(bob.create("ai_character", { character_id, session_id }), refusedWith(409));
      await Promise.all([room.leave(true), shared.leave(true)]);
    });

    it("a reconnection token is refused when forged, stale, or in another player's hands; alice's own works", async () => {
      const { alice, room } = await alicesRoom();
      const bob = await clientOf("bob");
      const token = room.reconnectionToken;
      await assert.rejects(bob.reconnect(`${room.roomId}:forged0000`), refusedWith(524));
      const held = matchMaker.getLocalRoomById(room.roomId);
      room.connection.close();
      await until(() => held.hasReservedSeat(room.sessionId, token.split(":")[1]), "the seat held for alice's return");
      // Alice's real token, leaked to bob: the seat is held for alice, and bob's token is not hers.
      await assert.rejects(bob.reconnect(token));
      const back = await alice.reconnect(token);
      assert.equal(back.roomId, room.roomId);
      // Used up: a reconnection is given a new token.
      await assert.rejects(alice.reconnect(token), refusedWith(524));
      await back.leave(true);
      await assert.rejects(bob.reconnect(back.reconnectionToken), refusedWith(522, 524));
    });

    it("a token without exp is refused at the door with 401", async () => {
      const forever = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("eve").setIssuedAt()
        .sign(new TextEncoder().encode(SECRET));
      const eve = new Client(server.wsUrl);
      eve.auth.token = forever;
      await assert.rejects(eve.joinOrCreate("ai_character", { character_id: "1" }), refusedWith(401));
      const valid = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("eve").setIssuedAt().setExpirationTime("5m")
        .sign(new TextEncoder().encode(SECRET));
      eve.auth.token = valid;
      const room = await eve.joinOrCreate("ai_character", { character_id: "1" });
      await room.leave(true);
    });
  });
}
