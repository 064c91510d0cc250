// Test-side helpers for talking to the simulator with plain fetch.

export interface SseEvents {
  /** Parsed JSON payloads in order. */
  chunks: Array<Record<string, unknown>>;
  /** Raw `data:` payloads in order, including the final `[DONE]`. */
  raw: string[];
}

export function parseSse(text: string): SseEvents {
  const raw: string[] = [];
  for (const block of text.split("\n\n")) {
    if (block.trim() === "") continue;
    if (!block.startsWith("data: ")) throw new Error(`unexpected SSE block: ${JSON.stringify(block)}`);
    raw.push(block.slice("data: ".length));
  }
  const chunks = raw.filter((data) => data !== "[DONE]").map((data) => JSON.parse(data) as Record<string, unknown>);
  return { chunks, raw };
}

export function postJson(url: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
}

export interface ChunkChoice {
  index: number;
  delta: { role?: string; content?: string };
  finish_reason: string | null;
}

export function choicesOf(chunk: Record<string, unknown>): ChunkChoice[] {
  return chunk.choices as ChunkChoice[];
}
