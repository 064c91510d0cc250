/**
 * A model endpoint that stalls, never answers or cuts its stream, behind a real Parley server and
 * real WebSockets, with each model client: the faulty reply ends with reason `error` within the
 * deadlines, players hear `model/error`, and the chat queued behind it is answered at once.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../testing/test-server.ts";
import { TestPlayer } from "../testing/test-player.ts";

/** Short deadlines so the tests are quick; what is asserted is an end, not its timing. */
const DEADLINE_MS = 300;
/** Far beyond the deadlines and far below the old behaviour (never, or 60 s). */
const ENDS_WITHIN_MS = 4000;

type Fault = "stall-mid-reply" | "never-answers" | "cut-before-done" | "stall-before-first-token";
const FAULTS: Fault[] = ["stall-mid-reply", "never-answers", "cut-before-done", "stall-before-first-token"];

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const SHOWN = ["Once", " upon"];

/** An OpenAI-compatible endpoint that fails as the last chat asks (`fault:<name>`), and answers whole otherwise. */
async function startFaultServer(): Promise<{ url: string; attempts: Map<Fault, number>; close(): Promise<void> }> {
  const attempts = new Map<Fault, number>();
  const answer = (res: ServerResponse, fault: Fault | undefined): void => {
    if (fault === "never-answers") return;
    res.writeHead(200, { "content-type": "text/event-stream", ...(fault === "cut-before-done" ? { connection: "close" } : {}) });
    res.write(chunk({ role: "assistant", content: "" }));
    if (fault === "stall-before-first-token") return;
    for (const text of SHOWN) res.write(chunk({ content: text }));
    if (fault === "stall-mid-reply") return;
    if (fault === "cut-before-done") return void res.end();
    res.write(chunk({ content: " all is well." }));
    res.write(chunk({}, "stop"));
    res.write(`data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } })}\n\n`);
    res.end("data: [DONE]\n\n");
  };
  const server: Server = createServer((req: IncomingMessage, res) => {
    // The start-up probe of the endpoint (GET /models).
    if (req.method === "GET") return void res.writeHead(200, { "content-type": "application/json" }).end('{"data":[]}');
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (part: string) => { body += part; });
    req.on("end", () => {
      const messages = (JSON.parse(body) as { messages?: Array<{ content: string }> }).messages ?? [];
      const fault = FAULTS.find((f) => messages.at(-1)?.content === `fault:${f}`);
      if (fault) attempts.set(fault, (attempts.get(fault) ?? 0) + 1);
      answer(res, fault);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    attempts,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let model: Awaited<ReturnType<typeof startFaultServer>>;
before(async () => { model = await startFaultServer(); });
after(async () => { await model.close(); });

for (const client of ["direct", "langchain"] as const) describe(`MODEL_CLIENT=${client} against a faulty endpoint`, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      OPENAI_BASE_URL: model.url, OPENAI_API_KEY: "test", MODEL_CLIENT: client, MODERATION_HOLDBACK: "false", EMBEDDINGS: "local",
      MODEL_FIRST_TOKEN_TIMEOUT_MS: String(DEADLINE_MS), MODEL_IDLE_TIMEOUT_MS: String(DEADLINE_MS),
    });
  });
  after(async () => { await server.close(); });

  for (const fault of FAULTS) it(`${fault}: the reply ends with error, players hear model/error, the next chat is answered`, { timeout: 15_000 }, async () => {
    model.attempts.delete(fault);
    const player = await TestPlayer.join(server.wsUrl, await server.tokenFor(`p-${fault}`), { character_id: 1, session_id: `faults-${client}-${fault}` });
    await player.waitFor("ai_end", (e) => e.reply_id.startsWith("greeting-"));
    const started = Date.now();
    player.send("chat", { content: `fault:${fault}` });
    const thinking = await player.waitFor("ai_status", (s) => s.status === "thinking");
    // Queued behind the faulty reply: it must not wait for a `stop`.
    player.send("chat", { content: "and now?" });

    const end = await player.waitFor("ai_end", (e) => e.reply_id === thinking.reply_id, ENDS_WITHIN_MS);
    const endedAfter = Date.now() - started;
    assert.equal(end.reason, "error");
    const shown = fault === "stall-mid-reply" || fault === "cut-before-done" ? SHOWN.join("") : "";
    assert.equal(end.full_content, shown, "what was shown, and nothing more");
    assert.ok(endedAfter >= DEADLINE_MS || fault === "cut-before-done", `ended by the deadline, not before it (${endedAfter} ms)`);
    const error = await player.waitFor("error");
    assert.equal(error.code, "model/error");

    const next = await player.waitFor("ai_end", (e) => e.reply_id !== end.reply_id && !e.reply_id.startsWith("greeting-"), ENDS_WITHIN_MS);
    assert.equal(next.reason, "complete");
    assert.equal(next.full_content, "Once upon all is well.");
    assert.equal(model.attempts.get(fault), 1, "never tried again once the request was sent and the deadline passed, or text was shown");
    await player.leave();
  });
});
