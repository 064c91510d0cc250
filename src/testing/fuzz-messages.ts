/**
 * Seeded generators of hostile input for the fuzz test: message types and payloads of every
 * kind a msgpack frame can carry, and raw frames. The same seed gives the same sequence.
 */
import { mulberry32 } from "../../loadtest/sim-openai/reply-text.ts";
import { ActionMessage, chatMessage, StopMessage } from "../protocol/messages.ts";

export class Fuzz {
  readonly #rand: () => number;
  constructor(seed: number) {
    this.#rand = mulberry32(seed);
  }

  int(max: number): number {
    return Math.floor(this.#rand() * max);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** With `wellFormed`, no lone surrogates: the SDK miscounts their bytes in a message type, which
   *  makes the frame undecodable (the server then closes the socket, as for any such frame). */
  string(maxLength = 40, wellFormed = false): string {
    const alphabets = ["abc xyz", "\u0000\u0001\u007f", "你好世界剑", "<script>\"'\\", "\u202e\ufeff\u200b", ...(wellFormed ? [] : ["\ud800\udfff\ud83d"])];
    const length = this.int(maxLength + 1);
    let s = "";
    for (let i = 0; i < length; i++) s += this.pick([...this.pick(alphabets)]);
    return s;
  }

  /** A value of any kind a client's msgpack can carry, up to `depth` levels of nesting. */
  value(depth = 3): unknown {
    const kind = this.int(depth > 0 ? 14 : 10);
    switch (kind) {
      case 0: return null;
      case 1: return undefined;
      case 2: return this.#rand() < 0.5;
      case 3: return this.pick([0, -1, 1, 2 ** 31, -(2 ** 53), 1.5, Number.NaN, Number.POSITIVE_INFINITY, -0]);
      case 4: return this.string();
      case 5: return this.string(3000);
      case 6: return Buffer.from(this.string(20));
      case 7: return new Date(this.int(2 ** 40));
      case 8: return this.pick(["chat", "action", "stop", "resume", "cancel", "sword_001", "inspect_item", "__proto__"]);
      case 9: return this.#nested(this.int(400) + 50);
      case 10: return Array.from({ length: this.int(5) }, () => this.value(depth - 1));
      case 11: case 12: {
        const keys = ["content", "action_id", "target_id", "params", "reply_id", "last_seq", "timestamp", "__proto__", "constructor", "toString", "valueOf", this.string(8)];
        const out: Record<string, unknown> = {};
        for (let i = this.int(5); i > 0; i--) Object.defineProperty(out, this.pick(keys), { value: this.value(depth - 1), enumerable: true, configurable: true, writable: true });
        return out;
      }
      default: return { content: this.value(0), action_id: this.value(0), reply_id: this.value(0), last_seq: this.value(0) };
    }
  }

  #nested(depth: number): unknown {
    let v: unknown = this.string(4);
    for (let i = 0; i < depth; i++) v = this.#rand() < 0.5 ? [v] : { a: v };
    return v;
  }

  /** A message type as the SDK can send it: a protocol name, another string or a number. */
  type(): string | number {
    const kind = this.int(6);
    if (kind <= 2) return this.pick(["chat", "action", "stop", "resume", "cancel"]);
    if (kind === 3) return this.string(30, true);
    if (kind === 4) return this.pick(["_", "*x", "__proto__", "constructor", "toString", "ai_chunk", "error", ""]);
    return this.pick([0, 1, -1, 255, 65535, 2 ** 32 + 1]);
  }

  /** A frame of random bytes, some starting with a real protocol code. */
  frame(): Buffer {
    const bytes = Buffer.from(Array.from({ length: this.int(64) + 1 }, () => this.int(256)));
    if (this.#rand() < 0.7) bytes[0] = this.pick([10, 12, 13, 17, 18, 19, 20, 21]);
    return bytes;
  }
}

/**
 * Whether Parley takes this message without answering `error`: a valid chat (it is answered with a
 * reply), a valid stop, or an action that succeeds (inspecting the sword of character 1). A valid
 * `resume` or `cancel` naming a reply the room does not hold is answered with an error. Everything else it must answer with exactly one `error`.
 */
export function isAcceptedSilently(type: unknown, payload: unknown, chatMaxChars: number): boolean {
  if (type === "chat") return chatMessage(chatMaxChars).safeParse(payload).success;
  if (type === "stop") return StopMessage.safeParse(payload ?? {}).success;
  if (type === "action") {
    const action = ActionMessage.safeParse(payload);
    return action.success && action.data.action_id === "inspect_item" && action.data.target_id === "sword_001";
  }
  return false;
}
