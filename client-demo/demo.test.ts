/**
 * The demo in a real browser (Debian's Chromium, headless) against a real Parley: a player chats
 * and watches the bubble type the reply, inspects the sword, stops a reply, is joined by a second
 * tab of the same session, loses its network mid-reply and gets the rest without a gap, and
 * writes Chinese through an input method. Screenshots go to .scratch/screenshots/.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startTestServer, type TestServer } from "../src/testing/test-server.ts";
import { cuttableProxy, launchChromium, watchNextReply } from "./browser-harness.ts";

const SHOTS = ".scratch/screenshots";
/** Slow enough to see the bubble grow and to act mid-reply; a reply of ~20 words takes ~3 s. */
const TOKEN_MS = "150";

describe("the demo in a browser", () => {
  let server: TestServer;
  let proxy: Awaited<ReturnType<typeof cuttableProxy>>;
  let browser: Browser;
  /** The first player, whose traffic goes through the proxy so its network can be cut. */
  let alice: Page;
  let bob: Page;

  before(async () => {
    browser = await launchChromium();
    execFileSync(process.execPath, ["client-demo/build.ts"], { stdio: "ignore" });
    mkdirSync(SHOTS, { recursive: true });
    // No secret: the server serves POST /auth/dev-token, as on `npm start`, and the page takes its token there.
    server = await startTestServer({ AUTH_SECRET: "", OFFLINE_MODEL_TOKEN_MS: TOKEN_MS, RECONNECT_SECONDS: "20" });
    proxy = await cuttableProxy(server.port);
    alice = await openDemo(`http://127.0.0.1:${proxy.port}/`);
  });

  after(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.close();
  });

  async function openDemo(url: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 840, height: 700 } })).newPage();
    page.on("pageerror", (err) => console.error(`page error: ${err.message}`));
    page.on("console", (m) => { if (m.type() === "error") console.error(`page console: ${m.text()}`); });
    await page.goto(url);
    await page.waitForFunction(() => window.parleyDemo?.ready(), null, { timeout: 10_000 }).catch(async (err: Error) => {
      throw new Error(`the demo did not start: ${err.message}; the page says: ${await page.locator("body").innerText()}`);
    });
    return page;
  }

  async function say(page: Page, text: string) {
    await page.locator("#chat").fill(text);
    await page.locator("#chat").press("Enter");
  }

  it("greets the player, draws its avatar and puts the session in the link", async () => {
    await alice.waitForFunction(() => window.parleyDemo.bubbleText().startsWith("Stand up straight"));
    const link = await alice.evaluate(() => window.parleyDemo.link);
    assert.match(link, /[?&]session_id=demo-/);
    assert.deepEqual(await alice.evaluate(() => window.parleyDemo.avatars()), [await alice.evaluate(() => window.parleyDemo.userId)]);
  });

  it("clicking the sword shows Excalibur, atk 999", async () => {
    const point = await alice.evaluate(() => window.parleyDemo.itemPoint("sword_001"));
    assert.ok(point, "the sword is drawn from state.items");
    await alice.mouse.click(point.x, point.y);
    await alice.locator("#log .event", { hasText: "Excalibur" }).waitFor({ timeout: 5000 });
    const [event] = await alice.evaluate(() => window.parleyDemo.events);
    assert.deepEqual(event, { event_type: "item_info", payload: { name: "Excalibur", atk: 999 } });
  });

  it("a second tab with the session link joins the same room and sees the same reply typed", async () => {
    const link = new URL(await alice.evaluate(() => window.parleyDemo.link));
    bob = await openDemo(`http://127.0.0.1:${server.port}/${link.search}`);
    for (const page of [alice, bob]) await page.waitForFunction(() => window.parleyDemo.avatars().length === 2);

    const seenByAlice = watchNextReply(alice);
    const seenByBob = watchNextReply(bob);
    await say(alice, "What do you think of this sword?");
    const [a, b] = await Promise.all([seenByAlice, seenByBob]);
    await alice.screenshot({ path: `${SHOTS}/scene.png` });

    const partials = a.texts.filter((t) => t !== a.end.full_content);
    assert.ok(partials.length >= 3, `the bubble grew through ${partials.length} partial texts: ${JSON.stringify(a.texts)}`);
    for (const [i, text] of a.texts.entries()) {
      assert.ok(i === 0 || text.startsWith(a.texts[i - 1]!), `the bubble only grows: ${JSON.stringify(a.texts.slice(i - 1, i + 1))}`);
    }
    assert.equal(a.end.reason, "complete");
    assert.equal(a.final, a.end.full_content);
    assert.equal(b.replyId, a.replyId);
    assert.equal(b.final, a.end.full_content);
    assert.ok(b.texts.length >= 3, "the second tab saw it typed too");
  });

  it("Stop ends the reply mid-stream and says so", async () => {
    const seen = watchNextReply(alice);
    await say(alice, "Teach me the high guard.");
    await alice.waitForFunction(() => (window.parleyDemo.currentReply()?.shownSeq ?? 0) >= 2 && window.parleyDemo.status() === "streaming");
    await alice.locator("#stop").click();
    const reply = await seen;
    assert.equal(reply.end.reason, "stopped");
    assert.equal(reply.final, reply.end.full_content);
    assert.equal(await alice.evaluate(() => window.parleyDemo.bubbleNote()), "(stopped)");
    await alice.screenshot({ path: `${SHOTS}/stopped.png` });
  });

  it("a page whose network drops mid-reply reconnects and finishes the bubble with no gap and no repeat", async () => {
    const seenByAlice = watchNextReply(alice, 20_000);
    const seenByBob = watchNextReply(bob, 20_000);
    await say(alice, "How should I hold my elbow?");
    await alice.waitForFunction(() => (window.parleyDemo.currentReply()?.shownSeq ?? 0) >= 3);
    const cutAt = await alice.evaluate(() => window.parleyDemo.currentReply()!.shownSeq);
    proxy.cut();
    await alice.locator("#connection", { hasText: "reconnecting" }).waitFor({ timeout: 5000 });
    await alice.screenshot({ path: `${SHOTS}/reconnecting.png` });
    await new Promise((resolve) => setTimeout(resolve, 800));
    proxy.restore();

    const [a, b] = await Promise.all([seenByAlice, seenByBob]);
    assert.equal(a.replyId, b.replyId);
    assert.equal(a.final, a.end.full_content);
    assert.equal(a.final, b.final);
    const hooks = await alice.evaluate((id) => {
      const demo = window.parleyDemo;
      return { seqs: demo.chunks.filter((c) => c.reply_id === id), reconnects: demo.reconnects, resumes: demo.resumes, duplicates: demo.duplicates(), repairs: demo.repairs() };
    }, a.replyId);
    const bobChunks = await bob.evaluate((id) => window.parleyDemo.chunks.filter((c) => c.reply_id === id).length, a.replyId);
    assert.ok(hooks.reconnects >= 1, "the SDK reconnected");
    assert.ok(hooks.resumes.some((r) => r.reply_id === a.replyId && r.last_seq >= cutAt), `resume asked after seq ${cutAt}: ${JSON.stringify(hooks.resumes)}`);
    assert.deepEqual(hooks.seqs.map((c) => c.seq), Array.from({ length: bobChunks }, (_, i) => i + 1), "every chunk once, in order");
    assert.ok(hooks.seqs.some((c) => c.afterReconnect), "the rest arrived after the reconnection");
    assert.equal(hooks.duplicates, 0);
    assert.equal(hooks.repairs, 0, "the chunks alone made the full text");
    assert.equal(await alice.locator("#connection").textContent(), "connected");
  });

  it("Chinese typed through an input method is sent on Enter only once composed", async () => {
    const cdp = await alice.context().newCDPSession(alice);
    await alice.locator("#chat").focus();
    await cdp.send("Input.imeSetComposition", { text: "ni hao", selectionStart: 6, selectionEnd: 6 });
    // Enter while the candidate window is open picks a candidate: it must not send.
    await alice.keyboard.press("Enter");
    await cdp.send("Input.insertText", { text: "你好，师父" });
    assert.equal(await alice.locator("#chat").inputValue(), "你好，师父");
    assert.equal(await alice.locator("#log .you", { hasText: "ni hao" }).count(), 0);

    const seen = watchNextReply(alice);
    await alice.keyboard.press("Enter");
    await alice.locator("#log .you", { hasText: "你好，师父" }).waitFor({ timeout: 2000 });
    const reply = await seen;
    assert.equal(reply.final, reply.end.full_content);
    await alice.screenshot({ path: `${SHOTS}/chinese.png` });
    assert.deepEqual(await alice.evaluate(() => window.parleyDemo.errors), []);
  });
});
