/**
 * What a hostile or broken client can send, at every step of its connection's life, ends in an
 * `error` or a closed socket for that client, never in a dead process: a bystander's reply still
 * arrives and no promise rejection or exception escapes.
 */
import assert from "node:assert/strict";
import { CloseCode } from "@colyseus/core";
import { after, afterEach, before, describe, it } from "node:test";
import type { WebSocket } from "ws";
import { startSimOpenAI, type SimOpenAI } from "../../loadtest/sim-openai/server.ts";
import { startTestServer, type TestServer } from "../testing/test-server.ts";
import { TestPlayer } from "../testing/test-player.ts";
import { closed, nextFrame, openSocket, PROTOCOL, reserveSeat, roomDataFrame, seatUrl } from "../testing/raw-socket.ts";
import { z } from "zod";
import { inspectItem } from "../actions/action-registry.ts";
import { defineAction } from "../actions/define-action.ts";

let sim: SimOpenAI;
let server: TestServer;
let session = 0;
const escaped: unknown[] = [];
const onEscape = (err: unknown) => { escaped.push(err); };

const FLOOD_PER_SECOND = 40;

async function join(user: string, sessionId = `hostile-${process.pid}-${++session}`): Promise<TestPlayer> {
  return TestPlayer.join(server.wsUrl, await server.tokenFor(user), { character_id: 1, session_id: sessionId });
}

/** The end of the reply to a chat (the greeting that comes with every join is not one). */
const replyEnd = (player: TestPlayer) => player.waitFor("ai_end", (e) => !e.reply_id.startsWith("greeting-"));

/** A player in another room still gets a whole reply: the process and its rooms are fine. */
async function bystanderIsServed(): Promise<void> {
  const bystander = await join("bystander");
  bystander.send("chat", { content: "[[say:still|here]]" });
  const end = await replyEnd(bystander);
  assert.equal(end.full_content, "stillhere");
  await bystander.leave();
}

/** How many clients the flood guard has cut, from /metrics. */
async function floodDisconnects(): Promise<number> {
  const text = await server.services.metrics.render();
  return Number(/^parley_flood_disconnects_total (\d+)/m.exec(text)?.[1] ?? NaN);
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  process.on("unhandledRejection", onEscape);
  process.on("uncaughtException", onEscape);
  sim = await startSimOpenAI({ firstTokenMs: 0, tokensPerSecond: 200, log: "silent" });
  server = await startTestServer({
    OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim", RECONNECT_SECONDS: "2", SEAT_RESERVATION_SECONDS: "2",
    FLOOD_MESSAGES_PER_SECOND: String(FLOOD_PER_SECOND),
  });
});

afterEach(() => {
  assert.deepEqual(escaped.splice(0), [], "no rejection or exception escaped to the process");
});

after(async () => {
  await server.close();
  await sim.close();
  process.off("unhandledRejection", onEscape);
  process.off("uncaughtException", onEscape);
});

describe("messages of any type", () => {
  it("a type that is not a string, or that names nothing, is answered message/unknown_type", async () => {
    const player = await join("mallory");
    // The SDK's "*" reaches the room's wildcard handler with the payload where the type should be.
    player.send("*", { toString: "x" });
    player.send("*", null);
    player.room.send(7 as unknown as string, { a: 1 });
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "_", ""]) player.send(name, {});
    await player.waitFor("error", () => player.of("error").length >= 9);
    assert.ok(player.of("error").every((e) => e.code === "message/unknown_type"), JSON.stringify(player.of("error")));
    player.send("chat", { content: "[[say:fine]]" });
    assert.equal((await replyEnd(player)).reason, "complete");
    await player.leave();
  });

  it("a handler that throws answers server/internal, and the room carries on", async () => {
    server.services.actions.register(defineAction({
      id: "inspect_item", description: "", params: z.object({}), run: () => { throw new Error("a bug in a game action"); },
    }));
    try {
      const player = await join("ivan");
      player.send("action", { action_id: "inspect_item", target_id: "sword_001" });
      const error = await player.waitFor("error");
      assert.equal(error.code, "server/internal");
      player.send("chat", { content: "[[say:after|the|bug]]" });
      assert.equal((await replyEnd(player)).full_content, "afterthebug");
      await player.leave();
      assert.match(await server.services.metrics.render(), /parley_unexpected_errors_total\{where="room.onMessage"\} 1/);
    } finally {
      server.services.actions.register(inspectItem);
    }
  });
});

describe("matchmaking requests of any shape", () => {
  it("are refused with a status and a reason, never a dropped connection", async () => {
    const token = await server.tokenFor("prober");
    const bodies = ["null", "[]", "1", "\"x\"", "{", "{\"character_id\":{\"a\":1}}", "{\"__proto__\":{\"x\":1},\"character_id\":1}",
      "{\"character_id\":1,\"session_id\":\"\\u0000\"}", "{\"character_id\":1,\"reconnectionToken\":5}"];
    for (const path of ["joinOrCreate/ai_character", "create/ai_character", "join/ai_character", "joinById/nothing", "reconnect/nothing", "joinOrCreate/__proto__"]) {
      for (const body of bodies) {
        const res = await fetch(`${server.httpUrl}/matchmake/${path}`, {
          method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body,
        });
        assert.ok(res.status >= 400, `${path} ${body}: ${res.status}`);
        assert.ok(typeof ((await res.json()) as { error?: unknown }).error === "string", `${path} ${body}: a reason`);
      }
    }
    await bystanderIsServed();
  });
});

describe("closes at every step of the join", () => {
  const token = () => server.tokenFor("dropper");
  const seat = async () => {
    const t = await token();
    const reserved = await reserveSeat(server.httpUrl, t, { character_id: 1, session_id: `drop-${process.pid}-${++session}` });
    return seatUrl(server.wsUrl, reserved, t);
  };
  /** Each ends the socket at a different moment; "close" says goodbye, "terminate" drops TCP. */
  const steps: Record<string, (url: string) => Promise<void>> = {
    "seat reserved, never connected": async () => { await seat(); },
    "close as soon as the socket opens": async (url) => { (await openSocket(url)).close(); },
    "drop as soon as the socket opens": async (url) => { (await openSocket(url)).terminate(); },
    "close after the server's join, before acknowledging it": async (url) => {
      const ws = await openSocket(url);
      await nextFrame(ws, PROTOCOL.JOIN_ROOM);
      ws.close();
    },
    "drop after the server's join, before acknowledging it": async (url) => {
      const ws = await openSocket(url);
      await nextFrame(ws, PROTOCOL.JOIN_ROOM);
      ws.terminate();
    },
    "acknowledge, then drop": async (url) => {
      const ws = await openSocket(url);
      await nextFrame(ws, PROTOCOL.JOIN_ROOM);
      ws.send(Buffer.from([PROTOCOL.JOIN_ROOM]));
      ws.send(roomDataFrame("chat", { content: "[[say:one|two|three]]" }));
      // Deliberately a moment later: the drop lands while the reply is under way.
      await wait(20);
      ws.terminate();
    },
    "acknowledge twice, leave, and keep talking": async (url) => {
      const ws = await openSocket(url);
      await nextFrame(ws, PROTOCOL.JOIN_ROOM);
      ws.send(Buffer.from([PROTOCOL.JOIN_ROOM]));
      ws.send(Buffer.from([PROTOCOL.JOIN_ROOM]));
      ws.send(Buffer.from([PROTOCOL.LEAVE_ROOM]));
      ws.send(roomDataFrame("chat", { content: "hello?" }));
      await closed(ws);
    },
    "a seat used twice": async (url) => {
      const a = await openSocket(url);
      const b = await openSocket(url).catch(() => undefined);
      a.terminate();
      b?.terminate();
    },
    "a socket with no seat, and a forged one": async (url) => {
      const bare = await openSocket(server.wsUrl);
      bare.send("hello");
      const forged = await openSocket(url.replace(/sessionId=[^&]+/, "sessionId=forged")).catch(() => undefined);
      bare.terminate();
      forged?.terminate();
    },
  };

  for (const [step, run] of Object.entries(steps)) {
    it(step, async () => {
      for (let i = 0; i < 3; i++) await run(await seat());
      // Deliberately gives the server time to trip over what was sent; the bystander shows it did not.
      await wait(100);
      await bystanderIsServed();
    });
  }

  it("while the room is disposing", async () => {
    const player = await join("owner", `dispose-${process.pid}`);
    const t = await token();
    const reserved = await reserveSeat(server.httpUrl, t, { character_id: 1, session_id: `dispose-${process.pid}` });
    const ws = await openSocket(seatUrl(server.wsUrl, reserved, t));
    await nextFrame(ws, PROTOCOL.JOIN_ROOM);
    await player.leave();
    ws.terminate();
    // Deliberately gives the disposal time to go wrong; the bystander shows it did not.
    await wait(100);
    await bystanderIsServed();
  });
});

describe("malformed frames after the join", () => {
  const frames: Record<string, Buffer | string> = {
    "a bare room-data code": Buffer.from([PROTOCOL.ROOM_DATA]),
    "a type longer than the frame": Buffer.from([PROTOCOL.ROOM_DATA, 0xbf, 0x61]),
    "a payload that is not msgpack": Buffer.concat([roomDataFrame("chat"), Buffer.from([0xc1, 0xff, 0xff])]),
    "a truncated msgpack payload": Buffer.concat([roomDataFrame("chat"), Buffer.from([0xdf, 0xff, 0xff, 0xff, 0xff])]),
    "a request with no id": Buffer.from([21]),
    "a request for chat": Buffer.concat([Buffer.from([21, 1]), roomDataFrame("chat", { content: "[[say:req]]" }).subarray(1)]),
    "raw bytes of an unknown type": Buffer.from([17, 0xa1, 0x7a, 1, 2, 3]),
    "inputs to a room without inputs": Buffer.from([19, 0xff, 0xff]),
    "unreliable inputs": Buffer.from([20, 5, 0xff]),
    "an unknown protocol code": Buffer.from([255, 1, 2]),
    "an empty frame": Buffer.alloc(0),
    "a text frame": "{\"type\":\"chat\"}",
  };
  for (const [name, frame] of Object.entries(frames)) {
    it(name, async () => {
      const t = await server.tokenFor("fuzzer");
      const reserved = await reserveSeat(server.httpUrl, t, { character_id: 1, session_id: `frames-${process.pid}-${++session}` });
      const ws = await openSocket(seatUrl(server.wsUrl, reserved, t));
      await nextFrame(ws, PROTOCOL.JOIN_ROOM);
      ws.send(Buffer.from([PROTOCOL.JOIN_ROOM]));
      ws.send(frame);
      // Deliberately lets the server read the frame before the socket goes.
      await wait(50);
      ws.terminate();
      await bystanderIsServed();
    });
  }
});

describe("the flood guard counts every frame", () => {
  const floods: Record<string, (ws: WebSocket) => void> = {
    "Colyseus pings": (ws) => ws.send(Buffer.from([PROTOCOL.PING])),
    "WebSocket pings": (ws) => ws.ping(),
    "unknown protocol codes": (ws) => ws.send(Buffer.from([99])),
    "room messages": (ws) => ws.send(roomDataFrame("stop", {})),
  };
  for (const [name, send] of Object.entries(floods)) {
    it(`disconnects a flood of ${name}`, async () => {
      const t = await server.tokenFor("flooder");
      const reserved = await reserveSeat(server.httpUrl, t, { character_id: 1, session_id: `flood-${process.pid}-${++session}` });
      const ws = await openSocket(seatUrl(server.wsUrl, reserved, t));
      await nextFrame(ws, PROTOCOL.JOIN_ROOM);
      ws.send(Buffer.from([PROTOCOL.JOIN_ROOM]));
      const code = closed(ws);
      const before = await floodDisconnects();
      for (let i = 0; i < FLOOD_PER_SECOND * 5; i++) send(ws);
      assert.equal(await code, CloseCode.WITH_ERROR, "closed by the server's flood guard");
      assert.equal(await floodDisconnects(), before + 1);
      await bystanderIsServed();
    });
  }

  it("disconnects a flood from a socket that never joined", async () => {
    const ws = await openSocket(`${server.wsUrl}/nowhere/nothing?sessionId=none`);
    const code = closed(ws);
    for (let i = 0; i < FLOOD_PER_SECOND * 5; i++) ws.ping();
    assert.equal(await code, CloseCode.WITH_ERROR);
  });

  it("a client under the limit stays", async () => {
    const player = await join("steady");
    for (let i = 0; i < FLOOD_PER_SECOND / 2; i++) player.send("stop", {});
    // Deliberately waits for a disconnect that must not come.
    await wait(300);
    player.send("chat", { content: "[[say:still|connected]]" });
    assert.equal((await replyEnd(player)).reason, "complete");
    await player.leave();
  });
});
