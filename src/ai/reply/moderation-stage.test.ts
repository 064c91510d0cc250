import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BlocklistMatcher } from "../../moderation/index.ts";
import { ModerationStage, type ModerationOutlet } from "./moderation-stage.ts";

/** Stands for the chunk pacer: what goes out, and what waited and was dropped. */
class Outlet implements ModerationOutlet {
  readonly sent: string[] = [];
  dropped = 0;
  get started(): boolean { return this.sent.length > 0; }
  push(content: string): void { if (content) this.sent.push(content); }
  drop(): void { this.dropped += 1; }
}

function stage(holdBack: boolean | null) {
  const out = new Outlet();
  const hits: string[] = [];
  const rules = holdBack === null ? undefined : { matcher: BlocklistMatcher.fromTerms(["bad word"]), holdBack };
  return { out, hits, stage: new ModerationStage(rules, out, (hit) => hits.push(hit.term)) };
}

describe("moderation stage", () => {
  it("without rules passes every piece straight through", () => {
    const { out, stage: s } = stage(null);
    for (const piece of ["Say", " bad word", "!"]) s.push(piece);
    s.end();
    assert.deepEqual(out.sent, ["Say", " bad word", "!"]);
    assert.equal(s.blocked, null);
  });

  it("with hold-back keeps back what could start a blocked term until the next piece shows what it becomes", () => {
    const { out, stage: s } = stage(true);
    s.push("Fine ");
    s.push("and ba");
    assert.equal(out.sent.join(""), "Fine and ", "the possible start of the term waits");
    s.push("nana bread");
    s.end();
    assert.equal(out.sent.join(""), "Fine and banana bread");
  });

  it("never holds back the first chunk, even when all of it could start a blocked term", () => {
    const { out, stage: s } = stage(true);
    s.push("Ba");
    assert.deepEqual(out.sent, ["Ba"]);
  });

  it("a blocked term drops what waits, tells of the hit once and lets nothing more out", () => {
    const { out, hits, stage: s } = stage(false);
    s.push("Fine");
    s.push(" and bad word");
    assert.deepEqual([out.sent, out.dropped, hits], [["Fine"], 1, ["bad word"]]);
    assert.equal(s.blocked?.term, "bad word");
    s.push(" more bad word");
    s.end();
    assert.deepEqual([out.sent, hits], [["Fine"], ["bad word"]]);
  });

  it("releases held text at the normal end of the reply", () => {
    const { out, stage: s } = stage(true);
    s.push("Fine.");
    s.push(" Ba");
    assert.equal(out.sent.join(""), "Fine. ", "\"Ba\" could start the term");
    s.end();
    assert.equal(out.sent.join(""), "Fine. Ba");
  });
});
