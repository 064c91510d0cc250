/** An error as it crosses to another thread or process: its message, and its code when it has one. */
export interface PortableError {
  message: string;
  code?: string;
}

export function portableError(err: unknown): PortableError {
  const e = err as { message?: unknown; code?: unknown } | undefined;
  return { message: typeof e?.message === "string" ? e.message : String(err), ...(typeof e?.code === "string" ? { code: e.code } : {}) };
}
