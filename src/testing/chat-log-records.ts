import type { ChatLogRecord } from "../store/chat-log.ts";

const BASE_TIME = Date.parse("2025-01-01T12:00:00.000Z");

/** A recognisable record: turn `n` of `sessionId`, one millisecond after turn `n - 1`. */
export function chatRecord(n: number, sessionId = "session-1", overrides: Partial<ChatLogRecord> = {}): ChatLogRecord {
  return {
    id: `${sessionId}-turn-${n}`,
    session_id: sessionId,
    user_id: "player-1",
    character_id: "innkeeper",
    role: n % 2 === 0 ? "ai" : "user",
    content: `turn ${n}`,
    action_type: null,
    created_at: new Date(BASE_TIME + n),
    metadata: n % 2 === 0 ? { model: "offline", tokens: n } : null,
    ...overrides,
  };
}

export function chatRecords(from: number, to: number, sessionId = "session-1"): ChatLogRecord[] {
  const out: ChatLogRecord[] = [];
  for (let n = from; n <= to; n++) out.push(chatRecord(n, sessionId));
  return out;
}
