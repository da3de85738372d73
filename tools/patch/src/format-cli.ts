import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type FormatOptions, formatSeries, joinStdout } from './format.js';
import { patchIds } from './patch-id.js';

/** `rfl-patch format`: writes files like `git format-patch -o DIR` and prints their names. */
export async function cmdFormat(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'reroll-count': { type: 'string', short: 'v' },
      'cover-letter': { type: 'boolean' },
      base: { type: 'string' },
      rfc: { type: 'boolean' },
      'subject-prefix': { type: 'string' },
      thread: { type: 'string' },
      'change-id': { type: 'string' },
      signature: { type: 'string' },
      'output-directory': { type: 'string', short: 'o' },
      stdout: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    },
  });
  const range = positionals[0];
  if (!range || positionals.length > 1)
    throw Object.assign(new Error('format needs exactly one <range>'), { exitCode: 2 });
  const thread = values.thread;
  if (thread !== undefined && thread !== '' && thread !== 'shallow' && thread !== 'deep')
    throw Object.assign(new Error(`--thread must be shallow or deep, not '${thread}'`), {
      exitCode: 2,
    });
  const opts: FormatOptions = {
    coverLetter: !!values['cover-letter'],
    rfc: !!values.rfc,
  };
  if (values['reroll-count']) opts.version = Number(values['reroll-count']);
  if (values.base) opts.base = values.base;
  if (values['subject-prefix']) opts.subjectPrefix = values['subject-prefix'];
  if (thread !== undefined) opts.thread = thread === 'deep' ? 'deep' : 'shallow';
  if (values['change-id']) opts.changeId = values['change-id'];
  if (values.signature !== undefined) opts.signature = values.signature;
  const mails = await formatSeries(process.cwd(), range, opts);
  if (values.stdout) {
    process.stdout.write(joinStdout(mails, !!opts.coverLetter));
    return 0;
  }
  const dir = values['output-directory'] ?? '.';
  mkdirSync(dir, { recursive: true });
  for (const m of mails) {
    const path = join(dir, m.fileName);
    writeFileSync(path, m.content);
    if (!values.quiet) process.stdout.write(`${path}\n`);
  }
  return 0;
}

/** `rfl-patch patch-id`: reads a patch stream on stdin, prints `<patch-id> <commit>`. */
export function cmdPatchId(_argv: string[]): number {
  for (const { patchId, commit } of patchIds(readFileSync(0)))
    process.stdout.write(`${patchId} ${commit}\n`);
  return 0;
}
