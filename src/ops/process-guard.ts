/**
 * The last line of defence: a throw or a rejected promise that no code expected is logged with
 * its stack and counted (`parley_unexpected_errors_total{where="process"}`) instead of ending the
 * process, so one player's message cannot drop every room the process serves. Every known cause
 * is handled where it arises; this catches the unknown ones, and the metric is what to alert on.
 */
import type { Logger } from "../logger.ts";

export interface ProcessGuardSink {
  log: Pick<Logger, "error">;
  countUnexpected(where: string): void;
}

export function installProcessGuard(sink: ProcessGuardSink, proc: NodeJS.Process = process): () => void {
  const onRejection = (reason: unknown) => {
    sink.countUnexpected("process");
    sink.log.error({ err: reason }, "unhandled promise rejection (the process carries on)");
  };
  const onException = (err: unknown) => {
    sink.countUnexpected("process");
    sink.log.error({ err }, "uncaught exception (the process carries on)");
  };
  proc.on("unhandledRejection", onRejection);
  proc.on("uncaughtException", onException);
  return () => {
    proc.off("unhandledRejection", onRejection);
    proc.off("uncaughtException", onException);
  };
}
