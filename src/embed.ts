/**
 * Parley inside a game's own Colyseus server: build the services once, then put Parley's room next
 * to the game's rooms.
 *
 * ```ts
 * import { defineRoom, defineServer } from "@colyseus/core";
 * import { createParley, ROOM_NAME } from "parley/src/embed.ts";
 * const parley = await createParley();            // reads the same environment as `npm start`
 * const server = defineServer({ rooms: { lobby: defineRoom(LobbyRoom), [ROOM_NAME]: parley.room } });
 * server.onShutdown(() => parley.close());
 * ```
 * What `npm start` adds around the room (the frame-flood guard, the reconnection-token owner check
 * on the transport, /metrics, /readyz, the dev-token route) is the host server's to choose.
 */
import { defineRoom } from "@colyseus/core";
import { roomServicesOf } from "./app.ts";
import { loadConfig, type Config } from "./config.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createAiCharacterRoom } from "./rooms/ai-character-room.ts";
import { createServices, type Services } from "./services.ts";

export { ROOM_NAME } from "./protocol/messages.ts";
export { defineAction } from "./actions/define-action.ts";
export type { ActionDefinition, ActionOutcome, ActionScope, EventSink } from "./actions/define-action.ts";
export { createServices, type Services } from "./services.ts";
export { loadConfig } from "./config.ts";

/** Parley's room, ready for `defineServer({ rooms: { [ROOM_NAME]: parleyRoom(services) } })`. */
export function parleyRoom(services: Services) {
  return defineRoom(createAiCharacterRoom(roomServicesOf(services))).filterBy(["session_id"]);
}

/** Services and room in one call; `close()` once the host server has shut down. */
export async function createParley(config: Config = loadConfig(), log: Logger = createLogger(config.logLevel)) {
  const services = await createServices(config, log);
  return { services, room: parleyRoom(services), close: () => services.close() };
}
