/**
 * How fast this machine runs the kind of work Parley does per token and per frame, so that bench
 * results from different machines can be compared: the same rows cost more CPU on a slower one.
 * The work: parse a streamed completion chunk, serialise an `ai_chunk` message, build a string.
 */

const CHUNK = JSON.stringify({
  id: "chatcmpl-0", object: "chat.completion.chunk", created: 0, model: "parley-sim",
  choices: [{ index: 0, delta: { content: " harbour" }, logprobs: null, finish_reason: null }], usage: null,
});
const ROUNDS = 200_000;

/** Milliseconds for a fixed amount of that work, the best of two tries (lower is faster). */
export function cpuReferenceMs(): number {
  let best = Infinity;
  for (let attempt = 0; attempt < 2; attempt++) {
    const started = performance.now();
    let text = "";
    let bytes = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const chunk = JSON.parse(CHUNK) as { choices: Array<{ delta: { content: string } }> };
      const content = chunk.choices[0]!.delta.content;
      bytes += JSON.stringify({ content, seq: i, reply_id: "r-0" }).length;
      text = (text + content).slice(-64);
    }
    best = Math.min(best, performance.now() - started);
    if (bytes === 0 || text === "") throw new Error("unreachable: keeps the work from being optimised away");
  }
  return Math.round(best);
}
