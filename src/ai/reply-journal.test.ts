import assert from "node:assert/strict";
import { it } from "node:test";
import { ReplyJournal } from "./reply-journal.ts";

const chunk = (reply_id: string, seq: number) => ({ type: "ai_chunk" as const, message: { reply_id, seq, content: `${reply_id}${seq}` } });
const end = (reply_id: string) => ({ type: "ai_end" as const, message: { reply_id, full_content: "", reason: "complete" as const } });

it("replays the rest of a reply after last_seq, its end, then later replies whole", () => {
  const journal = new ReplyJournal(4);
  [chunk("a", 1), chunk("a", 2), chunk("a", 3), end("a"), chunk("b", 1)].forEach((e) => journal.record(e));
  const replay = journal.replayAfter("a", 1)!.map((e) => (e.type === "ai_chunk" ? `${e.message.reply_id}${e.message.seq}` : e.type));
  assert.deepEqual(replay, ["a2", "a3", "ai_end", "b1"]);
});

it("forgets the oldest replies past its bound", () => {
  const journal = new ReplyJournal(2);
  ["a", "b", "c"].forEach((id) => { journal.record(chunk(id, 1)); journal.record(end(id)); });
  assert.equal(journal.replayAfter("a", 0), null);
  assert.equal(journal.replayAfter("b", 1)!.length, 1 + 2, "b's end, then c whole");
});
