/**
 * `echo`, `true` and `false`: the shell's builtins (they also run as programs in a
 * pipeline's child, as `/bin/echo` would).
 *
 * @module
 */

import type { Command } from './proc.js';

const ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

const encoder = new TextEncoder();

/**
 * The bytes of `echo -e`'s argument with its backslash escapes interpreted (`\xHH` and
 * `\0NNN` give raw bytes), and whether `\c` asked to stop output there.
 */
function interpretEscapes(s: string): { bytes: number[]; stop: boolean } {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      bytes.push(...encoder.encode(c));
      continue;
    }
    const n = s[++i]!;
    if (n === 'c') return { bytes, stop: true };
    if (ESCAPES[n] !== undefined) {
      bytes.push(ESCAPES[n].charCodeAt(0));
    } else if (n === '0') {
      const digits = /^[0-7]{0,3}/.exec(s.slice(i + 1))![0];
      bytes.push(Number.parseInt(digits || '0', 8) & 0xff);
      i += digits.length;
    } else if (n === 'x' && /^[0-9a-fA-F]/.test(s.slice(i + 1))) {
      const digits = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 1))![0];
      bytes.push(Number.parseInt(digits, 16));
      i += digits.length;
    } else {
      bytes.push(0x5c, ...encoder.encode(n));
    }
  }
  return { bytes, stop: false };
}

/** `echo [-neE] [string...]`, GNU style: escapes only with `-e`. */
export const echo: Command = async (proc, argv) => {
  let newline = true;
  let escapes = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (!/^-[neE]+$/.test(a)) break;
    for (const f of a.slice(1)) {
      if (f === 'n') newline = false;
      else escapes = f === 'e';
    }
  }
  const text = argv.slice(i).join(' ');
  let bytes = [...encoder.encode(text)];
  if (escapes) {
    const r = interpretEscapes(text);
    bytes = r.bytes;
    if (r.stop) newline = false;
  }
  if (newline) bytes.push(0x0a);
  const n = await proc.out(Uint8Array.from(bytes));
  const f = n < 0 ? n : await proc.flush();
  if (f < 0) {
    await proc.perror('write error', f);
    return 1;
  }
  return 0;
};

export const true_: Command = async () => 0;

export const false_: Command = async () => 1;
