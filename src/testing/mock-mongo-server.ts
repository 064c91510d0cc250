/**
 * A scripted MongoDB server for tests, built on `mongodb-mock-server`. Each command the driver sends
 * is recorded and answered by the handler registered for its name.
 *
 * Two adaptations make the package usable with the current driver:
 * - its optional snappy compression binding does not load on current Node, and the driver never
 *   negotiates compression here, so `snappy` is replaced by an empty module before loading it;
 * - the handshake reply carries `__nodejs_mock_server__`, which makes the driver speak OP_QUERY
 *   (the only opcode the mock parses) and report a wire version the driver accepts.
 */
import { createRequire } from "node:module";
import type { Socket } from "node:net";

type Doc = Record<string, unknown>;

interface RawRequest {
  document: Doc;
  connection: Socket;
  reply(documents: Doc | Doc[]): void;
}

interface RawServer {
  uri(): string;
  setMessageHandler(handler: (request: RawRequest) => void): void;
  destroy(): Promise<void>;
}

interface MockServerModule {
  createServer(port: number, host: string): Promise<RawServer>;
  DEFAULT_ISMASTER: Doc;
}

interface BsonModule {
  Long: { ZERO: unknown };
}

const require = createRequire(import.meta.url);
const mockPath = require.resolve("mongodb-mock-server");
const requireFromMock = createRequire(mockPath);
const snappyPath = requireFromMock.resolve("snappy");
require.cache[snappyPath] ??= {
  id: snappyPath,
  filename: snappyPath,
  loaded: true,
  exports: {},
} as unknown as NodeJS.Module;
const mock = require(mockPath) as MockServerModule;
const bson = requireFromMock("bson") as BsonModule;

const HANDSHAKE = { ...mock.DEFAULT_ISMASTER, maxWireVersion: 21, minWireVersion: 0 };

export interface MockCommandRequest {
  /** The command as sent, with document sequences flattened back to arrays. */
  command: Doc;
  reply(doc: Doc): void;
  /** Closes the connection the command arrived on, without replying. */
  drop(): void;
}

export type MockCommandHandler = (request: MockCommandRequest) => void;

export class MockMongoServer {
  /** Every command except the handshakes, in arrival order. */
  readonly commands: Doc[] = [];
  private readonly handlers = new Map<string, MockCommandHandler>();

  private readonly server: RawServer;

  private constructor(server: RawServer) {
    this.server = server;
    server.setMessageHandler((request) => this.dispatch(request));
  }

  static async start(): Promise<MockMongoServer> {
    return new MockMongoServer(await mock.createServer(0, "127.0.0.1"));
  }

  /** A URL for a direct connection that gives up quickly when the server stops answering. */
  get url(): string {
    return `mongodb://${this.server.uri()}/?directConnection=true&serverSelectionTimeoutMS=2000`;
  }

  /** Answers the commands named `name` with `handler` from now on. */
  on(name: string, handler: MockCommandHandler): void {
    this.handlers.set(name, handler);
  }

  /** Answers the next command named `name` with `handler`, then goes back to the previous answer. */
  once(name: string, handler: MockCommandHandler): void {
    const previous = this.handlers.get(name);
    this.handlers.set(name, (request) => {
      if (previous) this.handlers.set(name, previous);
      else this.handlers.delete(name);
      handler(request);
    });
  }

  commandsNamed(name: string): Doc[] {
    return this.commands.filter((c) => Object.keys(c)[0] === name);
  }

  async close(): Promise<void> {
    await this.server.destroy();
  }

  private dispatch(raw: RawRequest): void {
    const command = flattenSequences(raw.document);
    const name = Object.keys(command)[0] ?? "";
    if (name === "ismaster" || name === "isMaster" || name === "hello") {
      raw.reply({ ...HANDSHAKE, localTime: new Date() });
      return;
    }
    this.commands.push(command);
    const request: MockCommandRequest = {
      command,
      reply: (doc) => raw.reply(doc),
      drop: () => raw.connection.destroy(),
    };
    const handler = this.handlers.get(name);
    if (handler) handler(request);
    else request.reply({ ok: 1 });
  }
}

/** A `find` reply holding all of `docs` in its first and only batch. */
export function cursorReply(ns: string, docs: Doc[]): Doc {
  return { ok: 1, cursor: { id: bson.Long.ZERO, ns, firstBatch: docs } };
}

/**
 * Over OP_QUERY the driver serializes its internal document-sequence object for bulk writes as a
 * plain sub-document `{ field, documents, ... }`; turn it back into the array the server would see.
 */
function flattenSequences(doc: Doc): Doc {
  const out: Doc = {};
  for (const [key, value] of Object.entries(doc)) {
    const seq = value as { field?: unknown; documents?: unknown } | null;
    const isSequence = typeof value === "object" && seq !== null && seq.field === key && Array.isArray(seq.documents);
    out[key] = isSequence ? seq.documents : value;
  }
  return out;
}
