/** Prompt assembly: pure, so what the model sees is testable without a model. */
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import type { Character } from "../characters/catalog.ts";

export interface PromptInput {
  character: Character;
  /** The recent conversation, oldest first. */
  history: readonly BaseMessage[];
  /** Retrieved long-term memories, most relevant first. */
  memories: readonly string[];
  /** The player's message. */
  userMessage: BaseMessage;
  /** The character's mood now; the file's starting mood when absent. */
  mood?: string;
  /** The rolling summary of the conversation before `history` (session-summarizer.ts); players never see it. */
  summary?: string;
}

export function buildPrompt({ character, history, memories, userMessage, mood, summary }: PromptInput): BaseMessage[] {
  const parts = [character.persona, `Your mood right now: ${mood ?? character.mood}.`];
  if (character.items.length > 0) {
    parts.push(`In the scene: ${character.items.map((i) => `${i.name} (${i.description || i.id})`).join("; ")}.`);
  }
  if (summary) parts.push(`Summary of earlier conversation:\n${summary}`);
  if (memories.length > 0) {
    parts.push(`What you remember of this player from earlier meetings:\n${memories.map((m) => `- ${m}`).join("\n")}`);
  }
  return [new SystemMessage(parts.join("\n\n")), ...wholeExchanges(history), userMessage];
}

/**
 * The history without tool messages whose call was trimmed off its front: a model endpoint refuses
 * a tool result that answers no call it can see.
 */
export function wholeExchanges(history: readonly BaseMessage[]): readonly BaseMessage[] {
  let start = 0;
  while (start < history.length && history[start]!.getType() === "tool") start++;
  return start === 0 ? history : history.slice(start);
}

/** OpenAI accepts `name` on user messages; it lets the character tell players apart. */
export function playerMessage(userId: string, content: string): HumanMessage {
  const name = userId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
  return new HumanMessage(name ? { content, name } : { content });
}

export function characterMessage(content: string): AIMessage {
  return new AIMessage(content);
}

/** How the character hears of a game action: as a line of the conversation. */
export function actionMessage(userId: string, description: string): HumanMessage {
  return playerMessage(userId, `(${description})`);
}

/** A message's text; LangChain's own `.text` rebuilds content blocks on every read, too slow for every turn. */
export function messageText(message: BaseMessage): string {
  return typeof message.content === "string" ? message.content : message.text;
}
