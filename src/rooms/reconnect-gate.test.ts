import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ReplyJournal } from "../ai/reply-journal.ts";
import { until } from "../testing/until.ts";
import { ReconnectGate } from "./reconnect-gate.ts";

describe("reconnect gate", () => {
  it("holds a reconnected player back until the wait runs out, then replays from where it dropped", async () => {
    const journal = new ReplyJournal(4);
    journal.record({ type: "ai_chunk", message: { reply_id: "a", seq: 1, content: "x" } });
    const gate = new ReconnectGate(journal, 20);
    gate.dropped("p");
    const replays: Array<[string, number]> = [];
    gate.reconnected("p", (id, seq) => replays.push([id, seq]));
    assert.equal(gate.holds("p"), true);
    await until(() => replays.length > 0, "the replay after the hold");
    assert.deepEqual(replays, [["a", 1]]);
    assert.equal(gate.holding, false);
  });

  it("lets the player through even when what it missed is no longer journaled", async () => {
    const journal = new ReplyJournal(1);
    journal.record({ type: "ai_chunk", message: { reply_id: "a", seq: 1, content: "x" } });
    const gate = new ReconnectGate(journal, 20);
    gate.dropped("p");
    journal.record({ type: "ai_chunk", message: { reply_id: "b", seq: 1, content: "y" } });
    gate.reconnected("p", () => undefined);
    await until(() => !gate.holds("p"), "the hold given up");
  });
});
