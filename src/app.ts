/** The Colyseus server: rooms, transport, presence and HTTP routes. Built from services; listens nowhere. */
import { type AuthContext, defineRoom, defineServer, ServerError } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";
import express from "express";
import { fileURLToPath } from "node:url";
import type { WebSocketServer } from "ws";
import { devTokenRoute } from "./http/dev-token-route.ts";
import { healthzHandler, readyzHandler } from "./ops/health.ts";
import { EventLoopLag, joinRefusal } from "./ops/join-admission.ts";
import { redisOptionsFromUrl } from "./ops/redis-options.ts";
import { monitorAuth, monitorMode } from "./ops/monitor-auth.ts";
import { guardSockets } from "./ops/socket-guard.ts";
import { ROOM_NAME } from "./protocol/messages.ts";
import { createAiCharacterRoom, type RoomServices } from "./rooms/ai-character-room.ts";
import { reconnectionOwnerCheck } from "./rooms/reconnect-owner.ts";
import type { Services } from "./services.ts";

/** Room messages other than chat are small; this leaves room for msgpack framing and action params. */
const FRAME_OVERHEAD_BYTES = 2048;
/** The built browser demo (`npm run build:demo`, also run by `npm ci`). */
export const DEMO_DIR = fileURLToPath(new URL("../client-demo/dist", import.meta.url));
/** Of the shutdown deadline, what is kept for flushing the chat logs and closing the stores. */
const SHUTDOWN_FLUSH_MS = 2000;

/** What Parley's room needs, from the services: also for a game's own server that mounts the room (embed.ts). */
export function roomServicesOf(services: Services): RoomServices {
  const { config, metrics } = services;
  return {
    catalog: services.catalog,
    tokens: services.tokens,
    model: services.model,
    context: services.storage.context,
    actions: services.actions,
    log: services.log,
    moderation: services.moderation,
    summaries: services.summaries,
    turns: services,
    memory: {
      recall: services.recallMemories,
      hurry: services.hurryRecall,
      timeoutMs: config.memory.timeoutMs,
      onLate: () => metrics.countLateRecall(),
    },
    telemetry: {
      error: (code) => metrics.countError(code),
      unexpected: (where) => metrics.countUnexpected(where),
      liveRooms: services.liveRooms,
    },
    settings: {
      limits: {
        chatMaxChars: config.chatMaxChars,
        replyQueueLimit: config.replyQueueLimit,
        contextWindowMessages: config.contextWindowMessages,
      },
      rateLimits: config.rateLimits,
      reconnectSeconds: config.reconnectSeconds,
      seatReservationSeconds: config.seatReservationSeconds,
      resumeRepliesKept: config.resumeRepliesKept,
      chunkIntervalMs: config.chunkIntervalMs,
      shutdownGraceMs: Math.max(0, config.shutdownDeadlineMs - SHUTDOWN_FLUSH_MS),
      abilities: config.abilities,
    },
  };
}

/**
 * Builds the server. Redis scale-out and the monitor are loaded only when configured: a process
 * holds in memory only the packages it uses (bench:idle-rss).
 */
export async function createServer(services: Services) {
  const { config, metrics } = services;
  const AiCharacterRoom = createAiCharacterRoom(roomServicesOf(services));

  // Refused before the token is even verified: a saturated process does the least work it can.
  const lag = config.joinLimits.maxEventLoopDelayMs > 0 ? new EventLoopLag() : undefined;
  const players = () => [...services.liveRooms].reduce((n, r) => n + r.players(), 0);
  const AdmittingRoom = class extends AiCharacterRoom {
    static override async onAuth(token: string, options: Record<string, unknown>, context?: AuthContext) {
      const refusal = joinRefusal(config.joinLimits, { eventLoopDelayMs: () => lag?.recentMaxMs ?? 0, players });
      if (refusal) {
        metrics.countJoinRefused();
        throw new ServerError(503, refusal);
      }
      return super.onAuth(token, options, context);
    }
  };

  const { presence, driver } = config.redisUrl === undefined ? {} : await redisScaleOut(services, config.redisUrl);
  const checks = presence ? { ...services.storage.checks, redis_presence: () => presence.check() } : services.storage.checks;
  const monitorAccess = monitorMode({ password: config.monitor.password, production: config.env === "production" });
  const monitor = monitorAccess === "off" ? undefined : (await import("@colyseus/monitor")).monitor;

  // A UTF-16 code unit is at most 3 bytes of UTF-8: the longest allowed chat always fits a frame.
  const transport = new WebSocketTransport({
    maxPayload: Math.max(4096, config.chatMaxChars * 3 + FRAME_OVERHEAD_BYTES),
    beforeUpgrade: reconnectionOwnerCheck(services.tokens),
  });
  // The transport keeps its ws server protected; the guard must see every socket it accepts.
  guardSockets((transport as unknown as { wss: WebSocketServer }).wss, {
    framesPerSecond: config.rateLimits.floodMessagesPerSecond,
    onFlood(remoteAddress) {
      metrics.countFloodDisconnect();
      services.log.warn({ remote_address: remoteAddress }, "frame flood: disconnecting");
    },
    onListenerError(err, event) {
      metrics.countUnexpected("socket");
      services.log.error({ err, event }, "a socket's event handler threw: the socket is closed");
    },
  });

  const server = defineServer({
    greet: false,
    publicAddress: config.publicAddress,
    // With Redis, rooms and matchmaking span every process that shares it.
    presence,
    driver,
    transport,
    rooms: {
      [ROOM_NAME]: defineRoom(AdmittingRoom).filterBy(["session_id"]),
    },
    express: (app) => {
      app.get("/healthz", healthzHandler());
      app.get("/readyz", readyzHandler(checks));
      app.get("/metrics", async (_req, res) => {
        res.set("content-type", metrics.contentType).send(await metrics.render());
      });
      if (monitor) {
        // The monitor matches its own `/monitor` prefix, so it mounts at the root, behind the guard.
        app.use("/monitor", monitorAuth({ user: config.monitor.user, password: config.monitor.password, production: config.env === "production" }));
        app.use(monitor());
      }
      if (config.demo) app.use(express.static(DEMO_DIR));
      if (services.devTokens) app.post("/auth/dev-token", express.json({ limit: "4kb" }), devTokenRoute(services.tokens));
    },
  });
  server.onShutdown(() => {
    lag?.stop();
    return services.close();
  });
  return server;
}

/** Presence and matchmaking shared through Redis, so rooms span every process that uses it. */
async function redisScaleOut(services: Services, redisUrl: string) {
  const [{ Redis }, { IndexedRedisDriver }, { ResilientRedisPresence }] = await Promise.all([
    import("ioredis"), import("./ops/indexed-redis-driver.ts"), import("./ops/resilient-redis-presence.ts"),
  ]);
  const redis = redisOptionsFromUrl(redisUrl);
  // Every Redis client handles its errors: an outage is logged and reported by /readyz, never fatal.
  const redisDown = (client: string) => (err: Error) => services.log.warn({ err: err.message, client }, "redis connection error");
  const presence = new ResilientRedisPresence(redis, (operation, err) =>
    services.log.warn({ err: err.message, operation }, "redis presence write lost"));
  const index = new Redis(redis);
  index.on("error", redisDown("room-index"));
  const driver = new IndexedRedisDriver(redis, index, { roomName: ROOM_NAME, field: "session_id" }, redisDown("matchmaking"));
  return { presence, driver };
}
