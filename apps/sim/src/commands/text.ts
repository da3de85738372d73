/**
 * The text filters people pipe into: `grep` and `wc`, GNU style.
 *
 * @module
 */

import { strerror } from '../strerror.js';
import { S_IFMT, S_IFREG } from '../sys.js';
import { getopt } from './getopt.js';
import type { Command, Proc } from './proc.js';

const decoder = new TextDecoder();

interface Input {
  name: string;
  data: Uint8Array;
  regular: boolean;
}

/** Reads each operand (or standard input) whole; reports the ones that fail. */
async function readInputs(
  proc: Proc,
  operands: string[],
  report: (path: string, errno: number) => Promise<void>,
): Promise<{ inputs: Input[]; failed: boolean }> {
  const inputs: Input[] = [];
  let failed = false;
  for (const path of operands.length > 0 ? operands : ['-']) {
    const fd = await proc.openInput(path);
    const data = fd < 0 ? fd : await proc.readAll(fd);
    const st = fd < 0 ? fd : await proc.sys.fstat(fd);
    if (fd >= 0) await proc.closeInput(fd);
    if (typeof data === 'number') {
      await report(path, data);
      failed = true;
      continue;
    }
    const regular = typeof st !== 'number' && (st.st_mode & S_IFMT) === S_IFREG;
    inputs.push({ name: path === '-' ? 'standard input' : path, data, regular });
  }
  return { inputs, failed };
}

/** The lines of a file, without their newlines (a last line without one counts). */
function lines(data: Uint8Array): string[] {
  const text = decoder.decode(data);
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}

/**
 * A basic regular expression (POSIX BRE, with GNU's `\|`, `\+`, `\?`) as a JavaScript
 * one: in a BRE `\(` groups and `(` is literal, the other way round in JavaScript.
 */
function breToJs(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      const n = pattern[++i]!;
      out += '(){}|+?'.includes(n) ? n : `\\${n}`;
    } else {
      out += '(){}|+?'.includes(c) ? `\\${c}` : c;
    }
  }
  return out;
}

/** `grep [-EFivcnlqs] PATTERN [FILE]...`: 0 when a line was selected, 1 when none, 2 on error. */
export const grep: Command = async (proc, argv) => {
  const parsed = await getopt(proc, argv, 'EFivcnlqs', 'e');
  if (parsed === undefined) return 2;
  const has = (c: string) => parsed.opts.some(([o]) => o === c);
  const operands = [...parsed.operands];
  const given = parsed.opts.find(([o]) => o === 'e')?.[1];
  const pattern = given ?? operands.shift();
  if (pattern === undefined) {
    await proc.err(
      "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n",
    );
    return 2;
  }
  let source: string;
  if (has('F')) source = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  else source = has('E') ? pattern : breToJs(pattern);
  let re: RegExp;
  try {
    re = new RegExp(source, has('i') ? 'i' : '');
  } catch {
    await proc.error('Invalid regular expression');
    return 2;
  }
  const { inputs, failed } = await readInputs(proc, operands, async (path, errno) => {
    if (!has('s')) await proc.error(`${path}: ${strerror(errno)}`);
  });
  const prefix = operands.length > 1;
  let selected = 0;
  for (const input of inputs) {
    let count = 0;
    for (const [i, line] of lines(input.data).entries()) {
      if (re.test(line) === has('v')) continue;
      count++;
      if (has('q')) return 0;
      if (has('c') || has('l')) continue;
      await proc.out(`${prefix ? `${input.name}:` : ''}${has('n') ? `${i + 1}:` : ''}${line}\n`);
    }
    if (has('c')) await proc.out(`${prefix ? `${input.name}:` : ''}${count}\n`);
    if (has('l') && count > 0) await proc.out(`${input.name}\n`);
    selected += count;
  }
  if (failed) return 2;
  return selected > 0 ? 0 : 1;
};

/** `wc [-lwc] [FILE]...`, with GNU's column width and `total` line. */
export const wc: Command = async (proc, argv) => {
  const parsed = await getopt(proc, argv, 'lwcm');
  if (parsed === undefined) return 1;
  const flags = new Set(parsed.opts.map(([o]) => (o === 'm' ? 'c' : o)));
  if (flags.size === 0) for (const f of 'lwc') flags.add(f);
  const { inputs, failed } = await readInputs(proc, parsed.operands, (path, errno) =>
    proc.error(`${path}: ${strerror(errno)}`),
  );
  const counts = inputs.map((input) => {
    const text = decoder.decode(input.data);
    return {
      l: input.data.reduce((n, b) => n + Number(b === 0x0a), 0),
      w: text.split(/\s+/).filter(Boolean).length,
      c: input.data.length,
    };
  });
  // compute_number_width(): the digits of the regular files' total size, at least 7 when
  // an input is not a regular file; 1 when a single count of a single input is printed.
  let width = 1;
  if (!(flags.size === 1 && inputs.length === 1)) {
    const total = inputs.reduce((n, i) => n + (i.regular ? i.data.length : 0), 0);
    width = Math.max(String(total).length, inputs.some((i) => !i.regular) ? 7 : 1);
  }
  const row = (c: { l: number; w: number; c: number }, name: string | undefined) =>
    `${(['l', 'w', 'c'] as const)
      .filter((f) => flags.has(f))
      .map((f) => String(c[f]).padStart(width))
      .join(' ')}${name === undefined ? '' : ` ${name}`}\n`;
  for (const [i, c] of counts.entries()) {
    await proc.out(row(c, parsed.operands.length > 0 ? inputs[i]!.name : undefined));
  }
  if (inputs.length > 1) {
    const sum = (k: 'l' | 'w' | 'c') => counts.reduce((n, c) => n + c[k], 0);
    await proc.out(row({ l: sum('l'), w: sum('w'), c: sum('c') }, 'total'));
  }
  return failed ? 1 : 0;
};
