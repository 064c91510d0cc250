/**
 * The `ai_character` room: one conversation session with one character. It stays thin: it checks
 * each message, hands chat to the Conversation and turns the Conversation's events into messages.
 */
import { type AuthContext, type Client, CloseCode, OnMessageException, Room, type RoomException, ServerError } from "@colyseus/core";
import type { z } from "zod";
import type { ActionRegistry } from "../actions/action-registry.ts";
import { createAbilityRunner } from "../actions/ability-runner.ts";
import { rememberedGifts, rememberedMood } from "../ai/remembered-state.ts";
import { Conversation, type SayResult } from "../ai/conversation.ts";
import type { SessionSummarizer } from "../ai/session-summarizer.ts";
import type { ReplyEvent } from "../ai/reply-events.ts";
import type { MemoryRecall, ReplySettings, SessionSummaries, TurnRecorder } from "../ai/turn-collaborators.ts";
import { ReplyJournal, type JournalEntry } from "../ai/reply-journal.ts";
import type { ReplyModel } from "../ai/reply-model.ts";
import type { ModeratedStreamOptions } from "../moderation/index.ts";
import type { TokenIssuer } from "../auth/tokens.ts";
import type { Character, CharacterCatalog } from "../characters/catalog.ts";
import type { Logger } from "../logger.ts";
import type { ContextWindow } from "../memory/context-window.ts";
import {
  ActionMessage, CancelMessage, chatMessage, ERROR_CODES, ResumeMessage, ROOM_NAME, StopMessage,
  type ErrorCode, type ServerMessages,
} from "../protocol/messages.ts";
import { AiCharacterState, ItemState, PlayerState, QueuedChatState } from "../state/room-state.ts";
import { describeIssues } from "./describe-issues.ts";
import { checkJoinAccess, matchmakeRequest, refusal } from "./join-access.ts";
import { PlayerLimits } from "./player-limits.ts";
import { ReconnectGate } from "./reconnect-gate.ts";
import { StatePatches } from "./state-patches.ts";
import { resolveSession, type SessionAuth } from "./session.ts";
import type { SessionRef } from "../store/turn-records.ts";

export interface RoomServices {
  catalog: CharacterCatalog;
  tokens: TokenIssuer;
  model: ReplyModel;
  context: ContextWindow;
  actions: ActionRegistry;
  log: Logger;
  moderation?: ModeratedStreamOptions;
  /** Absent: no long-term memory. */
  memory?: MemoryRecall;
  turns: TurnRecorder;
  telemetry: RoomTelemetry;
  settings: RoomSettings;
  /** Each session's rolling summary of what fell out of the window; none when absent. */
  summaries?: SessionSummaries;
}

/** What the room reports for metrics and gauges. */
export interface RoomTelemetry {
  /** Every `error` sent to a player. */
  error(code: ErrorCode): void;
  /** A handler or lifecycle method threw something no code expected (a bug). */
  unexpected(where: string): void;
  /** The rooms alive in this process. */
  liveRooms: Set<LiveRoom>;
}

/** The room's numbers; the reply's own (queue, history, chunk pacing) go on to its Conversation. */
export interface RoomSettings extends ReplySettings {
  limits: ReplySettings["limits"] & { chatMaxChars: number };
  rateLimits: {
    chat: { burst: number; perSecond: number };
    action: { burst: number; perSecond: number };
  };
  reconnectSeconds: number;
  /** How long a reserved seat waits for its player's WebSocket. */
  seatReservationSeconds: number;
  resumeRepliesKept: number;
  /** On shutdown, how long replies in flight may take before they end with reason `shutdown`. */
  shutdownGraceMs: number;
  /** Caps on what a character does itself: tool rounds per reply, ability uses per player per minute. */
  abilities: { toolRoundsMax: number; usesPerMinute: number };
}

export interface LiveRoom {
  players(): number;
  queued(): number;
}

/** What a player is told when its chat is not taken. */
const SAY_REFUSALS: Record<Exclude<SayResult, { ok: true }>["code"], string> = {
  busy: "the character is busy; wait for the current replies",
  moderated: "that message breaks the rules and was not sent",
  "server/shutting_down": "the server is restarting; join again in a moment",
};

/** A reconnected player waits for its `resume` this long before it is sent what it missed anyway. */
const RESUME_WAIT_MS = 3000;
/** Changes to the state within this time go out as one patch (Colyseus' default patch interval). */
const STATE_PATCH_DELAY_MS = 50;
/** The patch interval that remains, as a safety net for a change made without #patchSoon. */
const SAFETY_PATCH_MS = 1000;


/** Options the room is created with: the client's join options after `onAuth` resolved them. */
interface CreateOptions { character_id: string; session_id: string }

type AuthedClient = Client<{ auth: SessionAuth }>;

/** Every client got past `onAuth`, which always sets `auth`. */
const userOf = (client: AuthedClient): string => client.auth?.user_id ?? "";

/** The room class closes over the services, so its static `onAuth` can verify tokens. */
export function createAiCharacterRoom(services: RoomServices) {
  const { settings, telemetry } = services;
  const chatSchema = chatMessage(settings.limits.chatMaxChars);

  return class AiCharacterRoom extends Room<{ state: AiCharacterState; client: AuthedClient }> {
    static async onAuth(token: string, options: Record<string, unknown>, context?: AuthContext): Promise<SessionAuth> {
      const userId = await services.tokens.verify(token);
      if (!userId) throw new ServerError(401, "invalid or expired token");
      const resolved = resolveSession(userId, options, services.catalog);
      if (!resolved.ok) throw new ServerError(resolved.status, resolved.message);
      // Matchmaking filters on these, so rewrite the join options to their canonical form.
      options.character_id = resolved.character_id;
      options.session_id = resolved.session_id;
      await checkJoinAccess(matchmakeRequest(context), ROOM_NAME, resolved.session_id);
      return { user_id: userId };
    }

    state = new AiCharacterState();
    character!: Character;
    conversation!: Conversation;
    log!: Logger;
    readonly journal = new ReplyJournal(settings.resumeRepliesKept);
    readonly #gate = new ReconnectGate(this.journal, RESUME_WAIT_MS);
    readonly #limits = new PlayerLimits(settings.rateLimits);
    readonly #patches = new StatePatches(() => this.broadcastPatch(), STATE_PATCH_DELAY_MS);
    #session!: SessionRef;

    #patchSoon(): void {
      this.#patches.soon();
    }

    // Floods are cut at the transport, which counts every frame (src/ops/socket-guard.ts).
    messages = {
      chat: (client: AuthedClient, raw: unknown) => {
        if (!this.#allow(client, "chat")) return;
        const msg = this.#parse(client, chatSchema, raw);
        if (!msg) return;
        const result = this.conversation.say(userOf(client), msg.content);
        if (!result.ok) this.#error(client, result.code, SAY_REFUSALS[result.code]);
      },
      action: (client: AuthedClient, raw: unknown) => {
        if (!this.#allow(client, "action")) return;
        const msg = this.#parse(client, ActionMessage, raw);
        if (!msg) return;
        const result = services.actions.run(msg.action_id, {
          state: this.state, character: this.character, user_id: userOf(client), target_id: msg.target_id, params: msg.params ?? {},
        });
        if (!result.ok) return this.#error(client, result.code, result.message);
        for (const { event, to } of result.events) {
          if (to === "room") this.broadcast("game_event", event);
          else client.send("game_event", event);
        }
        this.#patchSoon();
        const heard = `${userOf(client)} ${result.heard}`;
        this.conversation.hearAction(userOf(client), heard);
        services.turns.actionTaken(this.#session, { user_id: userOf(client), action_id: msg.action_id, target_id: msg.target_id, heard });
      },
      stop: (client: AuthedClient, raw: unknown) => {
        if (this.#parse(client, StopMessage, raw ?? {})) this.conversation.stop("stopped");
      },
      resume: (client: AuthedClient, raw: unknown) => {
        const msg = this.#parse(client, ResumeMessage, raw);
        if (!msg) return;
        if (!this.#replay(client, msg.reply_id, msg.last_seq)) {
          this.#error(client, ERROR_CODES.unknownReply, `no reply "${msg.reply_id}" to resume`);
        }
      },
      cancel: (client: AuthedClient, raw: unknown) => {
        const msg = this.#parse(client, CancelMessage, raw);
        if (msg && !this.conversation.cancel(userOf(client), msg.reply_id)) {
          this.#error(client, ERROR_CODES.notQueued, `no queued chat "${msg.reply_id}" of yours`);
        }
      },
      // Colyseus passes the received type here, except for a message sent with the type "*" itself,
      // which arrives as (client, payload): never trust the argument to be a string.
      _: (client: AuthedClient, type: unknown) => {
        this.#error(client, ERROR_CODES.unknownType, `unknown message type ${describeMessageType(type)}`);
      },
    };

    /**
     * Colyseus catches what a message handler, a lifecycle method or a clock callback throws and
     * hands it here (it rethrows lifecycle errors to the caller, which refuses the join). A
     * message's sender learns its message failed; nothing else in the room is disturbed.
     */
    onUncaughtException(err: RoomException, methodName: string) {
      telemetry.unexpected(`room.${methodName}`);
      // Before onCreate has set the room's own logger, the services' one.
      (this.log ?? services.log).error({ err: err.cause ?? err, method: methodName }, "room handler threw");
      if (err instanceof OnMessageException && err.client) {
        this.#error(err.client, ERROR_CODES.internal, "the server failed to handle that message; it was dropped");
      }
    }

    #summary: SessionSummarizer | undefined;
    readonly #live: LiveRoom = { players: () => this.clients.length, queued: () => this.state.queue.length };

    async onCreate(options: CreateOptions) {
      const character = services.catalog.get(options.character_id);
      if (!character) throw new ServerError(404, `unknown character "${options.character_id}"`);
      this.character = character;
      this.#session = { session_id: options.session_id, character_id: character.id };
      this.log = services.log.child({ room_id: this.roomId, session_id: options.session_id });
      // The interval only backs up #patchSoon (and ticks the room clock); changes go out at once.
      this.setPatchRate(SAFETY_PATCH_MS);
      // Before the first seat is reserved, which Colyseus does once onCreate resolves.
      this.seatReservationTimeout = settings.seatReservationSeconds;
      this.state.session_id = options.session_id;
      Object.assign(this.state.character, { id: character.id, name: character.name, mood: character.mood });
      for (const item of character.items) {
        this.state.items.set(item.id, new ItemState({ id: item.id, name: item.name, description: item.description }));
      }
      this.#summary = services.summaries?.forSession(options.session_id, character, this.log);
      this.conversation = new Conversation({
        sessionId: options.session_id,
        character,
        model: services.model,
        context: services.context,
        log: this.log,
        settings,
        moderation: services.moderation,
        emit: (event) => this.#onReplyEvent(event),
        turns: services.turns,
        memory: services.memory,
        abilities: createAbilityRunner({
          character, state: this.state, actions: services.actions, log: this.log,
          maxRounds: settings.abilities.toolRoundsMax, usesPerMinute: settings.abilities.usesPerMinute,
          broadcast: (event) => this.broadcast("game_event", event),
          changed: () => this.#patchSoon(),
        }),
        mood: () => this.state.character.mood,
        summary: this.#summary,
      });
      await Promise.all([this.conversation.open(), this.#summary?.open()]);
      const mood = rememberedMood(this.conversation.recent, character.moods);
      if (mood) this.state.character.mood = mood;
      for (const [itemId, owner] of rememberedGifts(this.conversation.recent)) {
        const item = this.state.items.get(itemId);
        if (item) item.owner = owner;
      }
      telemetry.liveRooms.add(this.#live);
    }

    onJoin(client: AuthedClient, options: { character_id?: unknown; session_id?: unknown }) {
      // onAuth made session_id the player's canonical one: a seat in a room of another session
      // (a joinById by room id, or a join made without matchmaking's checks) ends here.
      if (options.session_id !== this.state.session_id) throw refusal(this.state.session_id);
      if (String(options.character_id) !== this.character.id) {
        throw new ServerError(409, "this session belongs to another character");
      }
      this.state.players.set(client.sessionId, new PlayerState({ user_id: userOf(client), joined_at: Date.now() }));
      this.#patchSoon();
      this.conversation.lookAhead(userOf(client));
      this.#limits.add(client.sessionId);
      const greeting = this.character.greeting;
      if (greeting) {
        const reply_id = `greeting-${client.sessionId}`;
        client.send("ai_chunk", { content: greeting, seq: 1, reply_id });
        client.send("ai_end", { full_content: greeting, reply_id, reason: "complete" });
      }
    }

    /** A dropped connection may come back within the window; the reply keeps streaming for it. */
    onDrop(client: AuthedClient) {
      if (settings.reconnectSeconds <= 0) return;
      this.#gate.dropped(client.sessionId);
      // Rejected when the client never finished joining ("not joined"), when the room is disposing,
      // and when the window passes: each ends in onLeave through Colyseus, so nothing is left to do.
      this.allowReconnection(client, settings.reconnectSeconds).catch(() => undefined);
    }

    /** Live reply messages wait for the player's `resume`; without one, it is sent what it missed anyway. */
    onReconnect(client: AuthedClient) {
      this.#gate.reconnected(client.sessionId, (replyId, lastSeq) => this.#replay(client, replyId, lastSeq));
    }

    onLeave(client: AuthedClient) {
      this.state.players.delete(client.sessionId);
      const user = userOf(client);
      if (!this.clients.some((c) => c !== client && userOf(c as AuthedClient) === user)) this.conversation.forget(user);
      this.#patchSoon();
      this.#limits.remove(client.sessionId);
      this.#gate.left(client.sessionId);
      // Nobody is listening: cancel the model request rather than pay for tokens no one reads.
      if (this.clients.length === 0) this.conversation.stop("stopped");
    }

    async onDispose() {
      telemetry.liveRooms.delete(this.#live);
      await this.conversation?.close("stopped");
      // After the conversation: its last turn may have let messages fall out of the window.
      await this.#summary?.close();
      this.journal.clear();
      this.#gate.dispose();
      this.#patches.dispose();
    }

    /** The process is stopping: let the replies in flight finish, up to the grace time, then end them. */
    async onBeforeShutdown() {
      try {
        const cut = setTimeout(() => { this.conversation.close("shutdown").catch((err: unknown) => this.#unexpected(err, "shutdown")); }, settings.shutdownGraceMs);
        const drained = this.conversation.drain();
        this.log.info({ grace_ms: settings.shutdownGraceMs }, "shutting down: new chats refused, replies in flight finishing");
        await drained;
        clearTimeout(cut);
        await this.conversation.close("shutdown");
        await this.disconnect(CloseCode.SERVER_SHUTDOWN);
      } catch (err) {
        this.#unexpected(err, "shutdown");
      }
    }

    #unexpected(err: unknown, where: string): void {
      telemetry.unexpected(`room.${where}`);
      (this.log ?? services.log).error({ err }, `room ${where} failed`);
    }

    /** Sends a player what it missed after `lastSeq` of `replyId`, then lets live messages through. */
    #replay(client: AuthedClient, replyId: string, lastSeq: number): boolean {
      const missed = this.journal.replayAfter(replyId, lastSeq);
      if (!missed) return false;
      for (const entry of missed) client.send(entry.type, entry.message);
      this.#gate.open(client.sessionId);
      return true;
    }

    #allow(client: AuthedClient, kind: "chat" | "action"): boolean {
      if (this.#limits.allow(client.sessionId, kind)) return true;
      this.#error(client, ERROR_CODES.rateLimited, `too many ${kind} messages; slow down`);
      return false;
    }

    #onReplyEvent(event: ReplyEvent): void {
      switch (event.type) {
        case "chunk": {
          const { type: _, ...message } = event;
          return this.#broadcastReply({ type: "ai_chunk", message });
        }
        case "retract": {
          const { type: _, ...message } = event;
          return this.#broadcastReply({ type: "ai_retract", message });
        }
        case "end": {
          const { type: _, ...message } = event;
          return this.#broadcastReply({ type: "ai_end", message });
        }
        case "status":
          this.state.character.status = event.status;
          this.state.character.reply_id = event.reply_id ?? "";
          this.#patchSoon();
          return this.#broadcast("ai_status", event.reply_id ? { status: event.status, reply_id: event.reply_id } : { status: event.status });
        case "queued":
          this.state.queue.push(new QueuedChatState({ reply_id: event.reply_id, user_id: event.user_id }));
          this.#patchSoon();
          return this.#broadcast("ai_status", { status: "queued", reply_id: event.reply_id });
        case "dequeued": {
          const i = this.state.queue.findIndex((q) => q.reply_id === event.reply_id);
          if (i >= 0) this.state.queue.splice(i, 1);
          this.#patchSoon();
          return;
        }
        case "error":
          telemetry.error(event.code);
          return this.#broadcast("error", { code: event.code, message: event.message });
      }
    }

    /** Journals a reply message for resuming players and sends it to everyone not waiting to resume. */
    #broadcastReply(entry: JournalEntry): void {
      this.journal.record(entry);
      if (!this.#gate.holding) return this.broadcast(entry.type, entry.message);
      const except = this.clients.filter((c) => this.#gate.holds(c.sessionId));
      this.broadcast(entry.type, entry.message, { except });
    }

    #broadcast<K extends keyof ServerMessages>(type: K, message: ServerMessages[K]): void {
      this.broadcast(type, message);
    }

    #error(client: Client, code: ErrorCode, message: string): void {
      telemetry.error(code);
      client.send("error", { code, message });
    }

    #parse<S extends z.ZodType>(client: Client, schema: S, raw: unknown): z.infer<S> | null {
      const parsed = schema.safeParse(raw);
      if (parsed.success) return parsed.data;
      this.#error(client, ERROR_CODES.invalidMessage, describeIssues(parsed.error));
      return null;
    }
  };
}

export type AiCharacterRoom = InstanceType<ReturnType<typeof createAiCharacterRoom>>;

/** A message type for an error text: a string or number as sent (shortened), anything else by kind. */
export function describeMessageType(type: unknown): string {
  if (typeof type === "number") return String(type);
  if (typeof type === "string") return JSON.stringify(type.length > 64 ? `${type.slice(0, 64)}...` : type);
  return `(a ${type === null ? "null" : typeof type}, not a name)`;
}
