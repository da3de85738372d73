import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkOptionsFromConf } from './check-cli.js';
import { git } from './git.js';
import { readMails } from './mbox.js';
import { type ReviewCommand, reviewSeries } from './review.js';
import { UsageError } from './usage-error.js';

function identity(cwd: string): { name: string; email: string } {
  const get = (key: string, env: string): string => {
    if (process.env[env]) return process.env[env]!;
    try {
      return git(['config', key], { cwd }).toString().trim();
    } catch {
      return '';
    }
  };
  const name = get('user.name', 'GIT_COMMITTER_NAME');
  const email = get('user.email', 'GIT_COMMITTER_EMAIL');
  if (!email)
    throw new UsageError('who is reviewing? set user.email (git config) or GIT_COMMITTER_EMAIL');
  return { name: name || email, email };
}

function words(s: string): ReviewCommand {
  return s.split(/\s+/).filter(Boolean);
}

function slug(subject: string): string {
  return subject
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 52)
    .toLowerCase();
}

/**
 * `rfl-patch review`: exit 0 when the whole series passed, 1 when something did not,
 * 2 on usage errors. A pnpm workspace gets `pnpm install --offline`, `pnpm run build` and
 * `vitest run --changed` by default; other projects say what to run with --build/--test.
 */
export async function cmdReview(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      base: { type: 'string' },
      output: { type: 'string', short: 'o' },
      build: { type: 'string' },
      test: { type: 'string' },
      setup: { type: 'string' },
      'no-build': { type: 'boolean' },
      'no-test': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1)
    throw new UsageError('review needs one series: an mbox or a directory of patches');
  const source = positionals[0]!;
  const mails = source === '-' ? readMails(readFileSync(0)) : readMails(source);
  const cwd = process.cwd();
  const root = git(['rev-parse', '--show-toplevel'], { cwd }).toString().trim();
  const pnpm = existsSync(join(root, 'pnpm-lock.yaml'));
  const setup = values.setup ?? (pnpm ? 'pnpm install --frozen-lockfile --offline' : undefined);
  const build = values['no-build']
    ? undefined
    : (values.build ?? (pnpm ? 'pnpm run build' : undefined));
  const test = values['no-test']
    ? undefined
    : (values.test ??
      (pnpm ? 'pnpm exec vitest run --changed {prev} --passWithNoTests' : undefined));
  const tty = process.stderr.isTTY;
  const result = await reviewSeries(cwd, mails, {
    base: values.base,
    setup: setup ? words(setup) : null,
    build: build ? words(build) : null,
    test: test ? words(test) : null,
    reviewer: identity(cwd),
    check: checkOptionsFromConf(cwd),
    progress: (line) => process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`),
  });
  if (tty) process.stderr.write('\r\x1b[K');
  const isDir = source !== '-' && statSync(source).isDirectory();
  const out = values.output ?? (isDir ? join(source, 'replies') : 'replies');
  mkdirSync(out, { recursive: true });
  const written: string[] = [];
  const save = (name: string, content: Buffer): void => {
    writeFileSync(join(out, name), content);
    written.push(join(out, name));
  };
  save('0000-re-cover-letter.eml', result.report);
  for (const p of result.patches) {
    if (p.reply.length)
      save(`${String(p.index).padStart(4, '0')}-re-${slug(p.subject)}.eml`, p.reply);
  }
  if (values.json) {
    const json = {
      base: result.base,
      ok: result.ok,
      patches: result.patches.map((p) => ({
        index: p.index,
        subject: p.subject,
        applied: p.applied,
        applyError: p.applyError ?? null,
        check: p.check ? { errors: p.check.errors, warnings: p.check.warnings } : null,
        build: p.build ? p.build.ok : null,
        test: p.test ? p.test.ok : null,
      })),
      replies: written,
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    for (const p of result.patches) {
      const state = !p.applied
        ? `does not apply (${p.applyError})`
        : `check ${p.check!.errors}E/${p.check!.warnings}W, build ${p.build ? (p.build.ok ? 'ok' : 'FAILED') : '-'}, tests ${p.test ? (p.test.ok ? 'ok' : 'FAILED') : '-'}`;
      process.stdout.write(`[${p.index}/${result.patches.length}] ${p.subject}: ${state}\n`);
    }
    process.stdout.write(`${result.ok ? 'All passed.' : 'Problems found.'} Replies in ${out}/\n`);
  }
  return result.ok ? 0 : 1;
}
