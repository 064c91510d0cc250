/** Builds every long-lived dependency once at start-up, and closes them once. */
import { randomUUID } from "node:crypto";
import { defaultActions, type ActionRegistry } from "./actions/action-registry.ts";
import { abilityTools } from "./actions/ability-runner.ts";
import { loadGameActions } from "./actions/load-game-actions.ts";
import { OfflineReplyModel } from "./ai/offline-reply-model.ts";
import { OPENAI_BASE_URL } from "./ai/openai-http.ts";
import { OpenAiStreamReplyModel } from "./ai/openai-stream-reply-model.ts";
import { probeModelEndpoint, type ModelProbeResult } from "./ai/model-probe.ts";
import { ModelAdmission, withModelAdmission } from "./ai/model-admission.ts";
import type { TurnOutcome } from "./ai/reply-events.ts";
import type { ReplyModel } from "./ai/reply-model.ts";
import { withReplyDeadlines } from "./ai/stream-deadlines.ts";
import { createTokenIssuer, randomSecret, type TokenIssuer } from "./auth/tokens.ts";
import { CharacterCatalog, type Character } from "./characters/catalog.ts";
import { SessionSummarizer, type SessionSummarizerDeps } from "./ai/session-summarizer.ts";
import { extractiveSummarizer, modelSummarizer } from "./ai/summarize.ts";
import type { SessionSummaries } from "./ai/turn-collaborators.ts";
import { contextFromChatLogs } from "./memory/context-from-chat-logs.ts";
import type { Config } from "./config.ts";
import type { Logger } from "./logger.ts";
import { BatchingMemoryWriter } from "./memory/batching-memory-writer.ts";
import { BatchingRecall } from "./memory/batching-recall.ts";
import { exchangeText } from "./memory/exchange-text.ts";
import { importanceOf } from "./memory/importance.ts";
import { BlocklistMatcher, loadBlocklist, type ModeratedStreamOptions } from "./moderation/index.ts";
import { LATE, orLate } from "./limits/deadline.ts";
import { createMetrics, type Metrics } from "./ops/metrics.ts";
import type { LiveRoom } from "./rooms/ai-character-room.ts";
import { once, openStorage, type Storage } from "./storage.ts";
import { storableValue } from "./store/storable-text.ts";
import { describeError, errorCode, StartupError } from "./startup/startup-error.ts";
import { actionRecord, aiTurnRecord, userTurnRecord, type ReceivedChat, type SessionRef } from "./store/turn-records.ts";

/** Turns stored together: one embeddings request and one INSERT for up to this many. */
const MEMORY_WRITE_BATCH = 64;
/** How long a finished turn may wait for others before its memory is written. */
const MEMORY_WRITE_WAIT_MS = 100;
/** Lookups sent together: one embeddings request and one statement for up to this many. */
const MEMORY_RECALL_BATCH = 64;
/**
 * How long a lookup may wait for others. Lookups run ahead of the chats that use them, so this
 * delays no reply; a chat that does wait for one (sent right after its player joined) sends the
 * waiting batch at once (`hurryRecall`).
 */
const MEMORY_RECALL_WAIT_MS = 100;

/**
 * Chat-log records read to rebuild a summary that is missing: a long session's last few hundred
 * lines are what a summary of 1500 characters can hold anyway.
 */
const SUMMARY_REBUILD_RECORDS = 200;

/** A listener may return a promise; the reply's end waits for it (the chat log's one is bounded). */
export type TurnListener = (session: SessionRef, outcome: TurnOutcome) => void | Promise<void>;


export interface Services {
  config: Config;
  log: Logger;
  catalog: CharacterCatalog;
  tokens: TokenIssuer;
  /** Set when tokens may be minted over HTTP for local play (no AUTH_SECRET, not production). */
  devTokens: boolean;
  model: ReplyModel;
  storage: Storage;
  metrics: Metrics;
  /** The rooms alive in this process (the gauges read them). */
  liveRooms: Set<LiveRoom>;
  actions: ActionRegistry;
  /** A chat arrived (with the blocked term when the rules stopped it): recorded at once, never awaited. */
  chatReceived(session: SessionRef, chat: ReceivedChat, moderatedTerm?: string): void;
  /** A game action happened: recorded as a turn with its action type. */
  actionTaken(session: SessionRef, action: { user_id: string; action_id: string; target_id?: string; heard: string }): void;
  /** Memories of this player, as lines for the prompt. */
  recallMemories(session: SessionRef, userId: string, text: string, signal: AbortSignal): Promise<string[]>;
  /** A chat waits for a memory lookup: the lookups waiting for a batch go now. */
  hurryRecall(): void;
  /** Listens to every finished turn (persistence, metrics, tests); returns the unsubscribe. */
  observeTurns(listener: TurnListener): () => void;
  /** Tells every turn listener; the rooms call it and send ai_end once it resolves. */
  turnEnded(session: SessionRef, outcome: TurnOutcome): Promise<void>;
  /** Each session's rolling summary; absent when SUMMARY_MAX_CHARS is 0. */
  summaries: SessionSummaries | undefined;
  /** Absent when moderation is turned off. */
  moderation: ModeratedStreamOptions | undefined;
  close(): Promise<void>;
}

export async function createServices(config: Config, log: Logger): Promise<Services> {
  const catalog = await CharacterCatalog.load(config.charactersDir).catch((err: unknown) => {
    throw new StartupError("CHARACTERS_DIR", `cannot load characters from ${config.charactersDir} (${describeError(err)})`,
      "point it at a folder of character .json files (the repository's is characters/)");
  });
  const actions = defaultActions();
  if (config.gameActionsDir) log.info({ actions: await loadGameActions(config.gameActionsDir, actions) }, "game actions loaded");
  // A character that names an ability no action runs is a mistake to hear of at start, not in a room.
  for (const character of catalog.all()) abilityTools(character, actions);
  const devTokens = !config.authSecret;
  if (devTokens) log.warn("AUTH_SECRET is not set: using a random secret and serving POST /auth/dev-token for local play");
  const tokens = createTokenIssuer(config.authSecret ?? randomSecret(), { maxLifetimeSeconds: config.tokenMaxLifetimeSeconds });

  // Read before the stores open: a missing file fails the start in a second, not after the database.
  const moderation = config.moderation.blocklistPath
    ? { matcher: BlocklistMatcher.fromTerms(await loadBlocklistOrFail(config.moderation.blocklistPath)), holdBack: config.moderation.holdBack }
    : undefined;

  // Outside the deadlines: the first-token deadline starts when the request has its slot.
  const admission = new ModelAdmission(config.model.admission);
  const unadmitted = await createReplyModel(config, catalog, log);
  const model = withModelAdmission(unadmitted, admission);
  // Probed while the stores open, so a start with a working endpoint waits for nothing.
  const probe = config.model.offline ? undefined
    : probeModelEndpoint({ baseUrl: config.model.baseUrl ?? OPENAI_BASE_URL, apiKey: config.model.apiKey, model: config.model.name });
  const storage = await openStorage(config, log);
  log.info(storage.describe, "storage ready");
  if (probe) reportProbe(await probe, log);
  const { chatLog, memory } = storage;

  if (moderation) log.info({ terms: moderation.matcher.size, hold_back: moderation.holdBack }, "moderation on");
  else log.warn("moderation is off (MODERATION_BLOCKLIST=off)");

  const memoryWriter = new BatchingMemoryWriter({
    memory, maxBatch: MEMORY_WRITE_BATCH, maxWaitMs: MEMORY_WRITE_WAIT_MS,
    onError: (err, lost) => log.warn({ err, lost }, "memory write failed"),
  });

  const memoryRecall = new BatchingRecall({ memory, maxBatch: MEMORY_RECALL_BATCH, maxWaitMs: MEMORY_RECALL_WAIT_MS });

  const turnListeners = new Set<TurnListener>();
  const turnEnded = async (session: SessionRef, outcome: TurnOutcome): Promise<void> => {
    const waits: Promise<void>[] = [];
    for (const listener of turnListeners) {
      try {
        const done = listener(session, outcome);
        if (done) waits.push(done.catch((err: unknown) => log.error({ err, reply_id: outcome.reply_id }, "turn listener failed")));
      } catch (err) {
        log.error({ err, reply_id: outcome.reply_id }, "turn listener failed");
      }
    }
    await Promise.all(waits);
  };

  const metrics = createMetrics();
  const liveRooms = new Set<LiveRoom>();
  const sum = (f: (r: LiveRoom) => number) => [...liveRooms].reduce((n, r) => n + f(r), 0);
  metrics.setProviders({
    rooms: () => liveRooms.size,
    players: () => sum((r) => r.players()),
    queuedChats: () => sum((r) => r.queued()),
    backlog: () => chatLog.backlog(),
    deadLetters: () => chatLog.deadLetterCount,
    modelRequestsActive: () => admission.active,
    modelRequestsWaiting: () => admission.waiting,
  });

  turnListeners.add((_session, outcome) => {
    metrics.observeTurn(outcome);
    if (outcome.moderation) metrics.countModerationHit(outcome.moderation.direction);
  });
  /**
   * The turn is on disk before ai_end goes out: a player who saw a reply end finds it in the chat
   * log after any crash. The wait is an fsync of the spool file shared by every turn ending at the
   * same time, never a database write, and it is bounded: a stalled disk delays ai_end by at most
   * TURN_END_SYNC_MS, and the turn is then counted and logged as unsynced.
   */
  const syncTurn = async (synced: Promise<void>, replyId: string): Promise<void> => {
    const started = performance.now();
    try {
      if ((await orLate(synced, config.turnEndSyncMs)) === LATE) {
        metrics.countUnsyncedTurnEnd("timeout");
        log.warn({ reply_id: replyId, waited_ms: config.turnEndSyncMs }, "turn not yet synced to the chat-log spool; ending the reply anyway");
        return;
      }
      metrics.observeTurnEndSync((performance.now() - started) / 1000);
    } catch (err) {
      metrics.countUnsyncedTurnEnd("error");
      log.error({ err, reply_id: replyId }, "turn could not be synced to the chat-log spool; ending the reply anyway");
    }
  };

  turnListeners.add((session, outcome) => {
    if (outcome.moderation?.direction === "input") return;
    const synced = chatLog.recordDurably(aiTurnRecord(session, outcome));
    if (outcome.reason === "complete" && outcome.reply_content) {
      // Off the streaming path: the reply has ended; a failed write costs a memory, never a turn.
      // Made storable here, where it enters the memories table, as chat logs are in DurableChatLog.
      memoryWriter.add(storableValue({
        ...session, user_id: outcome.user_id, created_at: new Date(outcome.ended_at),
        content: exchangeText(outcome.user_content, outcome.reply_content),
        importance: importanceOf(outcome.user_content, outcome.reply_content),
      }));
    }
    return syncTurn(synced, outcome.reply_id);
  });

  const summaries = config.summary.maxChars > 0 ? sessionSummaries(config, unadmitted, storage) : undefined;

  return {
    config, log, catalog, tokens, devTokens, model, moderation, actions, summaries,
    storage,
    metrics,
    liveRooms,
    turnEnded,
    chatReceived(session, chat, moderatedTerm) {
      chatLog.record(userTurnRecord(session, chat, moderatedTerm));
    },
    actionTaken(session, action) {
      chatLog.record(actionRecord(session, { ...action, id: randomUUID(), at: Date.now() }));
    },
    async recallMemories(session, userId, text, signal) {
      const found = await memoryRecall.recall({ user_id: userId, character_id: session.character_id, text, limit: config.memory.recallLimit }, signal);
      return found.map((m) => m.content);
    },
    hurryRecall() {
      memoryRecall.flush();
    },
    observeTurns(listener) {
      turnListeners.add(listener);
      return () => turnListeners.delete(listener);
    },
    close: once(async () => {
      memoryRecall.close();
      await memoryWriter.close();
      await storage.close();
      model.close?.();
    }),
  };
}

async function createReplyModel(config: Config, catalog: CharacterCatalog, log: Logger): Promise<ReplyModel> {
  if (config.model.offline) {
    log.warn("=".repeat(72));
    log.warn("NO MODEL CONFIGURED: characters answer from the OFFLINE model (canned in-character lines).");
    log.warn("Set OPENAI_API_KEY and/or OPENAI_BASE_URL (OpenAI, Ollama, vLLM, llama.cpp) for real replies.");
    log.warn("=".repeat(72));
    return new OfflineReplyModel(catalog, config.model.offlineTokenMs);
  }
  log.info({ model: config.model.name, base_url: config.model.baseUrl ?? OPENAI_BASE_URL, client: config.model.client }, "model configured");
  // LangChain's model client is loaded only when chosen: a process holds only what it uses.
  const model = config.model.client === "langchain"
    ? await import("./ai/langchain-reply-model.ts").then(({ createOpenAiChatModel, LangChainReplyModel }) =>
      new LangChainReplyModel(createOpenAiChatModel(config.model), config.model.name))
    : new OpenAiStreamReplyModel(config.model);
  return withReplyDeadlines(model, { firstTokenMs: config.model.firstTokenTimeoutMs, idleMs: config.model.idleTimeoutMs });
}

/**
 * The offline model summarises extractively; a real one is asked, outside admission control: a
 * summary must never hold a model slot a player's reply is waiting for.
 */
function sessionSummaries(config: Config, model: ReplyModel, storage: Storage): SessionSummaries {
  const { maxChars, batchMessages, timeoutMs } = config.summary;
  const summarize = config.model.offline ? extractiveSummarizer(maxChars) : modelSummarizer(model, { maxChars, timeoutMs });
  const window = config.contextWindowMessages;
  return {
    forSession: (sessionId, character, log) => new SessionSummarizer({
      sessionId, characterName: character.name, store: storage.summaries, summarize, maxChars, batchMessages, log,
      olderMessages: async () => {
        const older = contextFromChatLogs(await storage.chatLog.recent(sessionId, SUMMARY_REBUILD_RECORDS));
        return older.slice(0, Math.max(0, older.length - window));
      },
    }),
  };
}

async function loadBlocklistOrFail(path: string): Promise<string[]> {
  try {
    return await loadBlocklist(path);
  } catch (err) {
    if (errorCode(err) === undefined) throw err;
    throw new StartupError("MODERATION_BLOCKLIST", `cannot read ${path} (${describeError(err)})`,
      "point it at a file of one term per line (the repository's is moderation/blocklist.txt), or set it to off");
  }
}

function reportProbe(result: ModelProbeResult, log: Logger): void {
  if (result.ok) {
    log.info({ ms: result.ms }, "model endpoint answered");
    return;
  }
  log.warn({ problem: result.problem, fix: result.fix },
    `MODEL ENDPOINT NOT READY: ${result.problem}; ${result.fix}. Chats will end with model/error until it answers.`);
}
