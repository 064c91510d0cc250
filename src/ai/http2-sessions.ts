/**
 * A small pool of HTTP/2 connections to one origin: requests go to a connection with room for
 * another stream (the server's SETTINGS_MAX_CONCURRENT_STREAMS), and a new connection opens when
 * all are full. A connection that fails or is told to go away takes no new streams.
 */
import { connect, type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from "node:http2";

/**
 * Streams per connection, at most: what servers commonly allow (RFC 9113 recommends at least 100),
 * and what we assume before a server's SETTINGS arrive. Node's own server failed with a protocol
 * error past a few hundred streams on one connection, so more connections are opened instead.
 */
const MAX_STREAMS_PER_SESSION = 100;
const STREAM_WINDOW_BYTES = 1 << 20;
const SESSION_WINDOW_BYTES = 64 << 20;

export class Http2Sessions {
  readonly #origin: string;
  readonly #open: ClientHttp2Session[] = [];
  readonly #streams = new WeakMap<ClientHttp2Session, number>();

  constructor(origin: string) {
    this.#origin = origin;
  }

  request(headers: OutgoingHttpHeaders, signal: AbortSignal | undefined): ClientHttp2Stream {
    const session = this.#withRoom();
    const active = (this.#streams.get(session) ?? 0) + 1;
    this.#streams.set(session, active);
    if (active === 1) session.ref();
    const stream = session.request(headers, signal ? { signal } : {});
    stream.once("close", () => {
      const left = (this.#streams.get(session) ?? 1) - 1;
      this.#streams.set(session, left);
      // An idle connection must not keep the process alive; one with streams in flight must.
      if (left === 0 && !session.destroyed) session.unref();
    });
    return stream;
  }

  close(): void {
    for (const session of this.#open.splice(0)) session.close();
  }

  #withRoom(): ClientHttp2Session {
    for (const session of this.#open) {
      const limit = Math.min(session.remoteSettings?.maxConcurrentStreams ?? MAX_STREAMS_PER_SESSION, MAX_STREAMS_PER_SESSION);
      if (!session.closed && !session.destroyed && (this.#streams.get(session) ?? 0) < limit) return session;
    }
    // Hundreds of replies share a connection: Node's default memory cap (10 MB) would end it.
    // Wide flow-control windows: with the defaults (64 KB for the whole connection) a busy moment
    // in Parley held back every stream's tokens, and new replies' first tokens waited behind them.
    const session = connect(this.#origin, { maxSessionMemory: 256, settings: { initialWindowSize: STREAM_WINDOW_BYTES } });
    session.once("connect", () => session.setLocalWindowSize(SESSION_WINDOW_BYTES));
    const retire = (): void => {
      const i = this.#open.indexOf(session);
      if (i >= 0) this.#open.splice(i, 1);
    };
    // Errors reach the streams that were on it; the pool only stops using the connection.
    session.on("error", retire);
    session.on("goaway", retire);
    session.on("close", retire);
    this.#open.push(session);
    return session;
  }
}
