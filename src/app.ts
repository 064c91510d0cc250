/** The Colyseus server: rooms, transport and HTTP routes. Built from services; listens nowhere. */
import { defineRoom, defineServer } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";
import express from "express";
import { ROOM_NAME } from "./protocol/messages.ts";
import { createAiCharacterRoom } from "./rooms/ai-character-room.ts";
import type { Services } from "./services.ts";
import { devTokenRoute } from "./http/dev-token-route.ts";

/** Room messages other than chat are small; this leaves room for msgpack framing and action params. */
const FRAME_OVERHEAD_BYTES = 2048;

export function createServer(services: Services) {
  const { config } = services;
  const AiCharacterRoom = createAiCharacterRoom({
    catalog: services.catalog,
    tokens: services.tokens,
    model: services.model,
    context: services.context,
    actions: services.actions,
    log: services.log,
    moderation: services.moderation,
    reconnectSeconds: config.reconnectSeconds,
    resumeRepliesKept: config.resumeRepliesKept,
    rateLimits: config.rateLimits,
    onTurnEnd: services.turnEnded,
    onChatReceived: services.chatReceived,
    onAction: services.actionTaken,
    recallMemories: services.recallMemories,
    memoryTimeoutMs: config.memory.timeoutMs,
    limits: {
      chatMaxChars: config.chatMaxChars,
      replyQueueLimit: config.replyQueueLimit,
      contextWindowMessages: config.contextWindowMessages,
    },
  });

  return defineServer({
    greet: false,
    publicAddress: config.publicAddress,
    // A UTF-16 code unit is at most 3 bytes of UTF-8: the longest allowed chat always fits a frame.
    transport: new WebSocketTransport({ maxPayload: Math.max(4096, config.chatMaxChars * 3 + FRAME_OVERHEAD_BYTES) }),
    rooms: {
      [ROOM_NAME]: defineRoom(AiCharacterRoom).filterBy(["session_id"]),
    },
    express: (app) => {
      app.get("/healthz", (_req, res) => { res.json({ ok: true }); });
      if (services.devTokens) app.post("/auth/dev-token", express.json({ limit: "4kb" }), devTokenRoute(services.tokens));
    },
  });
}
