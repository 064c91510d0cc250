import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChunkPacer, type PacerClock } from "./chunk-pacer.ts";

/** A clock the test moves by hand; timers fire when their time comes. */
class FakeClock implements PacerClock {
  #t = 0;
  #timers: Array<{ at: number; fn: () => void }> = [];
  now(): number { return this.#t; }
  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.#t + ms, fn };
    this.#timers.push(timer);
    return () => { this.#timers = this.#timers.filter((t) => t !== timer); };
  }
  advance(ms: number): void {
    this.#t += ms;
    const due = this.#timers.filter((t) => t.at <= this.#t);
    this.#timers = this.#timers.filter((t) => t.at > this.#t);
    for (const t of due) t.fn();
  }
  get waiting(): number { return this.#timers.length; }
}

function pacer(intervalMs: number) {
  const clock = new FakeClock();
  const sent: string[] = [];
  return { clock, sent, pacer: new ChunkPacer(intervalMs, (c) => sent.push(c), clock) };
}

describe("chunk pacing", () => {
  it("with no interval sends every piece as it comes, and nothing for an empty one", () => {
    const { sent, pacer: p } = pacer(0);
    for (const piece of ["Hold", "", " your", " guard."]) p.push(piece);
    assert.deepEqual(sent, ["Hold", " your", " guard."]);
  });

  it("sends the first chunk at once and joins what arrives within the interval", () => {
    const { clock, sent, pacer: p } = pacer(60);
    assert.equal(p.started, false);
    p.push("Hold");
    assert.deepEqual(sent, ["Hold"], "the first chunk never waits");
    assert.equal(p.started, true);
    clock.advance(10); p.push(" your");
    clock.advance(10); p.push(" guard");
    assert.deepEqual(sent, ["Hold"], "later pieces wait for the interval");
    clock.advance(39);
    assert.deepEqual(sent, ["Hold"]);
    clock.advance(1);
    assert.deepEqual(sent, ["Hold", " your guard"], "60 ms after the last chunk");
  });

  it("sends at once what arrives after the interval has passed", () => {
    const { clock, sent, pacer: p } = pacer(60);
    p.push("Hold");
    clock.advance(100);
    p.push(" fast.");
    assert.deepEqual(sent, ["Hold", " fast."]);
    assert.equal(clock.waiting, 0);
  });

  it("flush sends what waits now and cancels its timer", () => {
    const { clock, sent, pacer: p } = pacer(1000);
    p.push("Again"); p.push("!");
    p.flush();
    assert.deepEqual(sent, ["Again", "!"]);
    clock.advance(1000);
    assert.deepEqual(sent, ["Again", "!"], "the timer sent nothing more");
    p.flush();
    assert.deepEqual(sent, ["Again", "!"], "nothing waits, nothing is sent");
  });

  it("drop discards what waits, so a retracted reply sends nothing more", () => {
    const { clock, sent, pacer: p } = pacer(1000);
    p.push("Fine"); p.push(" and");
    p.drop();
    clock.advance(1000);
    p.flush();
    assert.deepEqual(sent, ["Fine"]);
  });
});
