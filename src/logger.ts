import { pino, type Logger as PinoLogger } from "pino";

export type Logger = PinoLogger;

/** Structured JSON logs; ids (room, session, reply) ride on child loggers. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: "parley" } });
}
