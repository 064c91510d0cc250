/**
 * An in-memory MongoDB for tests, spoken to over TCP by the official driver as it speaks to a real
 * server: the handshake (OP_QUERY, then OP_MSG with document sequences), `insert` that stores and
 * refuses duplicate `_id`s and unique keys with code 11000, `find` with equality filters, sort and
 * limit, `createIndexes`, `ping`, `drop`. Anything else is answered `CommandNotFound`, as a server
 * that lacks it would. It is not MongoDB: the live suite (`MONGODB_URL`) is what proves the store
 * on the real server.
 *
 * Faults a test can script: the next reply to a command (`replyNext`), a dropped connection
 * (`dropNext`), and documents a validator refuses (`refuseDocuments`, code 121 per document, the
 * rest stored, as MongoDB's schema validation does).
 */
import { createServer, type Server, type Socket } from "node:net";
import { deserialize, Long, serialize, type Document } from "bson";

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;
const CHECKSUM_PRESENT = 1;
const MAX_WIRE_VERSION = 21;
const DUPLICATE_KEY = 11000;
const DOCUMENT_FAILED_VALIDATION = 121;

interface Collection {
  docs: Map<string, Document>;
  indexes: { name: string; key: Document; unique: boolean }[];
}

type Fault = { kind: "reply"; reply: Document } | { kind: "drop" };

export class WireMongoServer {
  /** Every command except handshakes, in arrival order, with document sequences as arrays. */
  readonly commands: Document[] = [];
  readonly #collections = new Map<string, Collection>();
  readonly #faults = new Map<string, Fault[]>();
  readonly #sockets = new Set<Socket>();
  #refuse: ((doc: Document) => boolean) | undefined;
  #connections = 0;
  private readonly server: Server;

  private constructor(server: Server) {
    this.server = server;
    server.on("connection", (socket) => this.#serve(socket));
  }

  static async start(): Promise<WireMongoServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new WireMongoServer(server);
  }

  /** A direct connection that gives up quickly when the server stops answering. */
  get url(): string {
    const { port } = this.server.address() as { port: number };
    return `mongodb://127.0.0.1:${port}/?directConnection=true&serverSelectionTimeoutMS=2000`;
  }

  commandsNamed(name: string): Document[] {
    return this.commands.filter((c) => Object.keys(c)[0] === name);
  }

  /** The documents of `db.collection`, in insertion order. */
  documents(db: string, collection: string): Document[] {
    return [...(this.#collections.get(`${db}.${collection}`)?.docs.values() ?? [])];
  }

  indexes(db: string, collection: string): { name: string; key: Document; unique: boolean }[] {
    return [...(this.#collections.get(`${db}.${collection}`)?.indexes ?? [])];
  }

  /** The next command `name` is answered with `reply` and not carried out. */
  replyNext(name: string, reply: Document): void {
    this.#queueFault(name, { kind: "reply", reply });
  }

  /** The next command `name` closes its connection without a reply. */
  dropNext(name: string): void {
    this.#queueFault(name, { kind: "drop" });
  }

  /** Inserted documents for which `refused` is true fail validation (code 121); `undefined` lifts it. */
  refuseDocuments(refused: ((doc: Document) => boolean) | undefined): void {
    this.#refuse = refused;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #queueFault(name: string, fault: Fault): void {
    const queue = this.#faults.get(name) ?? [];
    queue.push(fault);
    this.#faults.set(name, queue);
  }

  #serve(socket: Socket): void {
    this.#sockets.add(socket);
    const connectionId = ++this.#connections;
    let pending = Buffer.alloc(0);
    socket.on("close", () => this.#sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
        const length = pending.readInt32LE(0);
        const message = pending.subarray(0, length);
        pending = pending.subarray(length);
        try {
          this.#handle(socket, message, connectionId);
        } catch (err) {
          // A message this server cannot read ends its connection, as a real server's would.
          socket.destroy(err as Error);
          return;
        }
      }
    });
  }

  #handle(socket: Socket, message: Buffer, connectionId: number): void {
    const requestId = message.readInt32LE(4);
    const opCode = message.readInt32LE(12);
    if (opCode === OP_QUERY) {
      // Only the first handshake comes this way: flags, collection name, skip, return, query.
      const nameEnd = message.indexOf(0, 20);
      const query = deserialize(message.subarray(nameEnd + 9));
      if (!isHandshake(query)) throw new Error("OP_QUERY carries only the handshake here");
      socket.write(opReply(requestId, this.#hello(connectionId)));
      return;
    }
    if (opCode !== OP_MSG) throw new Error(`opcode ${opCode} is not spoken here`);
    const command = readOpMsg(message);
    const name = Object.keys(command)[0] ?? "";
    if (isHandshake(command)) {
      socket.write(opMsg(requestId, this.#hello(connectionId)));
      return;
    }
    this.commands.push(command);
    const fault = this.#faults.get(name)?.shift();
    if (fault?.kind === "drop") {
      socket.destroy();
      return;
    }
    socket.write(opMsg(requestId, fault?.kind === "reply" ? fault.reply : this.#run(name, command)));
  }

  #hello(connectionId: number): Document {
    return {
      helloOk: true, ismaster: true, isWritablePrimary: true, maxBsonObjectSize: 16 * 1024 * 1024,
      maxMessageSizeBytes: 48_000_000, maxWriteBatchSize: 100_000, localTime: new Date(), connectionId,
      minWireVersion: 0, maxWireVersion: MAX_WIRE_VERSION, readOnly: false, ok: 1,
    };
  }

  #collection(db: string, name: string): Collection {
    const ns = `${db}.${name}`;
    let found = this.#collections.get(ns);
    if (!found) {
      found = { docs: new Map(), indexes: [{ name: "_id_", key: { _id: 1 }, unique: true }] };
      this.#collections.set(ns, found);
    }
    return found;
  }

  #run(name: string, command: Document): Document {
    const db = String(command.$db ?? "test");
    switch (name) {
      case "ping":
      case "endSessions":
      case "killCursors":
        return { ok: 1 };
      case "insert":
        return this.#insert(this.#collection(db, String(command.insert)), command.documents as Document[], command.ordered !== false);
      case "find":
        return this.#find(db, command);
      case "createIndexes": {
        const collection = this.#collection(db, String(command.createIndexes));
        const before = collection.indexes.length;
        for (const spec of command.indexes as Document[]) {
          if (!collection.indexes.some((i) => i.name === spec.name)) {
            collection.indexes.push({ name: String(spec.name), key: spec.key as Document, unique: spec.unique === true });
          }
        }
        return { numIndexesBefore: before, numIndexesAfter: collection.indexes.length, ok: 1 };
      }
      case "drop":
        this.#collections.delete(`${db}.${String(command.drop)}`);
        return { ok: 1 };
      case "dropDatabase":
        for (const ns of [...this.#collections.keys()]) if (ns.startsWith(`${db}.`)) this.#collections.delete(ns);
        return { ok: 1 };
      default:
        return { ok: 0, errmsg: `no such command: '${name}'`, code: 59, codeName: "CommandNotFound" };
    }
  }

  #insert(collection: Collection, documents: Document[], ordered: boolean): Document {
    const writeErrors: Document[] = [];
    let n = 0;
    for (const [index, doc] of documents.entries()) {
      const refusal = this.#refuse?.(doc)
        ? { code: DOCUMENT_FAILED_VALIDATION, errmsg: "Document failed validation" }
        : duplicateOf(collection, doc);
      if (refusal) {
        writeErrors.push({ index, ...refusal });
        if (ordered) break;
        continue;
      }
      collection.docs.set(keyOf(doc._id), doc);
      n += 1;
    }
    return writeErrors.length > 0 ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
  }

  #find(db: string, command: Document): Document {
    const name = String(command.find);
    const filter = (command.filter ?? {}) as Document;
    for (const key of Object.keys(filter)) {
      if (key.startsWith("$") || isOperatorObject(filter[key])) {
        return { ok: 0, errmsg: `this test server matches on equality only (got ${key})`, code: 2, codeName: "BadValue" };
      }
    }
    let docs = this.documents(db, name).filter((doc) => Object.entries(filter).every(([k, v]) => keyOf(doc[k]) === keyOf(v)));
    const sort = Object.entries((command.sort ?? {}) as Record<string, number>);
    if (sort.length > 0) {
      docs = docs.sort((a, b) => {
        for (const [field, direction] of sort) {
          const order = compare(a[field], b[field]);
          if (order !== 0) return order * (direction < 0 ? -1 : 1);
        }
        return 0;
      });
    }
    const limit = Math.abs(Number(command.limit ?? 0));
    if (limit > 0) docs = docs.slice(0, limit);
    return { cursor: { id: Long.ZERO, ns: `${db}.${name}`, firstBatch: docs }, ok: 1 };
  }
}

function isHandshake(command: Document): boolean {
  return /^(hello|ismaster|isMaster)$/.test(Object.keys(command)[0] ?? "");
}

function duplicateOf(collection: Collection, doc: Document): { code: number; errmsg: string } | undefined {
  for (const index of collection.indexes) {
    if (!index.unique) continue;
    const fields = Object.keys(index.key);
    const key = keyOf(fields.map((f) => doc[f]));
    const taken = index.name === "_id_"
      ? collection.docs.has(keyOf(doc._id))
      : [...collection.docs.values()].some((other) => keyOf(fields.map((f) => other[f])) === key);
    if (taken) {
      return { code: DUPLICATE_KEY, errmsg: `E11000 duplicate key error collection index: ${index.name} dup key: ${key}` };
    }
  }
  return undefined;
}

function keyOf(value: unknown): string {
  return JSON.stringify(value instanceof Date ? { $date: value.getTime() } : value);
}

function isOperatorObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !(value instanceof Date) && !Array.isArray(value)
    && Object.keys(value).some((k) => k.startsWith("$"));
}

/** Order of two field values: dates by time, the rest (numbers, strings) as JavaScript orders them. */
function compare(a: unknown, b: unknown): number {
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  if (x === y) return 0;
  return (x as number) < (y as number) ? -1 : 1;
}

/** An OP_MSG's body, with each document sequence (section kind 1) set as an array under its name. */
function readOpMsg(message: Buffer): Document {
  const flags = message.readUInt32LE(16);
  const end = message.length - (flags & CHECKSUM_PRESENT ? 4 : 0);
  let at = 20;
  let body: Document | undefined;
  const sequences: Record<string, Document[]> = {};
  while (at < end) {
    const kind = message[at]!;
    at += 1;
    if (kind === 0) {
      const size = message.readInt32LE(at);
      body = deserialize(message.subarray(at, at + size));
      at += size;
    } else if (kind === 1) {
      const size = message.readInt32LE(at);
      const sectionEnd = at + size;
      const nameEnd = message.indexOf(0, at + 4);
      const name = message.toString("utf8", at + 4, nameEnd);
      const docs: Document[] = [];
      for (let doc = nameEnd + 1; doc < sectionEnd;) {
        const docSize = message.readInt32LE(doc);
        docs.push(deserialize(message.subarray(doc, doc + docSize)));
        doc += docSize;
      }
      sequences[name] = docs;
      at = sectionEnd;
    } else {
      throw new Error(`OP_MSG section kind ${kind} is not spoken here`);
    }
  }
  if (!body) throw new Error("OP_MSG without a body");
  return { ...body, ...sequences };
}

function header(length: number, responseTo: number, opCode: number): Buffer {
  const head = Buffer.alloc(16);
  head.writeInt32LE(length, 0);
  head.writeInt32LE(0, 4);
  head.writeInt32LE(responseTo, 8);
  head.writeInt32LE(opCode, 12);
  return head;
}

function opMsg(responseTo: number, doc: Document): Buffer {
  const body = serialize(doc);
  const flagsAndKind = Buffer.from([0, 0, 0, 0, 0]);
  return Buffer.concat([header(16 + 5 + body.length, responseTo, OP_MSG), flagsAndKind, body]);
}

function opReply(responseTo: number, doc: Document): Buffer {
  const body = serialize(doc);
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(0, 0); // responseFlags
  fields.writeBigInt64LE(0n, 4); // cursorID
  fields.writeInt32LE(0, 12); // startingFrom
  fields.writeInt32LE(1, 16); // numberReturned
  return Buffer.concat([header(16 + 20 + body.length, responseTo, OP_REPLY), fields, body]);
}
