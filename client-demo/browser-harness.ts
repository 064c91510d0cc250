/** What the demo's browser test stands on: Debian's Chromium, a page's view of the demo, a network it can cut. */
import { existsSync } from "node:fs";
import { createServer, connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type Page } from "playwright-core";
import type { AiEndMessage, ErrorMessage, GameEventMessage } from "../src/protocol/messages.ts";

export const CHROMIUM = "/usr/bin/chromium";

/** Debian's Chromium, headless; the flags keep it off this machine's closed network. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: run \`npm run setup\` (as root), which installs Debian's chromium for the browser test`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** `window.parleyDemo` as the page exposes it (see client-demo/src/main.ts). */
export interface DemoHooks {
  ends: AiEndMessage[];
  events: GameEventMessage[];
  errors: ErrorMessage[];
  chunks: Array<{ reply_id: string; seq: number; afterReconnect: boolean }>;
  reconnects: number;
  resumes: Array<{ reply_id: string; last_seq: number }>;
  userId: string;
  link: string;
  status(): string;
  bubbleText(): string;
  bubbleNote(): string;
  currentReply(): { reply_id: string; text: string; shownSeq: number } | undefined;
  duplicates(): number;
  repairs(): number;
  itemPoint(id: string): { x: number; y: number } | undefined;
  avatars(): string[];
  ready(): boolean;
}
declare global { interface Window { parleyDemo: DemoHooks } }

export interface WatchedReply {
  replyId: string;
  /** Each different text the bubble showed, in order, while the reply streamed. */
  texts: string[];
  end: AiEndMessage;
  /** The bubble once the end was drawn. */
  final: string;
}

/**
 * Starts watching the next reply the page's bubble follows: every frame it reads what the bubble
 * shows, until that reply ends. Start it before the chat is sent; await it after.
 */
export function watchNextReply(page: Page, timeoutMs = 15_000): Promise<WatchedReply> {
  return page.evaluate((timeout) => new Promise<WatchedReply>((resolve, reject) => {
    const demo = window.parleyDemo;
    const before = demo.currentReply()?.reply_id;
    const texts: string[] = [];
    const deadline = Date.now() + timeout;
    let settle = -1;
    const tick = () => {
      const reply = demo.currentReply();
      if (Date.now() > deadline) return reject(new Error(`no reply ended in ${timeout} ms; bubble: ${demo.bubbleText()}`));
      if (reply && reply.reply_id !== before) {
        const text = demo.bubbleText();
        if (text && texts.at(-1) !== text) texts.push(text);
        const end = demo.ends.find((e) => e.reply_id === reply.reply_id);
        // A few frames after the end, so the scene has drawn it.
        if (end && ++settle > 3) return resolve({ replyId: reply.reply_id, texts, end, final: demo.bubbleText() });
      }
      requestAnimationFrame(tick);
    };
    tick();
  }), timeoutMs);
}

/** A TCP relay in front of the server: `cut()` drops every connection through it and refuses new ones until `restore()`. */
export async function cuttableProxy(targetPort: number) {
  const sockets = new Set<Socket>();
  let down = false;
  const server = createServer((inbound) => {
    if (down) return void inbound.destroy();
    const outbound = connect(targetPort, "127.0.0.1");
    for (const [a, b] of [[inbound, outbound], [outbound, inbound]] as const) {
      sockets.add(a);
      a.pipe(b);
      a.on("error", () => undefined);
      a.on("close", () => { sockets.delete(a); b.destroy(); });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      down = true;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    restore() { down = false; },
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}
