import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkMailbox } from './check/mailbox.js';
import { formatReport } from './check/output.js';
import type { CheckOptions, CheckResult } from './check/types.js';
import { UsageError } from './usage-error.js';

/**
 * The options in `.checkpatch.conf`, read as checkpatch.pl reads its
 * configuration: `#` starts a comment, options are separated by white space, and
 * they come before the command line's. Looked for in the current directory and
 * upwards to the repository root (the directory holding `.git`).
 */
export function readCheckpatchConf(cwd: string): string[] {
  let dir = cwd;
  for (;;) {
    const conf = join(dir, '.checkpatch.conf');
    if (existsSync(conf)) {
      return readFileSync(conf, 'utf8')
        .split('\n')
        .map((l) => l.replace(/#.*/, '').trim())
        .flatMap((l) => (l ? l.split(/\s+/) : []));
    }
    const up = dirname(dir);
    if (existsSync(join(dir, '.git')) || up === dir) return [];
    dir = up;
  }
}

/**
 * The check options that `.checkpatch.conf` (found from `cwd` up to the repository root)
 * sets, for commands other than `check` that run the checks (`review`).
 */
export function checkOptionsFromConf(cwd: string): CheckOptions {
  const { values } = parseArgs({
    args: readCheckpatchConf(cwd),
    allowPositionals: true,
    strict: false,
    options: {
      types: { type: 'string', multiple: true },
      ignore: { type: 'string', multiple: true },
      'max-line-length': { type: 'string' },
      strict: { type: 'boolean' },
    },
  });
  const max = values['max-line-length'];
  return {
    types: typeList(values.types as string[] | undefined),
    ignore: typeList(values.ignore as string[] | undefined),
    strict: values.strict === true,
    ...(typeof max === 'string' && /^\d+$/.test(max) ? { maxLineLength: Number(max) } : {}),
  };
}

function typeList(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(/[\s,]+/))
    .filter(Boolean)
    .map((t) => t.toUpperCase());
}

/**
 * checkpatch.pl's `git_commit_info` over the repository at `cwd`: commit references in
 * messages are looked up (once per id), so a wrong title or an unknown id is reported.
 * Outside a repository references are checked for form only, as with `--no-tree`.
 */
function treeLookup(cwd: string): { commitInfo?: CheckOptions['commitInfo'] } {
  // Loaded here: a --no-tree run does without child_process (~3 ms of start-up).
  const { spawnSync } = process.getBuiltinModule('node:child_process');
  const inTree = spawnSync('git', ['rev-parse', '--git-dir'], { cwd, stdio: 'ignore' });
  if (inTree.status !== 0) return {};
  const cache = new Map<string, { id: string; subject: string } | undefined>();
  return {
    commitInfo: (id) => {
      if (!cache.has(id)) {
        const r = spawnSync('git', ['log', '--no-color', '--format=%H %s', '-1', id, '--'], {
          cwd,
          encoding: 'utf8',
        });
        const line = r.status === 0 ? r.stdout.split('\n')[0]! : '';
        const m = /^([0-9a-f]{40}) (.*)$/.exec(line);
        cache.set(id, m ? { id: m[1]!.slice(0, 12), subject: m[2]! } : undefined);
      }
      return cache.get(id);
    },
  };
}

/** `rfl-patch check`: exit 0 when every patch is clean, 1 on findings, 2 on usage errors. */
export function cmdCheck(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: [...readCheckpatchConf(process.cwd()), ...argv],
    allowPositionals: true,
    options: {
      terse: { type: 'boolean' },
      emacs: { type: 'boolean' },
      json: { type: 'boolean' },
      'show-types': { type: 'boolean' },
      types: { type: 'string', multiple: true },
      ignore: { type: 'string', multiple: true },
      'max-line-length': { type: 'string' },
      strict: { type: 'boolean' },
      subjective: { type: 'boolean' },
      'no-tree': { type: 'boolean' },
    },
  });
  const max = values['max-line-length'];
  if (max !== undefined && !/^\d+$/.test(max)) {
    throw new UsageError(`--max-line-length needs a number of columns, not '${max}'`);
  }
  const strict = !!(values.strict || values.subjective);
  const types = typeList(values.types);
  const ignore = typeList(values.ignore);
  const opts = {
    strict,
    types,
    ignore,
    ...(max !== undefined ? { maxLineLength: Number(max) } : {}),
    ...(values['no-tree'] ? {} : treeLookup(process.cwd())),
  };
  const sources = positionals.length ? positionals : ['-'];
  const results: { file: string; name: string | undefined; result: CheckResult }[] = [];
  for (const src of sources) {
    let buf: Buffer;
    try {
      buf = readFileSync(src === '-' ? 0 : src);
    } catch (e) {
      throw Object.assign(new Error(`cannot read ${src}: ${(e as Error).message}`), {
        exitCode: 2,
      });
    }
    const coverLetter = /cover-letter\.patch$/.test(src);
    const patches = checkMailbox(buf, { ...opts, coverLetter });
    for (const [i, p] of patches.entries()) {
      // A mailbox of several mails: one report per mail, named by its place.
      const name = patches.length > 1 ? `${src} (patch ${i + 1}/${patches.length})` : undefined;
      results.push({ file: src, name, result: p.result });
    }
  }
  const dirty = results.some((r) => r.result.findings.length > 0);
  if (values.json) {
    const files = results.map(({ file, result }) => ({ file, ...result }));
    process.stdout.write(`${JSON.stringify({ files }, null, 2)}\n`);
    return dirty ? 1 : 0;
  }
  const terse = !!values.terse;
  let out = '';
  for (const { file, name, result } of results) {
    const vname = name ?? (file === '-' ? 'Your patch' : file);
    // checkpatch.pl names each file between dashed rules when given several.
    if (results.length > 1 && !terse) {
      const rule = '-'.repeat(vname.length);
      out += `${rule}\n${vname}\n${rule}\n`;
    }
    out += formatReport(result, {
      terse,
      emacs: !!values.emacs,
      showTypes: !!values['show-types'],
      strict,
      filename: file,
      vname,
    });
  }
  if (!terse) {
    if (types.length) out += `\nNOTE: Used message types: ${[...types].sort().join(' ')}\n`;
    if (ignore.length) out += `\nNOTE: Ignored message types: ${[...ignore].sort().join(' ')}\n`;
  }
  process.stdout.write(out);
  return dirty ? 1 : 0;
}
