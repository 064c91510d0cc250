import assert from "node:assert/strict";
import { test } from "node:test";
import { ReplyStream } from "./reply-stream.ts";

test("chunks show in seq order with no repeat, whatever order they arrive in", () => {
  const stream = new ReplyStream();
  stream.chunk({ reply_id: "r1", seq: 1, content: "Raise" });
  stream.chunk({ reply_id: "r1", seq: 3, content: " blade" });
  assert.equal(stream.current?.text, "Raise", "seq 3 waits for seq 2");
  stream.chunk({ reply_id: "r1", seq: 2, content: " your" });
  stream.chunk({ reply_id: "r1", seq: 2, content: " your" });
  assert.equal(stream.current?.text, "Raise your blade");
  assert.equal(stream.duplicates, 1);
  assert.deepEqual(stream.resumePoint(), { reply_id: "r1", last_seq: 3 });
});

test("a resume after the greeting names the last real reply, and a retraction clears the text", () => {
  const stream = new ReplyStream();
  stream.chunk({ reply_id: "greeting-abc", seq: 1, content: "Stand up straight." });
  assert.equal(stream.resumePoint(), undefined);
  stream.begin("r2");
  assert.deepEqual(stream.resumePoint(), { reply_id: "r2", last_seq: 0 });
  stream.chunk({ reply_id: "r2", seq: 1, content: "bad" });
  stream.retract({ reply_id: "r2", reason: "moderated" });
  assert.equal(stream.current?.text, "");
  stream.end({ reply_id: "r2", full_content: "bad", reason: "moderated" });
  assert.equal(stream.current?.text, "", "a retracted reply stays withdrawn");
});

test("the end's full_content fills a gap that was never resumed", () => {
  const stream = new ReplyStream();
  stream.chunk({ reply_id: "r3", seq: 2, content: " world" });
  stream.end({ reply_id: "r3", full_content: "hello world", reason: "complete" });
  assert.equal(stream.current?.text, "hello world");
});
