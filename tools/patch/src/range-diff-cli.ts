import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs, promisify } from 'node:util';
import {
  CREATION_FACTOR_DEFAULT,
  formatRangeDiff,
  gitRangeLogArgs,
  parseGitLog,
  type RangePatch,
  rangeDiff,
  readMailRange,
} from './range-diff/index.js';
import { UsageError } from './usage-error.js';

const run = promisify(execFile);

/** Runs git and resolves to its stdout; rejects with git's message. */
async function gitAsync(args: string[], cwd: string): Promise<string> {
  try {
    return (await run('git', args, { cwd, maxBuffer: 1 << 30, encoding: 'utf8' })).stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`git ${args[0]}: ${err.stderr?.trim() || err.message}`);
  }
}

interface Side {
  patches: RangePatch[];
  /** Abbreviated ids of the range's commits, from the same git run's sibling. */
  short: Map<string, string>;
}

/**
 * A side of the comparison: a git range, or an mbox file / directory of patches. A range
 * is read with two git processes started together (the patches, and the abbreviated ids
 * git would print), so on a machine with two cores the sides cost one git run each.
 */
async function readSide(spec: string, cwd: string): Promise<Side> {
  if (existsSync(spec)) return { patches: readMailRange(spec), short: new Map() };
  const range = spec.split(/\s+/).filter(Boolean);
  const [log, ids] = await Promise.all([
    gitAsync(gitRangeLogArgs(range), cwd),
    gitAsync(['log', '--no-merges', '--format=%H %h', ...range, '--'], cwd),
  ]);
  const short = new Map<string, string>();
  for (const line of ids.split('\n')) {
    const [full, abbrev] = line.split(' ');
    if (full && abbrev) short.set(full, abbrev);
  }
  return { patches: parseGitLog(log), short };
}

/** The two ranges of the command line, in the three forms `git range-diff` accepts. */
function ranges(positionals: string[]): [string, string] {
  if (positionals.length === 3) {
    const [base, one, two] = positionals as [string, string, string];
    return [`${base}..${one}`, `${base}..${two}`];
  }
  if (positionals.length === 2) return positionals as [string, string];
  if (positionals.length === 1) {
    const m = /^(.*?)\.\.\.(.*)$/.exec(positionals[0]!);
    if (m) {
      const one = m[1] || 'HEAD';
      const two = m[2] || 'HEAD';
      return [`${two}..${one}`, `${one}..${two}`];
    }
  }
  throw new UsageError(
    'need two commit ranges (or mbox files), <base> <rev1> <rev2>, or <rev1>...<rev2>',
  );
}

/** `rfl-patch range-diff`: exit 0, or 2 on usage errors. */
export async function cmdRangeDiff(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'creation-factor': { type: 'string' },
      json: { type: 'boolean' },
      'left-only': { type: 'boolean' },
      'right-only': { type: 'boolean' },
      'no-patch': { type: 'boolean', short: 's' },
      'no-dual-color': { type: 'boolean' },
      'no-color': { type: 'boolean' },
    },
  });
  const factorText = values['creation-factor'];
  const creationFactor = factorText === undefined ? CREATION_FACTOR_DEFAULT : Number(factorText);
  if (!Number.isInteger(creationFactor) || creationFactor < 0) {
    throw new UsageError(`invalid --creation-factor '${factorText}'`);
  }
  if (values['left-only'] && values['right-only']) {
    throw new UsageError("options '--left-only' and '--right-only' cannot be used together");
  }
  const cwd = process.cwd();
  const [oldSpec, newSpec] = ranges(positionals);
  const [oldSide, newSide] = await Promise.all([readSide(oldSpec, cwd), readSide(newSpec, cwd)]);
  const entries = rangeDiff(oldSide.patches, newSide.patches, {
    creationFactor,
    leftOnly: values['left-only'],
    rightOnly: values['right-only'],
    noPatch: values['no-patch'] || values.json,
  });
  if (values.json) {
    const json = {
      old: oldSide.patches.length,
      new: newSide.patches.length,
      pairs: entries.map((e) => ({ status: e.status, old: e.old, new: e.new })),
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return 0;
  }
  const short = new Map([...oldSide.short, ...newSide.short]);
  process.stdout.write(
    formatRangeDiff(
      entries,
      { old: oldSide.patches.length, new: newSide.patches.length },
      (oid) => short.get(oid) ?? oid.slice(0, 7),
    ),
  );
  return 0;
}
