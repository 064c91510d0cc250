/**
 * Vectors as query parameters for pgvector, in either of its two input forms. Text works with any
 * SQL client; the binary form is what a `pg.Pool` should send: node-pg passes a Buffer as a binary
 * parameter, which pgvector reads without parsing a number per dimension. For a 256-dimension
 * vector that is about a seventh of the client's CPU and a third of the server's (BENCHMARKS.md).
 */

export type VectorEncoding = "text" | "binary";

/** The encoder for `encoding`. A vector shared by a memory and a lookup is encoded once. */
export function vectorParams(encoding: VectorEncoding): (vector: readonly number[]) => string | Buffer {
  return encoding === "binary" ? vectorBinary : vectorLiteral;
}

/**
 * A vector as pgvector's text input, to 7 decimal places: no similarity ranking tells that apart
 * from the float32 an embedding arrives as, and the text is half as long as JSON's 17 digits.
 */
export function vectorLiteral(vector: readonly number[]): string {
  const known = literals.get(vector);
  if (known !== undefined) return known;
  let text = "[";
  for (let i = 0; i < vector.length; i++) {
    if (i > 0) text += ",";
    text += Math.round(vector[i]! * 1e7) / 1e7;
  }
  text += "]";
  literals.set(vector, text);
  return text;
}

/** pgvector's binary input (`vector_recv`): the dimension count, two unused bytes, then big-endian float32s. */
export function vectorBinary(vector: readonly number[]): Buffer {
  const known = binaries.get(vector);
  if (known !== undefined) return known;
  const bytes = Buffer.allocUnsafe(4 + 4 * vector.length);
  bytes.writeUInt16BE(vector.length, 0);
  bytes.writeUInt16BE(0, 2);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatBE(vector[i]!, 4 + 4 * i);
  binaries.set(vector, bytes);
  return bytes;
}

const literals = new WeakMap<readonly number[], string>();
const binaries = new WeakMap<readonly number[], Buffer>();
