/**
 * One session's conversation with its character: a queue of player turns, one streaming reply at a
 * time, cancellable. Knows nothing of Colyseus: it emits ReplyEvents that the room broadcasts.
 */
import { randomUUID } from "node:crypto";
import type { BaseMessage } from "@langchain/core/messages";
import type { SessionRef } from "../store/turn-records.ts";
import type { Character } from "../characters/catalog.ts";
import type { ContextWindow } from "../memory/context-window.ts";
import { ERROR_CODES, type EndReason, type Usage } from "../protocol/messages.ts";
import { actionMessage, buildPrompt, messageText, playerMessage } from "./prompt.ts";
import type { ReplyEvent, TurnOutcome } from "./reply-events.ts";
import { isModelOverloaded, type ReplyModel } from "./reply-model.ts";
import type { ModeratedStreamOptions } from "../moderation/index.ts";
import { MemoryLookahead } from "../memory/memory-lookahead.ts";
import { exchangeText } from "../memory/exchange-text.ts";
import { ChunkPacer, timerClock } from "./reply/chunk-pacer.ts";
import { ModerationStage } from "./reply/moderation-stage.ts";
import { TurnLoop, type TurnAbilities } from "./reply/turn-loop.ts";
import type { MemoryRecall, ReplySettings, RollingSummary, TurnRecorder } from "./turn-collaborators.ts";

export interface ConversationLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ConversationDeps {
  sessionId: string;
  character: Character;
  model: ReplyModel;
  context: ContextWindow;
  log: ConversationLogger;
  settings: ReplySettings;
  /** Content rules: blocked input never reaches the model; a reply that turns bad is cut and retracted. */
  moderation?: ModeratedStreamOptions;
  emit(event: ReplyEvent): void;
  /** Hears each chat as it arrives and each turn as it ends (the `end` event waits for the latter). */
  turns?: Pick<TurnRecorder, "chatReceived" | "turnEnded">;
  memory?: MemoryRecall;
  /** What the character can do itself: each reply's tool rounds (reply/turn-loop.ts). */
  abilities?: TurnAbilities;
  /** The character's mood now, for the prompt. */
  mood?: () => string;
  summary?: RollingSummary;
  now?: () => number;
  /** Monotonic milliseconds, for the turn's timings (first chunk, model first token, Parley's own share). */
  monotonic?: () => number;
  newId?: () => string;
}

interface Turn {
  reply_id: string;
  user_id: string;
  content: string;
  received_at: number;
  /** On the monotonic clock. */
  arrived: number;
}

interface ActiveReply {
  turn: Turn;
  abort: AbortController;
}

export type SayResult =
  | { ok: true; reply_id: string; queued: boolean }
  | { ok: false; code: typeof ERROR_CODES.busy | typeof ERROR_CODES.moderated | typeof ERROR_CODES.shuttingDown };

export class Conversation {
  readonly #d: ConversationDeps;
  readonly #session: SessionRef;
  readonly #now: () => number;
  readonly #monotonic: () => number;
  readonly #newId: () => string;
  readonly #queue: Turn[] = [];
  #history: BaseMessage[] = [];
  #active: ActiveReply | null = null;
  #idle: Promise<void> = Promise.resolve();
  #closed = false;
  #draining = false;
  readonly #memories: MemoryLookahead | null;

  constructor(deps: ConversationDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    this.#monotonic = deps.monotonic ?? (() => performance.now());
    this.#newId = deps.newId ?? randomUUID;
    const session: SessionRef = { session_id: deps.sessionId, character_id: deps.character.id };
    this.#session = session;
    const memory = deps.memory;
    this.#memories = memory
      ? new MemoryLookahead({
        recall: (userId, text, signal) => memory.recall(session, userId, text, signal),
        onError: (err, userId) => deps.log.warn({ err, user_id: userId, session_id: deps.sessionId }, "memory recall failed"),
      })
      : null;
  }

  /**
   * A player is here: look up their memories now, by the conversation so far (or the character's
   * opening words in a new session), so their first chat finds them ready.
   */
  lookAhead(userId: string): void {
    const recent = this.#history.slice(-2).map(messageText);
    const character = this.#d.character;
    this.#memories?.prepare(userId, recent.length > 0 ? recent.join("\n") : character.greeting ?? character.persona);
  }

  /** The player has left: their memories are not kept. */
  forget(userId: string): void {
    this.#memories?.forget(userId);
  }

  /** Loads the cached context once, so no turn waits on the cache afterwards. */
  async open(): Promise<void> {
    this.#history = (await this.#d.context.load(this.#d.sessionId)) ?? [];
  }

  /** The conversation so far, oldest first (the room reads the remembered mood from it). */
  get recent(): readonly BaseMessage[] {
    return this.#history;
  }

  get busy(): boolean {
    return this.#active !== null;
  }

  /** Resolves when no reply is streaming and none is queued. */
  async whenIdle(): Promise<void> {
    // Each turn's promise ends by starting the next queued turn, so wait until none is running.
    while (this.#active) await this.#idle;
  }

  say(userId: string, content: string): SayResult {
    if (this.#draining || this.#closed) return { ok: false, code: ERROR_CODES.shuttingDown };
    const turn: Turn = { reply_id: this.#newId(), user_id: userId, content, received_at: this.#now(), arrived: this.#monotonic() };
    const blocked = this.#d.moderation?.matcher.findFirst(content);
    this.#d.turns?.chatReceived(this.#session, turn, blocked?.term);
    if (blocked) {
      void this.#turnEnded({
        ...this.#outcome(turn, "", "moderated", undefined, null, null),
        moderation: { direction: "input", term: blocked.term },
      });
      return { ok: false, code: ERROR_CODES.moderated };
    }
    if (this.#active === null) {
      this.#start(turn);
      return { ok: true, reply_id: turn.reply_id, queued: false };
    }
    if (this.#queue.length >= this.#d.settings.limits.replyQueueLimit) return { ok: false, code: ERROR_CODES.busy };
    this.#queue.push(turn);
    this.#d.emit({ type: "queued", reply_id: turn.reply_id, user_id: userId });
    return { ok: true, reply_id: turn.reply_id, queued: true };
  }

  /** Ends the streaming reply now; true if there was one. */
  stop(reason: EndReason = "stopped"): boolean {
    if (!this.#active || this.#active.abort.signal.aborted) return false;
    this.#active.abort.abort(reason);
    return true;
  }

  /** Withdraws a queued chat of this player; false if it is not (or no longer) queued. */
  cancel(userId: string, replyId: string): boolean {
    const i = this.#queue.findIndex((t) => t.reply_id === replyId && t.user_id === userId);
    if (i < 0) return false;
    this.#queue.splice(i, 1);
    this.#d.emit({ type: "dequeued", reply_id: replyId });
    this.#d.emit({ type: "end", reply_id: replyId, full_content: "", reason: "stopped" });
    return true;
  }

  /** The character hears of a game action as part of the conversation. */
  hearAction(userId: string, description: string): void {
    const message = actionMessage(userId, description);
    this.#history.push(message);
    this.#trimHistory();
    this.#persistContext([message]);
  }

  /** Takes no more chat; the streaming reply and the queued ones go on. Resolves when all are done. */
  drain(): Promise<void> {
    this.#draining = true;
    return this.whenIdle();
  }

  /** Stops everything: the streaming reply and every queued chat end with `reason`. */
  close(reason: EndReason): Promise<void> {
    this.#closed = true;
    this.#memories?.close();
    for (const t of this.#queue.splice(0)) {
      this.#d.emit({ type: "dequeued", reply_id: t.reply_id });
      this.#d.emit({ type: "end", reply_id: t.reply_id, full_content: "", reason });
    }
    this.stop(reason);
    return this.whenIdle();
  }

  #start(turn: Turn): void {
    const abort = new AbortController();
    this.#active = { turn, abort };
    this.#idle = this.#run(turn, abort.signal).catch((err: unknown) => {
      this.#d.log.error({ err, reply_id: turn.reply_id }, "reply pipeline failed");
    }).finally(() => this.#next());
  }

  #next(): void {
    this.#active = null;
    const turn = this.#closed ? undefined : this.#queue.shift();
    if (turn) {
      this.#d.emit({ type: "dequeued", reply_id: turn.reply_id });
      this.#start(turn);
    } else {
      this.#d.emit({ type: "status", status: "idle" });
    }
  }

  async #run(turn: Turn, signal: AbortSignal): Promise<void> {
    const { emit } = this.#d;
    const reply_id = turn.reply_id;
    const userMessage = playerMessage(turn.user_id, turn.content);
    const memories = await this.#recall(turn, signal);
    emit({ type: "status", status: "thinking", reply_id });
    // What fell out of the window stays in the prompt until its summary is in.
    const unsummarised = this.#d.summary?.unsummarised ?? [];
    const history = unsummarised.length > 0 ? [...unsummarised, ...this.#history] : this.#history;
    const prompt = buildPrompt({ character: this.#d.character, history, memories, userMessage, mood: this.#d.mood?.(), summary: this.#d.summary?.text });
    // Waiting for a model slot (MODEL_CONCURRENCY_MAX) is shown as queued, then thinking again.
    const hooks = { waiting: () => emit({ type: "status", status: "queued", reply_id }), admitted: () => emit({ type: "status", status: "thinking", reply_id }) } as const;
    const rounds = new TurnLoop(this.#d.model, prompt, signal, this.#d.abilities, { user_id: turn.user_id, reply_id }, hooks);

    let seq = 0;
    let text = "";
    let usage: Usage | undefined;
    let reason: EndReason = "complete";
    let firstChunkAt: number | null = null;
    let moderation: TurnOutcome["moderation"];
    const pacer = new ChunkPacer(this.#d.settings.chunkIntervalMs ?? 0, (content) => {
      if (seq === 0) {
        firstChunkAt = this.#monotonic();
        emit({ type: "status", status: "streaming", reply_id });
      }
      seq += 1;
      text += content;
      emit({ type: "chunk", reply_id, seq, content });
    }, timerClock(this.#monotonic));
    const moderated = new ModerationStage(this.#d.moderation, pacer, (hit) => {
      moderation = { direction: "output", term: hit.term };
      this.#active?.abort.abort("moderated");
      emit({ type: "retract", reply_id, reason: "moderated" });
    });
    const requestedAt = this.#monotonic();
    let modelFirstTokenAt: number | null = null;
    try {
      for await (const delta of rounds) {
        if (delta.usage) usage = delta.usage;
        if (!delta.content || signal.aborted) continue;
        modelFirstTokenAt ??= this.#monotonic();
        moderated.push(delta.content);
      }
      if (signal.aborted) reason = abortReason(signal);
      // Held text is released only when the reply ends normally; a cut reply drops it.
      else moderated.end();
    } catch (err) {
      if (signal.aborted) {
        reason = abortReason(signal);
      } else {
        reason = "error";
        this.#d.log.warn({ err, reply_id, session_id: this.#d.sessionId }, "model request failed");
        emit(isModelOverloaded(err)
          ? { type: "error", code: ERROR_CODES.modelOverloaded, message: "the character is overwhelmed; try again in a few seconds" }
          : { type: "error", code: ERROR_CODES.modelError, message: "the character could not answer; try again" });
      }
    }
    // What the model said before the end still goes out, so full_content is exactly the chunks sent.
    pacer.flush();
    await this.#turnEnded({
      ...this.#outcome(turn, text, reason, usage,
        firstChunkAt === null ? null : firstChunkAt - turn.arrived,
        modelFirstTokenAt === null ? null : modelFirstTokenAt - requestedAt),
      ...(moderation ? { moderation } : {}),
      ...(rounds.calls.length > 0 ? { tool_calls: rounds.calls } : {}),
    });
    emit({ type: "end", reply_id, full_content: text, reason, ...(usage ? { usage } : {}) });

    // What the players saw is what the character said, even when cut short; a retracted reply was never said.
    const answered = reason === "moderated" ? "" : text;
    const said = rounds.remembered(userMessage, answered);
    this.#history.push(...said);
    this.#trimHistory();
    this.#persistContext(said);
    // The next chat of this player finds memories that match this exchange ready. The text is the
    // one this exchange is remembered by, so the memory and the lookup share one embedding.
    this.#memories?.refresh(turn.user_id, exchangeText(turn.content, answered));
  }

  async #turnEnded(outcome: TurnOutcome): Promise<void> {
    try {
      await this.#d.turns?.turnEnded(this.#session, outcome);
    } catch (err) {
      this.#d.log.error({ err, reply_id: outcome.reply_id }, "turn end listener failed");
    }
  }

  /** Memories looked up ahead; only a player with none yet waits, within the time box. */
  async #recall(turn: Turn, signal: AbortSignal): Promise<string[]> {
    const lookahead = this.#memories;
    if (!lookahead) return [];
    let found = lookahead.take(turn.user_id);
    if (!found) {
      lookahead.prepare(turn.user_id, turn.content);
      found = lookahead.take(turn.user_id)!;
    }
    if (found.ready) return found.memories;
    this.#d.memory?.hurry?.();
    this.#d.emit({ type: "status", status: "searching_memory", reply_id: turn.reply_id });
    // A plain timer, not AbortSignal.timeout/any: those can be collected before they fire.
    let timer: NodeJS.Timeout | undefined;
    let stop: (() => void) | undefined;
    const late = new Promise<null>((resolve) => {
      stop = () => resolve(null);
      timer = setTimeout(stop, this.#d.memory?.timeoutMs ?? 50);
      signal.addEventListener("abort", stop, { once: true });
    });
    try {
      const result = await Promise.race([found.pending, late]);
      if (result === null && !signal.aborted) this.#d.memory?.onLate?.();
      return result ?? [];
    } finally {
      clearTimeout(timer);
      if (stop) signal.removeEventListener("abort", stop);
    }
  }

  #outcome(turn: Turn, reply: string, reason: EndReason, usage: Usage | undefined,
    firstChunkMs: number | null, modelFirstTokenMs: number | null): TurnOutcome {
    return {
      reply_id: turn.reply_id, user_id: turn.user_id, user_content: turn.content, received_at: turn.received_at,
      reply_content: reply, reason, usage, model: this.#d.model.name,
      first_chunk_ms: firstChunkMs, model_first_token_ms: modelFirstTokenMs, own_first_chunk_ms: firstChunkMs !== null && modelFirstTokenMs !== null ? firstChunkMs - modelFirstTokenMs : null, ended_at: this.#now(),
    };
  }

  #trimHistory(): void {
    const max = this.#d.settings.limits.contextWindowMessages;
    if (this.#history.length <= max) return;
    const fell = this.#history.splice(0, this.#history.length - max);
    this.#d.summary?.fellOut(fell);
  }

  #persistContext(messages: BaseMessage[]): void {
    this.#d.context.append(this.#d.sessionId, messages).catch((err: unknown) => {
      this.#d.log.warn({ err, session_id: this.#d.sessionId }, "context window write failed");
    });
  }
}

function abortReason(signal: AbortSignal): EndReason {
  const r: unknown = signal.reason;
  return r === "shutdown" || r === "moderated" || r === "error" ? r : "stopped";
}
