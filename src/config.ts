/** The only reader of process.env: parsed once, typed, frozen. */
import { z } from "zod";
import { DEFAULT_CHAT_MAX_CHARS } from "./protocol/messages.ts";
import type { VectorIndex } from "./memory/pg-memory-schema.ts";
import { StartupError } from "./startup/startup-error.ts";

const optionalString = z.string().trim().optional().transform((v) => (v ? v : undefined));
const WHOLE = { message: "must be a whole number" };
const int = (def: number) => z.coerce.number(WHOLE).int(WHOLE).nonnegative({ message: "must be 0 or more" }).default(def);
/** For settings where 0 would start a server that refuses every player or chat. */
const positiveInt = (def: number) => z.coerce.number(WHOLE).int(WHOLE).positive({ message: "must be 1 or more" }).default(def);
/** An OpenAI-compatible base URL: `localhost:11434/v1` parses as a URL of scheme `localhost:`, and every chat would fail. */
const httpUrl = optionalString.refine((v) => {
  if (v === undefined) return true;
  try {
    const url = new URL(v);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}, { message: "must be an http(s) URL with its version path, such as http://localhost:11434/v1" });
const PORT = { message: "must be a port number (0-65535)" };
const bool = (def: boolean) =>
  z.enum(["true", "false", "1", "0", "yes", "no", "on", "off"]).optional()
    .transform((v) => (v === undefined ? def : ["true", "1", "yes", "on"].includes(v)));

const Env = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number(PORT).int(PORT).min(0, PORT).max(65535, PORT).default(2567),
  HOST: z.string().default("0.0.0.0"),
  /** The address other processes send this process's clients to (host:port). */
  PUBLIC_ADDRESS: optionalString,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  AUTH_SECRET: optionalString,
  /** Longest lifetime (exp - iat) a player token may have: a leaked token is worth a day at most. */
  TOKEN_MAX_LIFETIME_SECONDS: z.coerce.number().int().positive().default(24 * 60 * 60),

  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: httpUrl,
  OPENAI_MODEL: z.string().default("gpt-4o-mini"),
  /** Sampling temperature sent to the model. */
  OPENAI_TEMPERATURE: z.coerce.number().min(0).max(2).default(0.8),
  /** Cap on reply length, so a runaway model cannot stream forever. */
  OPENAI_MAX_TOKENS: int(512),
  /** `direct`: Parley's own streaming client (lean per token); `langchain`: LangChain's ChatOpenAI. */
  MODEL_CLIENT: z.enum(["direct", "langchain"]).default("direct"),
  /** HTTP/2 to the model endpoint (direct client): all replies multiplexed over a few connections. */
  MODEL_HTTP2: bool(false),
  /** A reply whose first token has not come within this time ends with an error: past a slow first token (a long prompt, a busy endpoint), short of leaving players waiting on a dead endpoint. */
  MODEL_FIRST_TOKEN_TIMEOUT_MS: positiveInt(10_000),
  /** A reply whose model falls silent this long mid-stream ends with an error: tokens come every few tens of ms, so 5 s is a stall, not a slow token. */
  MODEL_IDLE_TIMEOUT_MS: positiveInt(5_000),
  /**
   * A busy endpoint (429, 503) asking to come back within this time is asked again once, before any
   * text was shown; asking for longer, the reply ends at once with `model/overloaded`: a player waits
   * a couple of seconds for a character, not a minute.
   */
  MODEL_RETRY_AFTER_MAX_MS: int(2_000),
  /**
   * Model requests streaming at once in this process; 0 is no limit. Set it to what the endpoint
   * serves well (a local Ollama: OLLAMA_NUM_PARALLEL): past it every reply slows for everyone.
   */
  MODEL_CONCURRENCY_MAX: int(0),
  /** Chats that may wait for a model slot, told `queued`; beyond, refused at once with `model/overloaded`. */
  MODEL_QUEUE_MAX: int(100),
  /** Longest wait for a model slot: past a few seconds a player has given up on the turn. */
  MODEL_QUEUE_TIMEOUT_MS: positiveInt(5_000),

  CHARACTERS_DIR: z.string().default("characters"),
  /** The game's own actions, loaded at start (one action, or an array, per file's default export); none when unset. */
  GAME_ACTIONS_DIR: optionalString,
  /** Longest chat message accepted, in characters. */
  CHAT_MAX_CHARS: positiveInt(DEFAULT_CHAT_MAX_CHARS),
  /** Chats that may wait behind the streaming reply; enough for a lively group, bounded memory. */
  REPLY_QUEUE_LIMIT: int(8),
  /** Messages of recent conversation sent to the model: 10 turns, as the design asks. */
  CONTEXT_WINDOW_MESSAGES: int(20),
  /**
   * Cap of a session's rolling summary of what fell out of the window, in characters: about 400
   * tokens, room for the facts of a long conversation without crowding out the recent turns. 0 turns
   * summaries off.
   */
  SUMMARY_MAX_CHARS: int(1500),
  /**
   * Messages that fall out of the window before they are summarised: 8 (four turns) is one summary
   * request every fourth turn past the window instead of every turn, for at most 8 more messages in
   * the prompt meanwhile.
   */
  SUMMARY_BATCH_MESSAGES: positiveInt(8),
  /** Longest a summary request may take; past it the summary is extractive. It runs after a turn, so no player waits on it. */
  SUMMARY_TIMEOUT_MS: positiveInt(30_000),
  /**
   * 0 sends each model token as its own ai_chunk. Above 0, tokens arriving within this many ms of the
   * last chunk are sent together (the first chunk never waits): fewer frames for fast models.
   */
  CHUNK_INTERVAL_MS: int(0),
  /** Pace of the offline model's reply, so it reads like typing. */
  OFFLINE_MODEL_TOKEN_MS: int(40),

  REDIS_URL: optionalString,
  MONGODB_URL: optionalString,
  DATABASE_URL: optionalString,
  /** Embedded database, spool file: what a no-services start keeps between runs. */
  DATA_DIR: z.string().default("data"),
  /** Memory lookup budget: a fraction of the 200 ms first-token budget, so it never costs the first token. */
  MEMORY_TIMEOUT_MS: int(50),
  /** Memories added to a prompt: enough to recall, few enough to keep the prompt short. */
  MEMORY_RECALL_LIMIT: int(4),
  /** `local` (deterministic, offline) or `openai` (the configured endpoint); default follows the model. */
  EMBEDDINGS: z.enum(["local", "openai"]).optional(),
  EMBEDDING_MODEL: z.string().default("text-embedding-3-small"),
  /** `base64` (float32, a third of the bytes and far cheaper to parse) or `float` (JSON numbers), for servers without base64. */
  EMBEDDING_ENCODING: z.enum(["base64", "float"]).default("base64"),
  /** Vector size of the memories table; changing it needs a new table. */
  EMBEDDING_DIMENSIONS: z.coerce.number(WHOLE).int(WHOLE).min(1, { message: "must be 1 to 16000" }).max(16_000, { message: "must be 1 to 16000" }).default(256),
  /** `none` (exact distances over each player's memories) or `hnsw` (an approximate graph too); see pg-memory-schema.ts. */
  MEMORY_VECTOR_INDEX: z.enum(["none", "hnsw"]).default("none"),
  /**
   * Longest a reply's end waits for its turn to be synced to the spool file (an fsync, normally a
   * few ms). Past it ai_end goes out anyway and the turn is counted as unsynced: a stalled disk must
   * not hold a room forever.
   */
  TURN_END_SYNC_MS: int(1_000),
  /** How long SIGTERM lets replies in flight finish before ending them with reason shutdown. */
  SHUTDOWN_DEADLINE_MS: int(10_000),
  /** Serve the browser demo at `/`: on in development and tests, off in production unless `DEMO=on`. */
  DEMO: z.enum(["true", "false", "1", "0", "yes", "no", "on", "off"]).optional(),
  MONITOR_USER: z.string().default("admin"),
  MONITOR_PASSWORD: optionalString,

  /** Blocklist file, one term per line; `off` disables moderation. */
  MODERATION_BLOCKLIST: z.string().default("moderation/blocklist.txt"),
  /** Hold back what could be the start of a blocked term, so no player ever sees one whole. */
  MODERATION_HOLDBACK: bool(true),

  /**
   * Joins are refused (503 server/saturated) while the event loop has run this late within the last
   * second or two; 0 is off. A process that far behind cannot seat a player before its seat
   * reservation runs out, and each join slows the players it has.
   */
  JOIN_MAX_EVENT_LOOP_DELAY_MS: int(0),
  /** Joins are refused while this many players are connected to the process; 0 is off. */
  JOIN_MAX_PLAYERS: int(0),

  /** Seconds a dropped player may take to reconnect and resume the stream. */
  RECONNECT_SECONDS: int(20),
  /**
   * Seconds a player has from its seat being reserved to its WebSocket joining. Colyseus' 15 lose
   * joins when a busy process meets a wave of them (BENCHMARKS.md): a slow join beats a lost one.
   */
  SEAT_RESERVATION_SECONDS: int(30),
  /** Replies per room kept for resuming players: a reconnect window rarely spans more. */
  RESUME_REPLIES_KEPT: int(8),

  /** Chat rate per player: a burst of 5, then one a second; a fast typist never meets it. */
  CHAT_BURST: positiveInt(5),
  CHAT_PER_SECOND: z.coerce.number().positive().default(1),
  /** Action rate per player: games send commands faster than people type. */
  ACTION_BURST: positiveInt(20),
  ACTION_PER_SECOND: z.coerce.number().positive().default(10),
  /** Messages a second past which a client is a flood and is disconnected. */
  FLOOD_MESSAGES_PER_SECOND: positiveInt(60),

  /** Rounds of tool calls in one reply: act, speak of it, perhaps act again; more is a model in a loop. 0 turns abilities off. */
  TOOL_ROUNDS_MAX: int(3),
  /** Abilities one player's chats may set off in a minute: a generous conversation, not a vending machine. */
  ABILITY_USES_PER_MINUTE: int(10),
});

export type Config = Readonly<{
  env: "development" | "production" | "test";
  port: number;
  host: string;
  publicAddress: string | undefined;
  logLevel: z.infer<typeof Env>["LOG_LEVEL"];
  authSecret: string | undefined;
  tokenMaxLifetimeSeconds: number;
  model: Readonly<{
    apiKey: string | undefined;
    baseUrl: string | undefined;
    name: string;
    temperature: number;
    maxTokens: number;
    client: "direct" | "langchain";
    http2: boolean;
    /** Deadlines of a streaming reply: to its first token (connecting included), and between tokens after it. */
    firstTokenTimeoutMs: number;
    idleTimeoutMs: number;
    /** Longest `Retry-After` of a busy endpoint waited for before the first token. */
    retryAfterMaxMs: number;
    /** Admission control of model requests in this process (max 0: none). */
    admission: Readonly<{ max: number; queueMax: number; waitMs: number }>;
    /** No key and no endpoint: the offline character model answers. */
    offline: boolean;
    offlineTokenMs: number;
  }>;
  charactersDir: string;
  gameActionsDir: string | undefined;
  chatMaxChars: number;
  chunkIntervalMs: number;
  replyQueueLimit: number;
  contextWindowMessages: number;
  /** Rolling summaries (maxChars 0: off). */
  summary: Readonly<{ maxChars: number; batchMessages: number; timeoutMs: number }>;
  redisUrl: string | undefined;
  mongodbUrl: string | undefined;
  databaseUrl: string | undefined;
  dataDir: string;
  memory: Readonly<{ timeoutMs: number; recallLimit: number; embeddings: "local" | "openai"; embeddingModel: string; embeddingEncoding: "base64" | "float"; dimensions: number; vectorIndex: VectorIndex }>;
  /** Longest a reply's end waits for its turn to reach the spool file. */
  turnEndSyncMs: number;
  shutdownDeadlineMs: number;

  /** Memory embedder: `EMBEDDINGS` was given (a server without embeddings then refuses the start instead of falling back). */
  embeddingsExplicit: boolean;

  monitor: Readonly<{ user: string; password: string | undefined }>;
  /** Serve the browser demo (client-demo/dist) at `/`. */
  demo: boolean;
  moderation: Readonly<{ blocklistPath: string | undefined; holdBack: boolean }>;
  reconnectSeconds: number;
  /** Admission control of joins (0: off). */
  joinLimits: Readonly<{ maxEventLoopDelayMs: number; maxPlayers: number }>;
  seatReservationSeconds: number;
  resumeRepliesKept: number;
  rateLimits: Readonly<{
    chat: Readonly<{ burst: number; perSecond: number }>;
    action: Readonly<{ burst: number; perSecond: number }>;
    floodMessagesPerSecond: number;
  }>;
  abilities: Readonly<{ toolRoundsMax: number; usesPerMinute: number }>;
}>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const [first, ...rest] = parsed.error.issues.map((i) => {
      const name = i.path.join(".");
      return { name, problem: `${JSON.stringify(env[name] ?? "")} ${i.message.replace(/^Invalid input: /, "")}` };
    });
    const more = rest.map((r) => `; ${r.name}: ${r.problem}`).join("");
    throw new StartupError(first!.name, `${first!.problem}${more}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === "production" && !e.AUTH_SECRET) {
    throw new StartupError("AUTH_SECRET", "required when NODE_ENV=production",
      "set it to the secret your game's backend signs player tokens with (32 random bytes or more)");
  }
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicAddress: e.PUBLIC_ADDRESS,
    logLevel: e.LOG_LEVEL,
    authSecret: e.AUTH_SECRET,
    tokenMaxLifetimeSeconds: e.TOKEN_MAX_LIFETIME_SECONDS,
    model: Object.freeze({
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL,
      name: e.OPENAI_MODEL,
      temperature: e.OPENAI_TEMPERATURE,
      maxTokens: e.OPENAI_MAX_TOKENS,
      client: e.MODEL_CLIENT,
      http2: e.MODEL_HTTP2,
      firstTokenTimeoutMs: e.MODEL_FIRST_TOKEN_TIMEOUT_MS,
      idleTimeoutMs: e.MODEL_IDLE_TIMEOUT_MS,
      retryAfterMaxMs: e.MODEL_RETRY_AFTER_MAX_MS,
      admission: Object.freeze({ max: e.MODEL_CONCURRENCY_MAX, queueMax: e.MODEL_QUEUE_MAX, waitMs: e.MODEL_QUEUE_TIMEOUT_MS }),
      offline: !e.OPENAI_API_KEY && !e.OPENAI_BASE_URL,
      offlineTokenMs: e.OFFLINE_MODEL_TOKEN_MS,
    }),
    charactersDir: e.CHARACTERS_DIR,
    gameActionsDir: e.GAME_ACTIONS_DIR,
    chatMaxChars: e.CHAT_MAX_CHARS,
    chunkIntervalMs: e.CHUNK_INTERVAL_MS,
    replyQueueLimit: e.REPLY_QUEUE_LIMIT,
    contextWindowMessages: e.CONTEXT_WINDOW_MESSAGES,
    summary: Object.freeze({ maxChars: e.SUMMARY_MAX_CHARS, batchMessages: e.SUMMARY_BATCH_MESSAGES, timeoutMs: e.SUMMARY_TIMEOUT_MS }),
    redisUrl: e.REDIS_URL,
    mongodbUrl: e.MONGODB_URL,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    memory: Object.freeze({
      timeoutMs: e.MEMORY_TIMEOUT_MS,
      recallLimit: e.MEMORY_RECALL_LIMIT,
      embeddings: e.EMBEDDINGS ?? (!e.OPENAI_API_KEY && !e.OPENAI_BASE_URL ? "local" : "openai"),
      embeddingModel: e.EMBEDDING_MODEL,
      embeddingEncoding: e.EMBEDDING_ENCODING,
      dimensions: e.EMBEDDING_DIMENSIONS,
      vectorIndex: e.MEMORY_VECTOR_INDEX,
    }),
    turnEndSyncMs: e.TURN_END_SYNC_MS,
    shutdownDeadlineMs: e.SHUTDOWN_DEADLINE_MS,

    // Memory embedder (see embedder-choice.ts).
    embeddingsExplicit: e.EMBEDDINGS !== undefined,

    monitor: Object.freeze({ user: e.MONITOR_USER, password: e.MONITOR_PASSWORD }),
    demo: e.DEMO === undefined ? e.NODE_ENV !== "production" : ["true", "1", "yes", "on"].includes(e.DEMO),
    moderation: Object.freeze({
      blocklistPath: e.MODERATION_BLOCKLIST === "off" ? undefined : e.MODERATION_BLOCKLIST,
      holdBack: e.MODERATION_HOLDBACK,
    }),
    reconnectSeconds: e.RECONNECT_SECONDS,
    joinLimits: Object.freeze({ maxEventLoopDelayMs: e.JOIN_MAX_EVENT_LOOP_DELAY_MS, maxPlayers: e.JOIN_MAX_PLAYERS }),
    seatReservationSeconds: e.SEAT_RESERVATION_SECONDS,
    resumeRepliesKept: e.RESUME_REPLIES_KEPT,
    rateLimits: Object.freeze({
      chat: Object.freeze({ burst: e.CHAT_BURST, perSecond: e.CHAT_PER_SECOND }),
      action: Object.freeze({ burst: e.ACTION_BURST, perSecond: e.ACTION_PER_SECOND }),
      floodMessagesPerSecond: e.FLOOD_MESSAGES_PER_SECOND,
    }),
    abilities: Object.freeze({ toolRoundsMax: e.TOOL_ROUNDS_MAX, usesPerMinute: e.ABILITY_USES_PER_MINUTE }),
  });
}
