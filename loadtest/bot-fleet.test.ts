import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { startTestServer } from "../src/testing/test-server.ts";
import type { BotSample, ReplySample } from "./bot-samples.ts";
import { startFleet } from "./bot-fleet.ts";
import { botTokenSigner } from "./bot-token.ts";
import { startSimOpenAI } from "./sim-openai/server.ts";

const SECRET = "fleet-test-secret-fleet-test-secret";

test("a fleet session joins its players to one room, and speaker and listener both check the reply", async () => {
  const sim = await startSimOpenAI({ firstTokenMs: 0, tokensPerSecond: 0, replyTokens: 5, log: "silent" });
  const server = await startTestServer({ OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim", OPENAI_MODEL: "parley-sim", AUTH_SECRET: SECRET });
  const samples: BotSample[] = [];
  let sawBoth: () => void = () => {};
  const bothReplied = new Promise<void>((resolve) => { sawBoth = resolve; });
  const fleet = startFleet({
    endpoints: [server.wsUrl], firstSession: 0, sessions: 1, playersPerSession: 2, runId: "t", characterId: 1,
    chatEveryMs: 60_000, joinSpreadMs: 0, sign: botTokenSigner(SECRET), random: () => 0,
    sink: (s) => {
      samples.push(s);
      if (samples.filter((x) => x.kind === "reply").length === 2) sawBoth();
    },
  });
  try {
    await fleet.joined;
    assert.deepEqual(fleet.stats, { playersJoined: 2, playersFailed: 0, playersPending: 0, sessionsJoined: 1 });
    await bothReplied;
    const replies = samples.filter((s): s is ReplySample => s.kind === "reply");
    const speaker = replies.find((r) => r.speaker);
    const listener = replies.find((r) => !r.speaker);
    assert.ok(speaker && listener);
    assert.equal(speaker.reply_id, listener.reply_id);
    assert.equal(speaker.chunks, 5);
    assert.equal(speaker.seq_faults + listener.seq_faults, 0);
    assert.ok(speaker.content_ok && listener.content_ok);
    assert.equal(typeof speaker.first_chunk_ms, "number");
    assert.equal(samples.filter((s) => s.kind === "chat").length, 1);
    assert.equal(samples.filter((s) => s.kind === "error" || s.kind === "disconnect" || s.kind === "join_failed").length, 0);
  } finally {
    await fleet.stop();
    await server.close();
    await sim.close();
  }
});

test("a join the server refuses is recorded as a failure", async () => {
  const sim = await startSimOpenAI({ log: "silent" });
  const server = await startTestServer({ OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: "sim", AUTH_SECRET: SECRET });
  const samples: BotSample[] = [];
  const fleet = startFleet({
    endpoints: [server.wsUrl], firstSession: 0, sessions: 1, playersPerSession: 1, runId: "t", characterId: 1,
    chatEveryMs: 60_000, joinSpreadMs: 0, sign: botTokenSigner("not-the-server-secret"), sink: (s) => samples.push(s),
  });
  try {
    await fleet.joined;
    assert.deepEqual(fleet.stats, { playersJoined: 0, playersFailed: 1, playersPending: 0, sessionsJoined: 0 });
    assert.deepEqual(samples.map((s) => s.kind), ["join_failed"]);
  } finally {
    await fleet.stop();
    await server.close();
    await sim.close();
  }
});

test("a join the server never answers stays pending, so the bench can count it, until it fails", async () => {
  const sockets: Socket[] = [];
  let connected: () => void = () => {};
  const reached = new Promise<void>((resolve) => { connected = resolve; });
  const silent = createServer((socket) => { sockets.push(socket); connected(); });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const { port } = silent.address() as AddressInfo;
  const fleet = startFleet({
    endpoints: [`ws://127.0.0.1:${port}`], firstSession: 0, sessions: 1, playersPerSession: 1, runId: "t", characterId: 1,
    chatEveryMs: 60_000, joinSpreadMs: 0, sign: botTokenSigner(SECRET), sink: () => {},
  });
  try {
    await reached;
    assert.deepEqual(fleet.stats, { playersJoined: 0, playersFailed: 0, playersPending: 1, sessionsJoined: 0 });
    for (const socket of sockets) socket.destroy();
    await fleet.joined;
    assert.deepEqual(fleet.stats, { playersJoined: 0, playersFailed: 1, playersPending: 0, sessionsJoined: 0 });
  } finally {
    await fleet.stop();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});
