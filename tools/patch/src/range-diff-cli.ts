import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { git } from './git.js';
import {
  CREATION_FACTOR_DEFAULT,
  formatRangeDiff,
  type RangePatch,
  rangeDiff,
  readGitRange,
  readMailRange,
} from './range-diff/index.js';
import { UsageError } from './usage-error.js';

/** A side of the comparison: a git range, or an mbox file / directory of patches. */
function readSide(spec: string, cwd: string): { patches: RangePatch[]; fromGit: boolean } {
  if (existsSync(spec)) return { patches: readMailRange(spec), fromGit: false };
  return { patches: readGitRange(spec.split(/\s+/).filter(Boolean), cwd), fromGit: true };
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

/** The abbreviated ids git would print for `oids`, asked of git once. */
function abbreviations(oids: string[], cwd: string): Map<string, string> {
  const out = new Map<string, string>();
  if (oids.length === 0) return out;
  const lines = git(['log', '--no-walk=unsorted', '--format=%H %h', ...oids], { cwd });
  for (const line of lines.toString('utf8').trim().split('\n')) {
    const [full, short] = line.split(' ');
    if (full && short) out.set(full, short);
  }
  return out;
}

/** `rfl-patch range-diff`: exit 0, or 2 on usage errors. */
export function cmdRangeDiff(argv: string[]): number {
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
  const oldSide = readSide(oldSpec, cwd);
  const newSide = readSide(newSpec, cwd);
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
  const gitOids = [
    ...(oldSide.fromGit ? oldSide.patches : []),
    ...(newSide.fromGit ? newSide.patches : []),
  ].map((p) => p.oid);
  const short = abbreviations([...new Set(gitOids)], cwd);
  process.stdout.write(
    formatRangeDiff(
      entries,
      { old: oldSide.patches.length, new: newSide.patches.length },
      (oid) => short.get(oid) ?? oid.slice(0, 7),
    ),
  );
  return 0;
}
