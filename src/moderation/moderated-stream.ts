/**
 * Filters one streaming reply: passes text through as it arrives and stops the stream at the
 * first blocked term. With hold-back, text that could still be the start of a blocked term is
 * kept back until the next chunk shows what it becomes, so no part of a blocked term is shown.
 */
import type { BlocklistMatcher, Hit } from "./matcher.ts";

export interface ModeratedStreamOptions {
  matcher: BlocklistMatcher;
  /** Keep back the trailing partial match; off = release at once and report hits afterwards. */
  holdBack: boolean;
}

export interface ModeratedPush {
  /** Text to show now (original characters, never folded). */
  release: string;
  /** Set when the stream is blocked; nothing more will be released. */
  hit: Hit | null;
}

export interface ModeratedStream {
  push(chunk: string): ModeratedPush;
  /** At the normal end of the reply: everything still held back (nothing once blocked). */
  flush(): string;
  /**
   * Gives up the hold on what is kept back now, and returns it. The scanner still knows the
   * partial match, so if the next text completes a blocked term the stream is blocked as usual.
   */
  releaseHeld(): string;
  /** The hit that blocked the stream, if any. */
  readonly blocked: Hit | null;
  /** Characters currently kept back. */
  readonly heldLength: number;
}

export function createModeratedStream(options: ModeratedStreamOptions): ModeratedStream {
  const { matcher, holdBack } = options;
  const scanner = matcher.scanner();
  let held = "";
  let flushed = false;

  return {
    push(chunk: string): ModeratedPush {
      if (flushed) throw new Error("moderated stream already flushed");
      const { hit, pendingLength } = scanner.push(chunk);
      if (hit) {
        held = "";
        return { release: "", hit };
      }
      if (!holdBack) return { release: chunk, hit: null };
      // Why the held tail is enough: an occurrence completing in a later chunk that began earlier
      // has its already-seen part as a suffix that is a proper term prefix, so it is no longer
      // than the automaton depth (pendingLength); it therefore starts inside the held tail.
      const text = held + chunk;
      // After releaseHeld the partial match may reach back before the held tail: hold all of the new text.
      let cut = Math.max(0, text.length - pendingLength);
      // Never end a release on half of a surrogate pair; the other half follows with the tail.
      if (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
      held = text.slice(cut);
      return { release: text.slice(0, cut), hit: null };
    },

    flush(): string {
      flushed = true;
      const rest = scanner.hit ? "" : held;
      held = "";
      return rest;
    },

    releaseHeld(): string {
      const text = held;
      held = "";
      return text;
    },

    get blocked(): Hit | null {
      return scanner.hit;
    },

    get heldLength(): number {
      return held.length;
    },
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
