/**
 * Case and width folding for matching: one UTF-16 code unit in, one out, so offsets in the
 * folded text are offsets in the original and released text can stay untouched.
 */

let table: Uint16Array | undefined;

// A full BMP table (128 KiB) turns the per-character fold into one array read on the hot path.
function foldTable(): Uint16Array {
  if (table) return table;
  const t = new Uint16Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    let f = c;
    if (f >= 0xff01 && f <= 0xff5e) f -= 0xfee0; // full-width ASCII
    else if (f === 0x3000) f = 0x20; // ideographic space
    if (f < 0xd800 || f > 0xdfff) {
      const lower = String.fromCharCode(f).toLowerCase();
      // Characters whose lowercase is longer (e.g. U+0130) keep their form so lengths line up.
      if (lower.length === 1) f = lower.charCodeAt(0);
    }
    t[c] = f;
  }
  table = t;
  return t;
}

/** The folded form of one UTF-16 code unit. */
export function foldCode(code: number): number {
  return foldTable()[code]!;
}

/** The folded form of a string; always the same length as the input. */
export function foldText(text: string): string {
  const t = foldTable();
  let out = "";
  for (let i = 0; i < text.length; i++) out += String.fromCharCode(t[text.charCodeAt(i)]!);
  return out;
}

/** The table itself, for loops that fold character by character. */
export function foldingTable(): Uint16Array {
  return foldTable();
}
