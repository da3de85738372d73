/**
 * `getopt(3)` for the commands: short options, grouped (`-la`), with arguments attached or
 * separate (`-n5`, `-n 5`), `--` ending them, and the coreutils error text.
 *
 * @module
 */

import type { Proc } from './proc.js';

export interface Options {
  /** Each option seen, with its argument (or `''`), in order. */
  opts: [string, string][];
  operands: string[];
}

/**
 * Parses `argv` with the options in `flags` (no argument) and `withArg`; on an unknown
 * option prints `prog: invalid option -- 'x'` and the `--help` hint and returns undefined.
 * A word like `-5` is an operand unless `numeric` lets the caller take it (`head -5`).
 */
export async function getopt(
  proc: Proc,
  argv: string[],
  flags: string,
  withArg = '',
  numeric = false,
): Promise<Options | undefined> {
  const opts: [string, string][] = [];
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      operands.push(a);
      continue;
    }
    if (numeric && /^-\d+$/.test(a)) {
      opts.push(['#', a.slice(1)]);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      if (withArg.includes(c)) {
        const arg = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
        if (arg === undefined) {
          await proc.error(`option requires an argument -- '${c}'`);
          await proc.err(`Try '${proc.name} --help' for more information.\n`);
          return undefined;
        }
        opts.push([c, arg]);
        break;
      }
      if (!flags.includes(c)) {
        await proc.error(`invalid option -- '${c}'`);
        await proc.err(`Try '${proc.name} --help' for more information.\n`);
        return undefined;
      }
      opts.push([c, '']);
    }
  }
  return { opts, operands };
}
