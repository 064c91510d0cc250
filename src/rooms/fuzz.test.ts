/**
 * A seeded fuzz run against a real Parley process (as `npm start` runs it): tens of thousands of
 * malformed messages (types and payloads of every kind, huge and deeply nested), random raw frames
 * and closes at every step of the join. Afterwards the process is alive, a bystander in another
 * room gets its reply, its memory did not grow with the work, and every malformed message was
 * answered with exactly one `error`.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { pack } from "msgpackr";
import { startParleyProcess, type ParleyProcess } from "../testing/process-cluster.ts";
import { Fuzz, isAcceptedSilently } from "../testing/fuzz-messages.ts";
import { TestPlayer } from "../testing/test-player.ts";
import { closed, nextFrame, openSocket, PROTOCOL, reserveSeat, seatUrl } from "../testing/raw-socket.ts";
import { createTokenIssuer } from "../auth/tokens.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261205);
const CHAT_MAX_CHARS = 2000;
const FUZZERS = 4;
const MESSAGES_PER_FUZZER_PER_ROUND = 2500;
const ROUNDS = 3;
/** Under the transport's frame limit for this chat length (see app.ts): bigger frames close the socket. */
const MAX_FRAME_BYTES = 7000;
/** Allowed RSS growth from the end of the first round to the end of the last, of equal work. */
const RSS_SLACK_BYTES = 48 * 1024 * 1024;
const SECRET = "fuzz-secret-fuzz-secret-fuzz-secret";

let parley: ParleyProcess;
const tokens = createTokenIssuer(SECRET, { maxLifetimeSeconds: 3600 });
const fuzz = new Fuzz(SEED);

const rssOf = (pid: number): number => {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) * 1024;
};
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const wsUrl = () => `ws://127.0.0.1:${parley.port}`;

async function join(user: string, sessionId: string): Promise<TestPlayer> {
  return TestPlayer.join(wsUrl(), await tokens.sign(user), { character_id: 1, session_id: sessionId });
}

async function bystanderIsServed(round: number): Promise<void> {
  const bystander = await join("bystander", `fuzz-bystander-${round}`);
  bystander.send("chat", { content: "Are you still there?" });
  const end = await bystander.waitFor("ai_end", (e) => !e.reply_id.startsWith("greeting-"), 15_000);
  assert.equal(end.reason, "complete");
  await bystander.leave();
}

/** Sends malformed messages; resolves with how many must be answered with an error. */
function sendMalformed(player: TestPlayer, count: number): number {
  let expected = 0;
  for (let sent = 0; sent < count;) {
    // A type of any JSON kind reaches the server through the wildcard type "*", as the payload.
    const viaWildcard = fuzz.int(8) === 0;
    const type = viaWildcard ? "*" : fuzz.type();
    const payload = fuzz.value();
    if (!viaWildcard && isAcceptedSilently(type, payload, CHAT_MAX_CHARS)) continue;
    if (pack(payload ?? null).length > MAX_FRAME_BYTES) continue;
    player.room.send(type as string, payload);
    sent++;
    expected++;
  }
  return expected;
}

/** Random frames and closes at random steps of the join, on sockets of their own. */
async function rawAbuse(user: string, sockets: number): Promise<void> {
  const token = await tokens.sign(user);
  for (let i = 0; i < sockets; i++) {
    const seat = await reserveSeat(`http://127.0.0.1:${parley.port}`, token, { character_id: 1, session_id: `fuzz-raw-${i % 7}` });
    const step = fuzz.int(5);
    if (step === 0) continue; // the seat is never used
    const ws = await openSocket(seatUrl(wsUrl(), seat, token));
    if (step === 1) { ws.terminate(); continue; }
    if (step >= 2) await nextFrame(ws, PROTOCOL.JOIN_ROOM).catch(() => undefined);
    if (step === 2) { (fuzz.int(2) ? ws.close() : ws.terminate()); continue; }
    if (step === 4) ws.send(Buffer.from([PROTOCOL.JOIN_ROOM]));
    for (let f = fuzz.int(20); f > 0; f--) ws.send(fuzz.frame());
    const done = closed(ws);
    if (fuzz.int(2)) ws.terminate(); else ws.close();
    await Promise.race([done, wait(2000)]);
  }
}

before(async () => {
  parley = await startParleyProcess({
    name: "fuzz",
    env: {
      NODE_ENV: "test", LOG_LEVEL: "info", AUTH_SECRET: SECRET, OFFLINE_MODEL_TOKEN_MS: "2",
      OPENAI_API_KEY: "", OPENAI_BASE_URL: "", REDIS_URL: "", DATABASE_URL: "", MONGODB_URL: "",
      // The fuzzers send far faster than players: this run is about content, the flood guard has its own tests.
      FLOOD_MESSAGES_PER_SECOND: "1000000", CHAT_MAX_CHARS: String(CHAT_MAX_CHARS), RECONNECT_SECONDS: "1",
    },
    readyTimeoutMs: 60_000,
  });
});

after(async () => {
  if (parley?.child.exitCode === null) await parley.stop("SIGKILL");
});

describe(`fuzz (seed ${SEED})`, () => {
  it("survives malformed messages, raw frames and broken joins; every malformed message gets one error; memory stays flat", async (t) => {
    const players = await Promise.all(Array.from({ length: FUZZERS }, (_, i) => join(`fuzzer-${i}`, `fuzz-${i}`)));
    const rss: number[] = [];
    const sent = players.map(() => 0);
    for (let round = 1; round <= ROUNDS; round++) {
      players.forEach((p, i) => { sent[i]! += sendMalformed(p, MESSAGES_PER_FUZZER_PER_ROUND); });
      await rawAbuse(`raw-${round}`, 40);
      for (const [i, p] of players.entries()) {
        await p.waitFor("error", () => p.of("error").length >= sent[i]!, 30_000).catch(() => {
          assert.fail(`fuzzer ${i}: ${p.of("error").length} errors for ${sent[i]} malformed messages; connection open: ${p.room.connection.isOpen}`);
        });
      }
      // Deliberately waits for an extra error that must not come.
      await wait(200);
      assert.deepEqual(players.map((p) => p.of("error").length), sent, "exactly one error per malformed message");
      assert.equal(parley.child.exitCode, null, "the process is alive");
      await bystanderIsServed(round);
      rss.push(rssOf(parley.child.pid!));
    }
    const total = sent.reduce((a, b) => a + b, 0);
    assert.ok(total >= 25_000, `sent ${total} malformed messages`);
    assert.ok(players.every((p) => p.room.connection.isOpen), "no fuzzer was disconnected for its content");
    const growth = rss.at(-1)! - rss[0]!;
    t.diagnostic(`${total} malformed messages, RSS after each round ${rss.map((b) => (b / 2 ** 20).toFixed(1)).join(", ")} MB`);
    assert.ok(growth < RSS_SLACK_BYTES, `RSS grew ${(growth / 2 ** 20).toFixed(1)} MB over ${ROUNDS - 1} rounds: ${rss.map((b) => (b / 2 ** 20).toFixed(0)).join(", ")} MB`);
    const unexpected = parley.logs.filter((line) => /unhandled promise rejection|uncaught exception|handler threw/.test(line));
    assert.deepEqual(unexpected, [], "nothing reached the process guard or a room's guard");
    for (const p of players) await p.leave();
  });

  it("a shutdown with players connected and sockets closing mid-join ends cleanly", async () => {
    const players = await Promise.all([0, 1, 2].map((i) => join(`stayer-${i}`, `fuzz-shutdown-${i}`)));
    players[0]!.send("chat", { content: "Tell me a long story." });
    const token = await tokens.sign("late");
    const sockets = await Promise.all([0, 1, 2, 3].map(async (i) => {
      const seat = await reserveSeat(`http://127.0.0.1:${parley.port}`, token, { character_id: 1, session_id: `fuzz-shutdown-${i}` });
      return openSocket(seatUrl(wsUrl(), seat, token));
    }));
    const logsBefore = parley.logs.length;
    const exit = parley.stop("SIGTERM");
    // Deliberately a moment after the signal: the sockets go while the shutdown is under way.
    await wait(20);
    sockets.forEach((ws, i) => (i % 2 ? ws.terminate() : ws.close()));
    players[1]!.room.connection.close();
    const { code } = await exit;
    assert.equal(code, 0);
    const during = parley.logs.slice(logsBefore);
    assert.deepEqual(during.filter((line) => /unhandled|uncaught|disposing|^\s+at /.test(line)), [], during.join("\n"));
  });
});
