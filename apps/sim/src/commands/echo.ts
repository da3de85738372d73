/**
 * The shell's builtins: `echo`, `cd`, `pwd`, `true` and `false` (in a pipeline they run in
 * the pipeline's child, as dash runs them).
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

/** `cd [DIR]` (to `/`, the home of root, without one), with dash's message. */
export const cd: Command = async (proc, argv) => {
  const dir = argv[0] ?? '/';
  if ((await proc.sys.chdir(dir)) < 0) {
    await proc.err(`sh: ${proc.line}: cd: can't cd to ${dir}\n`);
    return 2;
  }
  return 0;
};

/** `pwd`. */
export const pwd: Command = async (proc) => {
  const cwd = await proc.sys.getcwd();
  if (typeof cwd === 'number') {
    await proc.perror('error retrieving current directory', cwd);
    return 1;
  }
  await proc.out(`${cwd}\n`);
  return 0;
};

export const true_: Command = async () => 0;

export const false_: Command = async () => 1;
