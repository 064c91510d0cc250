/**
 * Headless bot process for the benchmark: runs a fleet of bot sessions (the same bot code the
 * `@colyseus/loadtest` script uses) without the terminal UI, writing samples to a JSON-lines file.
 * Started by bench.ts with `fork`; it takes its configuration as JSON in PARLEY_BOT_CONFIG (kept
 * out of argv, which other users of the machine can read) and stops on the "stop" IPC message.
 */
import type { BotSample } from "./bot-samples.ts";
import { startFleet } from "./bot-fleet.ts";
import { botTokenSigner } from "./bot-token.ts";
import { openJsonlWriter } from "./jsonl-writer.ts";
import type { FleetOptions, FleetStats } from "./bot-fleet.ts";

/** A fleet's options as JSON: the secret to sign with instead of a signer, a file instead of a sink. */
export type BotDriverConfig = Omit<FleetOptions, "endpoints" | "sign" | "sink" | "random"> & {
  endpoints: string[];
  authSecret: string;
  out: string;
};

export type BotDriverReport =
  | ({ type: "joined" } & FleetStats)
  | ({ type: "stopped" } & FleetStats);

const rawConfig = process.env.PARLEY_BOT_CONFIG;
if (!rawConfig) throw new Error("bot-driver needs PARLEY_BOT_CONFIG (JSON)");
const config = JSON.parse(rawConfig) as BotDriverConfig;

// The SDK logs every failed join and dropped room; the samples record them, and thousands of
// lines would bury the benchmark's output.
console.warn = () => {};
console.error = () => {};

const writer = openJsonlWriter<BotSample>(config.out);
const fleet = startFleet({
  endpoints: config.endpoints,
  firstSession: config.firstSession,
  sessions: config.sessions,
  playersPerSession: config.playersPerSession,
  runId: config.runId,
  characterId: config.characterId,
  chatEveryMs: config.chatEveryMs,
  joinSpreadMs: config.joinSpreadMs,
  sign: botTokenSigner(config.authSecret),
  sink: (sample) => writer.write(sample),
});

const report = (message: BotDriverReport) => process.send?.(message);

void fleet.joined.then(() => report({ type: "joined", ...fleet.stats }));

process.on("message", (message) => {
  if (message !== "stop") return;
  void (async () => {
    await fleet.stop();
    writer.close();
    report({ type: "stopped", ...fleet.stats });
    process.disconnect?.();
    process.exit(0);
  })();
});
// The runner going away must not leave bots connected.
process.on("disconnect", () => process.exit(0));
