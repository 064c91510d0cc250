/**
 * One session's rolling summary. The conversation hands it what falls out of the prompt's window
 * after a turn ends; once `batchMessages` have, it summarises them in the background (one request at
 * a time, what fell out meanwhile waits for the next) and stores the result. Until their summary is
 * in, those messages stay in the prompt (`unsummarised`), so nothing is out of both. The prompt reads
 * both without waiting: a reply's first chunk never depends on a summary being done.
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
  /** Messages that fall out before a summary is asked for: fewer model requests, a few more messages in the prompt meanwhile. */
  batchMessages?: number;
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
  #inFlight: readonly BaseMessage[] = [];
  #running: Promise<void> | null = null;

  constructor(deps: SessionSummarizerDeps) {
    this.#d = deps;
  }

  /** The summary of the conversation before the window; empty when there is none. */
  get text(): string {
    return this.#text;
  }

  /**
   * What fell out of the window and is not in the summary yet, oldest first: the prompt keeps it. At
   * most two batches' worth, the newest: a rebuild, or a model down for a while, must not make every
   * prompt long.
   */
  get unsummarised(): readonly BaseMessage[] {
    const all = this.#inFlight.length === 0 ? this.#pending : [...this.#inFlight, ...this.#pending];
    return all.length > 2 * this.#batch ? all.slice(-2 * this.#batch) : all;
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
      if (older.length > 0) this.#add(older, true);
    } catch (err) {
      this.#d.log.warn({ err, session_id: this.#d.sessionId }, "session summary could not be rebuilt from the chat log");
    }
  }

  /** Messages that left the window: summarised after whatever is being summarised now. */
  fellOut(messages: readonly BaseMessage[]): void {
    this.#add(messages, false);
  }

  #add(messages: readonly BaseMessage[], now: boolean): void {
    if (this.#abort.signal.aborted || messages.length === 0) return;
    this.#pending.push(...messages);
    if (this.#pending.length > MAX_PENDING_MESSAGES) this.#pending.splice(0, this.#pending.length - MAX_PENDING_MESSAGES);
    if (now || this.#pending.length >= this.#batch) this.#start(now);
  }

  get #batch(): number {
    return this.#d.batchMessages ?? 1;
  }

  #start(force: boolean): void {
    this.#running ??= this.#drain(force).finally(() => { this.#running = null; });
  }

  /** Resolves when nothing is waiting to be summarised. */
  async whenSettled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /**
   * Stops asking the model. What is waiting is summarised extractively and stored, so nothing that
   * fell out is lost to a room that closed mid-summary.
   */
  async close(): Promise<void> {
    this.#abort.abort("closed");
    await this.whenSettled();
    this.#start(true);
    await this.whenSettled();
  }

  /** Forced (a rebuild, a close): summarises what waits even short of a batch. */
  async #drain(force: boolean): Promise<void> {
    while (this.#pending.length > 0 && (force || this.#abort.signal.aborted || this.#pending.length >= this.#batch)) {
      force = false;
      const messages = this.#pending.splice(0);
      this.#inFlight = messages;
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
      this.#inFlight = [];
      this.#covered += messages.length;
      try {
        await this.#d.store.save(this.#d.sessionId, { text: this.#text, covered: this.#covered });
      } catch (err) {
        this.#d.log.warn({ err, session_id: this.#d.sessionId }, "session summary could not be stored");
      }
    }
  }
}
