import type { z } from "zod";

/** A zod failure as one short sentence a client developer can act on. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.slice(0, 3).map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}
