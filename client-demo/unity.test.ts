/**
 * The Unity client files stay in step with the server: the state classes are what schema-codegen
 * makes of src/state/room-state.ts today, the protocol classes have the fields of
 * src/protocol/messages.ts, and everything compiles (mono's mcs, against a stub of the SDK and engine).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { z } from "zod";
import * as protocol from "../src/protocol/messages.ts";

const UNITY = "client-demo/unity";
const STATE_DIR = `${UNITY}/Assets/Parley/State`;
const PROTOCOL_CS = readFileSync(`${UNITY}/Assets/Parley/Protocol/ParleyProtocol.cs`, "utf8");
const MCS = "/usr/bin/mcs";

function csFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".cs")).map((f) => join(dir, f));
}

/** The public fields of each C# class in the protocol file. */
function csClasses(source: string): Map<string, string[]> {
  const classes = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of source.split("\n")) {
    const declared = /public (static )?class (\w+)/.exec(line);
    if (declared) classes.set(declared[2]!, (current = []));
    const field = /^\s*public (?!static|const|class)[\w<>,. ]+? @?(\w+);/.exec(line);
    if (field && current) current.push(field[1]!);
  }
  return classes;
}

/** The fields of each server message interface in messages.ts. */
function tsInterfaces(source: string): Map<string, string[]> {
  const interfaces = new Map<string, string[]>();
  for (const [, name, body] of source.matchAll(/export interface (\w+) \{([^}]*)\}/g)) {
    interfaces.set(name!, [...body!.matchAll(/^\s*(\w+)\??:/gm)].map((m) => m[1]!));
  }
  return interfaces;
}

test("the C# state classes are what schema-codegen makes of room-state.ts now (npm run codegen)", () => {
  const out = mkdtempSync(join(tmpdir(), "parley-codegen-"));
  try {
    execFileSync("node_modules/.bin/schema-codegen", ["src/state/room-state.ts", "--csharp", "--namespace", "Parley.State", "--output", out], { stdio: "ignore" });
    const fresh = readdirSync(out).sort();
    assert.deepEqual(readdirSync(STATE_DIR).sort(), fresh, "the same classes: run npm run codegen");
    for (const file of fresh) {
      assert.equal(readFileSync(join(STATE_DIR, file), "utf8"), readFileSync(join(out, file), "utf8"), `${file} is stale: run npm run codegen`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("each C# protocol class has exactly the fields of its message in messages.ts", () => {
  const cs = csClasses(PROTOCOL_CS);
  const clientSchemas: Record<string, z.ZodObject> = {
    JoinOptions: protocol.JoinOptions,
    ChatMessage: protocol.chatMessage(protocol.DEFAULT_CHAT_MAX_CHARS),
    ActionMessage: protocol.ActionMessage,
    StopMessage: protocol.StopMessage,
    ResumeMessage: protocol.ResumeMessage,
    CancelMessage: protocol.CancelMessage,
  };
  for (const [name, schema] of Object.entries(clientSchemas)) {
    assert.deepEqual(cs.get(name)?.sort(), Object.keys(schema.shape).sort(), `C# ${name}`);
  }
  const server = tsInterfaces(readFileSync("src/protocol/messages.ts", "utf8"));
  assert.ok(server.size >= 7, "the server messages were found");
  server.delete("ServerMessages"); // the map of message names, checked below
  for (const [name, fields] of server) assert.deepEqual(cs.get(name)?.sort(), [...fields].sort(), `C# ${name}`);
  const names = [
    protocol.ROOM_NAME, ...Object.values(protocol.ClientMessageType), ...protocol.AI_STATUSES, ...protocol.END_REASONS,
    ...Object.values(protocol.ERROR_CODES), "ai_status", "ai_chunk", "ai_end", "ai_retract", "game_event", "error",
  ];
  for (const value of names) assert.ok(PROTOCOL_CS.includes(`"${value}"`), `"${value}" is in ParleyProtocol.cs`);
});

test("the Unity client compiles against the SDK's and engine's signatures", () => {
  assert.ok(existsSync(MCS), `${MCS} not found: run \`npm run setup\` (as root), which installs Debian's mono-mcs`);
  const out = mkdtempSync(join(tmpdir(), "parley-unity-"));
  try {
    execFileSync(MCS, ["-target:library", "-warnaserror+", "-nowarn:67", `-out:${join(out, "Parley.dll")}`, "-r:System.Core", ...csFiles(UNITY)], { encoding: "utf8" });
  } catch (err) {
    assert.fail(`mcs failed:\n${(err as { stdout?: string }).stdout ?? String(err)}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
