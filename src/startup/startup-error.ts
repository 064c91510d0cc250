import { LATE, orLate } from "../limits/deadline.ts";

/**
 * A start-up failure the operator can fix: one line naming the setting and what to do. index.ts
 * prints it alone and exits 1; anything else thrown at start is a bug and keeps its stack.
 */
export class StartupError extends Error {
  /** The environment variable to look at (`DATABASE_URL`), or what else the fix concerns. */
  readonly setting: string;

  constructor(setting: string, problem: string, fix?: string) {
    super(`${setting}: ${oneLine(problem)}${fix ? `; ${oneLine(fix)}` : ""}`);
    this.name = "StartupError";
    this.setting = setting;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

/** The code of a Node system error (`ECONNREFUSED`, `EACCES`), if it has one. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The shortest useful description of a failure: its code and first line. */
export function describeError(err: unknown): string {
  const code = errorCode(err);
  const message = oneLine(err instanceof Error ? err.message : String(err)).slice(0, 200);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/** `work`, or a StartupError from `explain` when it fails or takes longer than `ms`. */
export async function within<T>(ms: number, work: Promise<T>, explain: (err: unknown) => StartupError): Promise<T> {
  try {
    const result = await orLate(work, ms);
    if (result === LATE) throw Object.assign(new Error(`no answer within ${ms} ms`), { code: "ETIMEDOUT" });
    return result;
  } catch (err) {
    throw err instanceof StartupError ? err : explain(err);
  }
}
