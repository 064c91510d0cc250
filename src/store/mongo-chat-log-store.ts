import { MongoBulkWriteError, MongoClient, MongoServerError } from "mongodb";
import type { Collection, Db } from "mongodb";
import type { ChatLogRecord, ChatLogStore } from "./chat-log.ts";
import { processChatLogSeq } from "./chat-log-seq.ts";
import type { ChatLogSeq } from "./chat-log-seq.ts";

export const CHAT_LOGS_COLLECTION = "chat_logs";
const DUPLICATE_KEY = 11000;

/** A `chat_logs` document: the record with `id` stored as `_id`, plus the ordering `seq`. */
export type ChatLogDocument = Omit<ChatLogRecord, "id"> & { _id: string; seq: number };

export interface MongoChatLogStoreOptions {
  /** Set when the store owns the client (see `connect`), so `close` disconnects it. */
  client?: MongoClient;
  seq?: ChatLogSeq;
}

export interface MongoConnectOptions {
  dbName?: string;
  serverSelectionTimeoutMS?: number;
}

/**
 * Chat logs in MongoDB. Build it on a `Db` made once at start-up and call `ensureIndexes`, or let
 * `connect` do both. Appends are unordered inserts keyed by id, so a repeated id is a no-op.
 */
export class MongoChatLogStore implements ChatLogStore {
  private readonly collection: Collection<ChatLogDocument>;
  private readonly client: MongoClient | undefined;
  private readonly seq: ChatLogSeq;

  constructor(db: Db, options: MongoChatLogStoreOptions = {}) {
    this.collection = db.collection<ChatLogDocument>(CHAT_LOGS_COLLECTION);
    this.client = options.client;
    this.seq = options.seq ?? processChatLogSeq;
  }

  /** Connects, creates the indexes and returns a store that closes the client with itself. */
  static async connect(url: string, options: MongoConnectOptions = {}): Promise<MongoChatLogStore> {
    const client = new MongoClient(url, {
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5_000,
    });
    await client.connect();
    try {
      const store = new MongoChatLogStore(client.db(options.dbName), { client });
      await store.ensureIndexes();
      return store;
    } catch (err) {
      await client.close();
      throw err;
    }
  }

  /** Reading a session's tail uses the first index; per-player history uses the second. */
  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([
      { key: { session_id: 1, seq: 1 }, name: "session_id_1_seq_1" },
      { key: { user_id: 1, character_id: 1, created_at: -1 }, name: "user_id_1_character_id_1_created_at_-1" },
    ]);
  }

  async append(records: readonly ChatLogRecord[]): Promise<void> {
    if (records.length === 0) return;
    const docs = records.map((r) => this.toDocument(r));
    try {
      await this.collection.insertMany(docs, { ordered: false });
    } catch (err) {
      if (onlyDuplicateKeys(err)) return;
      throw new Error(`chat_logs: inserting ${docs.length} records failed: ${messageOf(err)}`, { cause: err });
    }
  }

  async recent(sessionId: string, limit: number): Promise<ChatLogRecord[]> {
    if (limit <= 0) return [];
    try {
      const docs = await this.collection
        .find({ session_id: sessionId })
        .sort({ seq: -1 })
        .limit(limit)
        .toArray();
      return docs.reverse().map(fromDocument);
    } catch (err) {
      throw new Error(`chat_logs: reading session ${sessionId} failed: ${messageOf(err)}`, { cause: err });
    }
  }

  async ping(): Promise<void> {
    await this.collection.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client?.close();
  }

  private toDocument({ id, ...fields }: ChatLogRecord): ChatLogDocument {
    return { _id: id, ...fields, seq: this.seq.next(fields.created_at) };
  }
}

function fromDocument({ _id, seq: _seq, ...fields }: ChatLogDocument): ChatLogRecord {
  return { id: _id, ...fields, action_type: fields.action_type ?? null, metadata: fields.metadata ?? null };
}

/**
 * An unordered insert reports every failed document; ids already stored are the idempotent case.
 * A write concern error means the write is not known to be durable, so it is never ignored.
 */
function onlyDuplicateKeys(err: unknown): boolean {
  if (err instanceof MongoBulkWriteError) {
    if (err.result?.getWriteConcernError()) return false;
    const list = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
    return list.length > 0 && list.every((w) => w.code === DUPLICATE_KEY);
  }
  return err instanceof MongoServerError && err.code === DUPLICATE_KEY;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
