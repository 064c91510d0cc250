// Replies depend only on the request messages, so tests can predict every token.

export interface SimChatMessage {
  role: string;
  content?: unknown;
}

export interface ReplyPlan {
  tokens: string[];
  /** Gap forced by `[[slow]]`, overriding the server's pacing. */
  gapMsOverride: number | null;
  /** Tool calls streamed after the text (a `[[tools64:...]]` script), each in pieces. */
  toolCalls?: SimToolCall[];
}

/** One scripted tool call: `arguments` is sent as is (it may be malformed JSON), in `pieces` deltas. */
export interface SimToolCall {
  name: string;
  arguments: string;
  /** How many deltas carry the arguments text (default 4): clients must join them by index. */
  pieces?: number;
  id?: string;
}

/** One model round of a script: text tokens, then tool calls. */
export interface SimRound {
  say?: string[];
  calls?: SimToolCall[];
}

/**
 * `[[tools64:...]]`: a script of rounds, base64 of a JSON array of SimRound. The round answered is
 * the number of assistant messages after the player's last message (each tool round adds one), so
 * the follow-up requests of one reply walk the script; past its end the model says nothing more.
 */
const TOOLS64_PATTERN = /\[\[tools64:([A-Za-z0-9+/=]+)\]\]/;

/** The `[[tools64:...]]` hook for this script. */
export function toolScript(rounds: readonly SimRound[]): string {
  return `[[tools64:${Buffer.from(JSON.stringify(rounds)).toString("base64")}]]`;
}

/** The assistant messages after the last user message: the round of a scripted reply. */
function roundOf(messages: readonly SimChatMessage[]): number {
  let round = 0;
  for (let i = messages.length - 1; i >= 0 && messages[i]!.role !== "user"; i--) {
    if (messages[i]!.role === "assistant") round++;
  }
  return round;
}

export const SLOW_GAP_MS = 200;

const VOCABULARY = [
  "the", "traveler", "village", "sword", "dragon", "gold", "road", "north", "tavern", "old",
  "king", "map", "river", "night", "friend", "quest", "tower", "storm", "coin", "bread",
  "I", "you", "we", "have", "seen", "heard", "must", "find", "a", "strange",
  "light", "beyond", "hills", "before", "dawn", "and", "then", "never", "again", "here",
];

const SAY_PATTERN = /\[\[say:([\s\S]*?)\]\]/;
/** The same as `say`, base64 of a JSON array of tokens: lets a test script text it must not send in clear. */
const SAY64_PATTERN = /\[\[say64:([A-Za-z0-9+/=]+)\]\]/;

/** The `[[say64:...]]` hook for these tokens. */
export function say64(tokens: readonly string[]): string {
  return `[[say64:${Buffer.from(JSON.stringify(tokens)).toString("base64")}]]`;
}

export function messageText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let text = "";
  for (const part of content) {
    if (part && typeof part === "object" && typeof (part as { text?: unknown }).text === "string") {
      text += (part as { text: string }).text;
    }
  }
  return text;
}

export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashMessages(messages: readonly SimChatMessage[]): number {
  let hash = 0x811c9dc5;
  for (const message of messages) {
    // The separators keep ["ab","c"] and ["a","bc"] from colliding.
    hash = fnv1a(`${message.role}\u0000${messageText(message.content)}\u0001`, hash);
  }
  return hash;
}

function lastUserText(messages: readonly SimChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === "user") return messageText(messages[i]!.content);
  }
  return "";
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function generatedTokens(seed: number, count: number): string[] {
  const random = mulberry32(seed);
  const tokens: string[] = [];
  let sentenceStart = true;
  for (let i = 0; i < count; i++) {
    const last = i === count - 1;
    const roll = random();
    const canPunctuate = i > 0 && !sentenceStart && !/^[,.]$/.test(tokens[i - 1]!);
    if (last && count > 1) {
      tokens.push(".");
    } else if (canPunctuate && roll < 0.08) {
      tokens.push(".");
      sentenceStart = true;
    } else if (canPunctuate && roll < 0.16) {
      tokens.push(",");
    } else {
      const word = VOCABULARY[Math.floor(random() * VOCABULARY.length)]!;
      const shaped = sentenceStart ? capitalize(word) : word;
      tokens.push(i === 0 ? shaped : ` ${shaped}`);
      sentenceStart = false;
    }
  }
  return tokens;
}

export function planReply(messages: readonly SimChatMessage[], replyTokens: number): ReplyPlan {
  const userText = lastUserText(messages);
  const gapMsOverride = userText.includes("[[slow]]") ? SLOW_GAP_MS : null;
  const script = TOOLS64_PATTERN.exec(userText);
  if (script) {
    const rounds = JSON.parse(Buffer.from(script[1]!, "base64").toString("utf8")) as SimRound[];
    const round = rounds[roundOf(messages)] ?? {};
    return { tokens: round.say ?? [], gapMsOverride, ...(round.calls?.length ? { toolCalls: round.calls } : {}) };
  }
  const scripted = SAY_PATTERN.exec(userText);
  if (scripted) return { tokens: scripted[1]!.split("|"), gapMsOverride };
  const encoded = SAY64_PATTERN.exec(userText);
  if (encoded) return { tokens: JSON.parse(Buffer.from(encoded[1]!, "base64").toString("utf8")) as string[], gapMsOverride };
  const count = Math.max(0, Math.floor(replyTokens));
  return { tokens: generatedTokens(hashMessages(messages), count), gapMsOverride };
}

/** The exact token list the simulator streams for these messages. */
export function expectedReply(messages: readonly SimChatMessage[], replyTokens: number): string[] {
  return planReply(messages, replyTokens).tokens;
}

/** Rough count in the spirit of OpenAI's accounting (about four characters per token). */
export function estimatePromptTokens(messages: readonly SimChatMessage[]): number {
  let total = 3;
  for (const message of messages) {
    total += 4 + Math.ceil(messageText(message.content).length / 4);
  }
  return total;
}
