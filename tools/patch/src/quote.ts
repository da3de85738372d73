/**
 * Git's C-style path quoting. Paths are handled as byte strings (one JS char per byte,
 * `latin1`), so a name that is not valid UTF-8 survives unchanged.
 */

const ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  t: 9,
  n: 10,
  v: 11,
  f: 12,
  r: 13,
  '"': 34,
  '\\': 92,
};

/**
 * Reads a quoted name starting at `s[0] === '"'`; returns the unquoted byte string and the
 * index just past the closing quote, or undefined when the quoting is broken.
 */
export function unquoteC(s: string): { name: string; end: number } | undefined {
  let out = '';
  for (let i = 1; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') return { name: out, end: i + 1 };
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = s[++i];
    if (e === undefined) return undefined;
    if (e >= '0' && e <= '3') {
      const oct = s.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      out += String.fromCharCode(Number.parseInt(oct, 8));
      i += 2;
      continue;
    }
    const code = ESCAPES[e];
    if (code === undefined) return undefined;
    out += String.fromCharCode(code);
  }
  return undefined;
}

/** Quotes a byte-string path as git does with `core.quotePath` on (the default). */
export function quoteC(name: string): string {
  let out = '';
  let needs = false;
  for (let i = 0; i < name.length; i++) {
    const b = name.charCodeAt(i);
    const esc = Object.entries(ESCAPES).find(([, v]) => v === b);
    if (esc && b !== 34 && b !== 92) {
      out += `\\${esc[0]}`;
      needs = true;
    } else if (b === 34 || b === 92) {
      out += `\\${String.fromCharCode(b)}`;
      needs = true;
    } else if (b < 0x20 || b >= 0x7f) {
      out += `\\${b.toString(8).padStart(3, '0')}`;
      needs = true;
    } else {
      out += name[i];
    }
  }
  return needs ? `"${out}"` : name;
}
