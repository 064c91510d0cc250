/**
 * Summaries of the conversation that fell out of the prompt's window: by the model (a request of
 * its own, collected to text) or, with the offline model, extractive (the players' sentences that
 * carry facts). Both are capped, so a summary can never crowd out the recent turns.
 */
import { HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { messageText } from "./prompt.ts";
import type { ReplyModel } from "./reply-model.ts";

export interface SummaryRequest {
  /** The summary so far; empty for the first one. */
  previous: string;
  /** What fell out of the window since, oldest first. */
  messages: readonly BaseMessage[];
  characterName: string;
}

/** A new summary: the previous one updated with the messages. May reject; the caller falls back. */
export type Summarize = (request: SummaryRequest, signal: AbortSignal) => Promise<string>;

/** The messages as lines of a transcript: who said what. Tool traffic and empty lines are left out. */
export function transcriptLines(messages: readonly BaseMessage[], characterName: string): string[] {
  const lines: string[] = [];
  for (const m of messages) {
    const type = m.getType();
    const text = messageText(m).trim();
    if (!text || (type !== "human" && type !== "ai")) continue;
    lines.push(`${type === "human" ? m.name || "player" : characterName}: ${text}`);
  }
  return lines;
}

/** Cuts a summary to `maxChars`, at a line, sentence or word end when one is near. */
export function capSummary(text: string, maxChars: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= maxChars) return trimmed;
  const cut = trimmed.slice(0, maxChars);
  // The first of these that keeps at least half the text: a whole line, a whole sentence, a whole word.
  const ends = [cut.lastIndexOf("\n"), cut.search(/[.!?。！？][^.!?。！？]*$/) + 1, cut.lastIndexOf(" ")];
  const end = ends.find((e) => e >= maxChars / 2);
  return (end === undefined ? cut : cut.slice(0, end)).trim();
}

/** Words that mark a sentence a player may want remembered: who they are, what they like, what they promised. */
const FACT_EN = /\b(my|mine|i'm|i am|i'll|i will|i was|call me|name|like|love|hate|prefer|favou?rite|want|promise|live|from|born|always|never)\b/i;
const FACT_ZH = /我|叫|喜欢|讨厌|住|答应|名字|最爱/;
/** A name or a place: a capital letter that does not start the sentence. */
const PROPER_NOUN = /\s\p{Lu}\p{Ll}/u;
const NUMBER = /\p{N}/u;

/**
 * The offline summary: the previous one's lines, then each player's sentences that hold a fact,
 * newest last; past the cap the oldest lines go first, as a rolling summary should.
 */
export function extractiveSummary({ previous, messages }: SummaryRequest, maxChars: number): string {
  const lines = previous ? previous.split("\n").filter(Boolean) : [];
  for (const m of messages) {
    if (m.getType() !== "human") continue;
    const who = m.name || "player";
    for (const sentence of messageText(m).split(/(?<=[.!?。！？])\s*/u)) {
      const s = sentence.trim();
      if (!s || !(FACT_EN.test(s) || FACT_ZH.test(s) || PROPER_NOUN.test(s) || NUMBER.test(s))) continue;
      const line = `${who}: ${s}`;
      if (!lines.includes(line)) lines.push(line);
    }
  }
  while (lines.length > 1 && lines.join("\n").length > maxChars) lines.shift();
  return capSummary(lines.join("\n"), maxChars);
}

export function extractiveSummarizer(maxChars: number): Summarize {
  return async (request) => extractiveSummary(request, maxChars);
}

export interface ModelSummarizerOptions {
  maxChars: number;
  /** The whole request, first token to last: a summary is never worth holding a connection longer. */
  timeoutMs: number;
}

/** Asks the model for the updated summary, through the same stream a reply uses, with no tools. */
export function modelSummarizer(model: ReplyModel, { maxChars, timeoutMs }: ModelSummarizerOptions): Summarize {
  return async (request, signal) => {
    const abort = new AbortController();
    const stop = (): void => abort.abort(signal.reason);
    signal.addEventListener("abort", stop, { once: true });
    // A plain timer, not AbortSignal.timeout: that can be collected before it fires.
    const timer = setTimeout(() => abort.abort(new Error(`summary took longer than ${timeoutMs} ms`)), timeoutMs);
    try {
      let text = "";
      for await (const delta of model.stream(summaryPrompt(request, maxChars), abort.signal)) {
        abort.signal.throwIfAborted();
        text += delta.content;
      }
      abort.signal.throwIfAborted();
      if (!text.trim()) throw new Error("the model returned an empty summary");
      return capSummary(text, maxChars);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", stop);
    }
  };
}

export function summaryPrompt({ previous, messages, characterName }: SummaryRequest, maxChars: number): BaseMessage[] {
  const instructions = [
    `You keep the running summary of a conversation between players and ${characterName}.`,
    "Update the summary with the new lines. Keep every fact a player told: names, places, numbers, preferences, promises,",
    `and what ${characterName} agreed to. Write plain sentences, no preamble, at most ${maxChars} characters.`,
  ].join(" ");
  const lines = transcriptLines(messages, characterName).join("\n");
  return [
    new SystemMessage(instructions),
    new HumanMessage(`Summary so far:\n${previous || "(none)"}\n\nNew lines:\n${lines}`),
  ];
}
