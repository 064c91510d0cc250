/**
 * The embedded default model: streams a short in-character line, offline, so `npm start` works
 * with nothing else installed. It is not a language model and the start-up log says so. It answers
 * in the player's language (a Chinese question gets a Chinese line), and it uses the `give_item`
 * ability when a player asks for an item the character holds, so the demo shows a character acting.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { AIMessage, BaseMessage } from "@langchain/core/messages";
import type { Character, CharacterCatalog } from "../characters/catalog.ts";
import { fnv1a32 } from "../memory/hashing-embedder.ts";
import { messageText } from "./prompt.ts";
import type { ModelDelta, ReplyModel, StreamOptions } from "./reply-model.ts";

const FALLBACK_LINE = "Hm. I hear you. Tell me more.";
const FALLBACK_LINE_ZH = "嗯。我听着呢，接着说。";

/** What an item is called in Chinese, by the word its id starts with. */
const CHINESE_NAMES: Record<string, string> = { sword: "剑", shield: "盾", bow: "弓", potion: "药", key: "钥匙" };
const ASKS_EN = /\b(give|have|hand|want|need|may i|can i|could i|lend|take)\b/i;
const ASKS_ZH = /给|要|借|能不能|可以|想/;

export class OfflineReplyModel implements ReplyModel {
  readonly name = "parley-offline";
  readonly #catalog: CharacterCatalog;
  readonly #tokenMs: number;

  constructor(catalog: CharacterCatalog, tokenMs: number) {
    this.#catalog = catalog;
    this.#tokenMs = tokenMs;
  }

  async *stream(messages: BaseMessage[], signal: AbortSignal, options?: StreamOptions): AsyncIterable<ModelDelta> {
    const character = this.#characterOf(messages);
    const asked = lastOf(messages, "human");
    const chinese = hasHan(asked ? messageText(asked) : "");
    const last = messages.at(-1);
    if (last?.getType() !== "tool" && character && options?.tools?.some((t) => t.name === "give_item")) {
      const item = requestedItem(character, asked ? messageText(asked) : "");
      if (item) {
        yield { content: "", toolCalls: [{ index: 0, id: `offline-${Date.now().toString(36)}`, name: "give_item", arguments: JSON.stringify({ item_id: item }) }] };
        yield { content: "", usage: { input_tokens: 0, output_tokens: 1, total_tokens: 1 } };
        return;
      }
    }
    const line = last?.getType() === "tool" ? afterAbility(character, messages, chinese) : this.#pickLine(character, asked, chinese);
    const tokens = tokenize(line);
    for (const [i, token] of tokens.entries()) {
      if (i > 0 && this.#tokenMs > 0) await sleep(this.#tokenMs, undefined, { signal });
      signal.throwIfAborted();
      yield { content: token };
    }
    yield { content: "", usage: { input_tokens: 0, output_tokens: tokens.length, total_tokens: tokens.length } };
  }

  #characterOf(messages: BaseMessage[]): Character | undefined {
    const system = messages[0]?.content;
    const persona = typeof system === "string" ? system : "";
    return this.#catalog.all().find((c) => persona.startsWith(c.persona));
  }

  #pickLine(character: Character | undefined, asked: BaseMessage | undefined, chinese: boolean): string {
    const lines = inLanguage(character?.offline_replies ?? [], chinese);
    if (lines.length === 0) return chinese ? FALLBACK_LINE_ZH : FALLBACK_LINE;
    return lines[fnv1a32(asked ? messageText(asked) : "") % lines.length]!;
  }
}

/** The item a player asks for, by its id's first word, its name, or its Chinese name; only one the character lists. */
export function requestedItem(character: Character, text: string): string | undefined {
  const english = ASKS_EN.test(text);
  const chinese = ASKS_ZH.test(text);
  if (!english && !chinese) return undefined;
  for (const item of character.items) {
    const word = item.id.split(/[_-]/)[0]!.toLowerCase();
    if (english && (new RegExp(`\\b${word}\\b`, "i").test(text) || text.toLowerCase().includes(item.name.toLowerCase()))) return item.id;
    const zh = CHINESE_NAMES[word];
    if (chinese && zh && text.includes(zh)) return item.id;
  }
  return undefined;
}

/** A line about what the ability did, from the character's file, in the player's language. */
function afterAbility(character: Character | undefined, messages: BaseMessage[], chinese: boolean): string {
  const result = messageText(messages.at(-1)!);
  const call = (lastOf(messages, "ai") as AIMessage | undefined)?.tool_calls?.[0]?.name ?? "";
  const ok = /"ok":true/.test(result);
  const lines = inLanguage(character?.offline_ability_replies[call]?.[ok ? "ok" : "refused"] ?? [], chinese);
  if (lines.length > 0) return lines[0]!;
  return chinese ? (ok ? "好了。" : "不行。") : (ok ? "There. Done." : "No. Not that.");
}

function lastOf(messages: BaseMessage[], type: string): BaseMessage | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.getType() === type) return messages[i];
  return undefined;
}

const HAN = /\p{Script=Han}/u;
function hasHan(text: string): boolean {
  return HAN.test(text);
}

/** Lines in the player's language (callers fall back to a line of their own in it). */
function inLanguage(lines: readonly string[], chinese: boolean): string[] {
  return lines.filter((l) => hasHan(l) === chinese);
}

/** Words with their leading space, or single CJK characters: the grain a real model streams at. */
export function tokenize(text: string): string[] {
  return text.match(/\s*[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|\s*[^\s\p{Script=Han}]+|\s+$/gu) ?? [];
}
