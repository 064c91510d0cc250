import type { ChatLogStore } from "./chat-log.ts";
import { PgChatLogStore } from "./pg-chat-log-store.ts";
import type { SqlClient } from "./sql.ts";

export interface ChatLogStoreConfig {
  /** Set: chat logs go to MongoDB, whatever SQL client is also at hand. */
  mongodbUrl?: string;
  /** Defaults to the database named in the URL. */
  mongodbDbName?: string;
  serverSelectionTimeoutMS?: number;
}

export interface ChatLogStoreDeps {
  /** The PostgreSQL server's pool, or the embedded database, used when no MongoDB URL is set. */
  sql?: SqlClient;
}

export interface OpenedChatLogStore {
  store: ChatLogStore;
  backend: "mongodb" | "postgresql";
}

/** Picks the chat log backend, and readies it (indexes or migration) before returning it. */
export async function openChatLogStore(config: ChatLogStoreConfig, deps: ChatLogStoreDeps): Promise<OpenedChatLogStore> {
  if (config.mongodbUrl) {
    // The MongoDB driver is loaded only for MongoDB.
    const { MongoChatLogStore } = await import("./mongo-chat-log-store.ts");
    const store = await MongoChatLogStore.connect(config.mongodbUrl, {
      dbName: config.mongodbDbName,
      serverSelectionTimeoutMS: config.serverSelectionTimeoutMS,
    });
    return { store, backend: "mongodb" };
  }
  if (deps.sql) {
    const store = new PgChatLogStore(deps.sql);
    await store.migrate();
    return { store, backend: "postgresql" };
  }
  throw new Error("chat logs need a MongoDB URL or a PostgreSQL client (server or embedded)");
}
