/**
 * One session's rolling summary. The conversation hands it what falls out of the prompt's window
 * after a turn ends; it summarises in the background (one request at a time, what fell out meanwhile
 * waits for the next) and stores the result. The prompt reads `text`, which never waits: a reply's
 * first chunk never depends on a summary being done.
 */
import type { BaseMessage } from "@langchain/core/messages";
import type { SessionSummaryStore } from "../memory/session-summary-store.ts";
import { capSummary, extractiveSummary, type Summarize } from "./summarize.ts";

/** Messages waiting for a summary beyond which the oldest go unsummarised: a model down for hours must not grow a room without bound. */
const MAX_PENDING_MESSAGES = 400;

export interface SessionSummarizerDeps {
  sessionId: string;
  characterName: string;
  store: SessionSummaryStore;
  summarize: Summarize;
  maxChars: number;
  /** The conversation before the window, from the chat log: summarised when the session has no summary stored. */
  olderMessages?: () => Promise<BaseMessage[]>;
  log: { warn(obj: object, msg: string): void };
}

export class SessionSummarizer {
  readonly #d: SessionSummarizerDeps;
  readonly #abort = new AbortController();
  #text = "";
  #covered = 0;
  #pending: BaseMessage[] = [];
  #running: Promise<void> | null = null;

  constructor(deps: SessionSummarizerDeps) {
    this.#d = deps;
  }

  /** The summary of the conversation before the window; empty when there is none. */
  get text(): string {
    return this.#text;
  }

  /** Loads the stored summary; with none stored, summarises (in the background) what the chat log holds before the window. */
  async open(): Promise<void> {
    try {
      const stored = await this.#d.store.load(this.#d.sessionId);
      if (stored) {
        this.#text = stored.text;
        this.#covered = stored.covered;
        return;
      }
    } catch (err) {
      // Rebuilding now could overwrite a summary that is only out of reach for a moment.
      this.#d.log.warn({ err, session_id: this.#d.sessionId }, "session summary could not be loaded");
      return;
    }
    try {
      const older = (await this.#d.olderMessages?.()) ?? [];
      if (older.length > 0) this.fellOut(older);
    } catch (err) {
      this.#d.log.warn({ err, session_id: this.#d.sessionId }, "session summary could not be rebuilt from the chat log");
    }
  }

  /** Messages that left the window: summarised after whatever is being summarised now. */
  fellOut(messages: readonly BaseMessage[]): void {
    if (this.#abort.signal.aborted || messages.length === 0) return;
    this.#pending.push(...messages);
    if (this.#pending.length > MAX_PENDING_MESSAGES) this.#pending.splice(0, this.#pending.length - MAX_PENDING_MESSAGES);
    this.#running ??= this.#drain().finally(() => { this.#running = null; });
  }

  /** Resolves when nothing is waiting to be summarised. */
  async whenSettled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /**
   * Stops asking the model. What is waiting is summarised extractively and stored, so nothing that
   * fell out is lost to a room that closed mid-summary.
   */
  close(): Promise<void> {
    this.#abort.abort("closed");
    return this.whenSettled();
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      const messages = this.#pending.splice(0);
      const request = { previous: this.#text, messages, characterName: this.#d.characterName };
      let next: string;
      try {
        if (this.#abort.signal.aborted) throw this.#abort.signal.reason;
        next = await this.#d.summarize(request, this.#abort.signal);
      } catch (err) {
        if (!this.#abort.signal.aborted) this.#d.log.warn({ err, session_id: this.#d.sessionId }, "session summary failed; keeping an extractive one");
        next = extractiveSummary(request, this.#d.maxChars);
      }
      this.#text = capSummary(next, this.#d.maxChars);
      this.#covered += messages.length;
      try {
        await this.#d.store.save(this.#d.sessionId, { text: this.#text, covered: this.#covered });
      } catch (err) {
        this.#d.log.warn({ err, session_id: this.#d.sessionId }, "session summary could not be stored");
      }
    }
  }
}
