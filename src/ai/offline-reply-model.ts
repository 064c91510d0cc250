/**
 * The embedded default model: streams a short in-character line, offline, so `npm start` works
 * with nothing else installed. It is not a language model and the start-up log says so.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { BaseMessage } from "@langchain/core/messages";
import type { CharacterCatalog } from "../characters/catalog.ts";
import { fnv1a32 } from "../memory/hashing-embedder.ts";
import type { ModelDelta, ReplyModel } from "./reply-model.ts";

const FALLBACK_LINE = "Hm. I hear you. Tell me more.";

export class OfflineReplyModel implements ReplyModel {
  readonly name = "parley-offline";
  readonly #catalog: CharacterCatalog;
  readonly #tokenMs: number;

  constructor(catalog: CharacterCatalog, tokenMs: number) {
    this.#catalog = catalog;
    this.#tokenMs = tokenMs;
  }

  async *stream(messages: BaseMessage[], signal: AbortSignal): AsyncIterable<ModelDelta> {
    const line = this.#pickLine(messages);
    const tokens = tokenize(line);
    for (const [i, token] of tokens.entries()) {
      if (i > 0 && this.#tokenMs > 0) await sleep(this.#tokenMs, undefined, { signal });
      signal.throwIfAborted();
      yield { content: token };
    }
    yield { content: "", usage: { input_tokens: 0, output_tokens: tokens.length, total_tokens: tokens.length } };
  }

  #pickLine(messages: BaseMessage[]): string {
    const system = messages[0]?.content;
    const persona = typeof system === "string" ? system : "";
    const character = this.#catalog.all().find((c) => persona.startsWith(c.persona));
    const lines = character?.offline_replies ?? [];
    if (lines.length === 0) return FALLBACK_LINE;
    const last = messages.at(-1)?.content;
    return lines[fnv1a32(typeof last === "string" ? last : "") % lines.length]!;
  }
}

/** Words with their leading space, or single CJK characters: the grain a real model streams at. */
export function tokenize(text: string): string[] {
  return text.match(/\s*[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|\s*[^\s\p{Script=Han}]+|\s+$/gu) ?? [];
}
