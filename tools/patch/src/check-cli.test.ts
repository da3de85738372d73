import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { git, initRepo, tempDir } from './test-support/git-fixture.js';

const BIN = fileURLToPath(new URL('../bin/rfl-patch.js', import.meta.url));

function run(cwd: string, args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, 'check', ...args], { cwd, input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A repository with one commit on top of a base, written out by git format-patch. */
function repoWithPatch(signoff: boolean, content: string): { dir: string; patch: string } {
  const dir = join(tempDir('check'), 'repo');
  initRepo(dir);
  writeFileSync(join(dir, 'a.c'), 'a\n');
  git(dir, 'add', 'a.c');
  git(dir, 'commit', '-q', '-m', 'base');
  writeFileSync(join(dir, 'a.c'), content);
  git(dir, 'add', 'a.c');
  // The fixture's author is A U Thor; -s would sign off as the committer.
  const sob = signoff ? ['-m', 'Signed-off-by: A U Thor <author@example.org>'] : [];
  git(dir, 'commit', '-q', '-m', 'kernel: add b', '-m', 'The driver needs b.', ...sob);
  git(dir, 'format-patch', '-q', '-1');
  const patch = readdirSync(dir).find((f) => f.endsWith('.patch'));
  return { dir, patch: patch! };
}

describe('rfl-patch check', () => {
  it('looks commit references up in the repository unless --no-tree', () => {
    const { dir } = repoWithPatch(true, 'a\nb\n');
    const base = git(dir, 'rev-parse', 'HEAD~1').trim().slice(0, 12);
    const body = `Subject: [PATCH] a: fix\nFrom: A U Thor <author@example.org>\n\nSince commit ${base} ("wrong title") it broke.\n\nFixes: ${base} ("base")\nSigned-off-by: A U Thor <author@example.org>\n---\n`;
    const r = run(dir, ['--terse', '--show-types', '--ignore=NOT_UNIFIED_DIFF', '-'], body);
    expect(r.stdout).toBe(
      `-:4: ERROR:GIT_COMMIT_ID: Please use git commit description style 'commit <12+ chars of sha1> ("<title line>")' - ie: 'commit ${base} ("base")'\n` +
        'total: 1 errors, 0 warnings, 0 lines checked\n',
    );
    // The same reference with the commit's real title is clean.
    const right = body.replace('("wrong title")', '("base")');
    expect(run(dir, ['--terse', '--ignore=NOT_UNIFIED_DIFF', '-'], right).stdout).toBe('');
    const unknown = body.replaceAll(base, 'fedcba987654');
    expect(run(dir, ['--terse', '-'], unknown).stdout).toContain(
      "WARNING: Unknown commit id 'fedcba987654', maybe rebased or not pulled?",
    );
    expect(
      run(dir, ['--terse', '--no-tree', '--ignore=NOT_UNIFIED_DIFF', '-'], unknown).stdout,
    ).toBe('');
  });

  it('a clean git format-patch mail: the verdict, exit 0', () => {
    const { dir, patch } = repoWithPatch(true, 'a\nb\n');
    const r = run(dir, [patch]);
    expect(r.stdout).toBe(
      'total: 0 errors, 0 warnings, 2 lines checked\n\n' +
        '0001-kernel-add-b.patch has no obvious style problems and is ready for submission.\n',
    );
    expect(r.status).toBe(0);
  });

  it('--terse --show-types on stdin: file:line: LEVEL:TYPE: message, exit 1', () => {
    const { dir, patch } = repoWithPatch(false, 'a\nb \n');
    const input = spawnSync('cat', [patch], { cwd: dir, encoding: 'utf8' }).stdout;
    const r = run(dir, ['--terse', '--show-types', '-'], input);
    expect(r.stdout).toBe(
      '-:17: ERROR:TRAILING_WHITESPACE: trailing whitespace\n' +
        '-:20: ERROR:MISSING_SIGN_OFF: Missing Signed-off-by: line(s)\n' +
        'total: 2 errors, 0 warnings, 2 lines checked\n',
    );
    expect(r.status).toBe(1);
    expect(run(dir, ['-'], input).stdout).toMatch(
      /\nYour patch has style problems, please review\.\n/,
    );
  });

  it('--types and --ignore choose the types and say so in a note', () => {
    const { dir, patch } = repoWithPatch(false, 'a\nb \n');
    const only = run(dir, ['--types=missing_sign_off', patch]);
    expect(only.stdout.split('\n').slice(0, 3)).toEqual([
      'ERROR: Missing Signed-off-by: line(s)',
      '',
      'total: 1 errors, 0 warnings, 2 lines checked',
    ]);
    expect(only.stdout.endsWith('\nNOTE: Used message types: MISSING_SIGN_OFF\n')).toBe(true);
    const ignored = run(dir, [
      '--ignore',
      'MISSING_SIGN_OFF,TRAILING_WHITESPACE',
      '--emacs',
      patch,
    ]);
    expect(ignored.stdout).toBe(
      'total: 0 errors, 0 warnings, 2 lines checked\n\n' +
        '0001-kernel-add-b.patch has no obvious style problems and is ready for submission.\n\n' +
        'NOTE: Ignored message types: MISSING_SIGN_OFF TRAILING_WHITESPACE\n',
    );
    expect(ignored.status).toBe(0);
  });

  it('reads .checkpatch.conf at the repository root, before the command line', () => {
    const { dir, patch } = repoWithPatch(true, 'a\nb c d e f g\n');
    writeFileSync(
      join(dir, '.checkpatch.conf'),
      '# ours\n--max-line-length=10\n--show-types --terse\n',
    );
    const r = run(dir, [patch]);
    expect(r.stdout).toBe(
      '0001-kernel-add-b.patch:19: WARNING:LONG_LINE: line length of 11 exceeds 10 columns\n' +
        'total: 0 errors, 1 warnings, 2 lines checked\n',
    );
    expect(run(dir, ['--max-line-length=20', patch]).status).toBe(0);
  });

  it('--strict adds the checks to the total; several files get a header each', () => {
    const { dir, patch } = repoWithPatch(true, 'a\nb\n');
    const r = run(dir, ['--strict', patch, patch]);
    const one =
      '-----------------------\n0001-kernel-add-b.patch\n-----------------------\n' +
      'total: 0 errors, 0 warnings, 0 checks, 2 lines checked\n\n' +
      '0001-kernel-add-b.patch has no obvious style problems and is ready for submission.\n';
    expect(r.stdout).toBe(one + one);
  });

  it('--json lists the findings of every file', () => {
    const { dir, patch } = repoWithPatch(false, 'a\nb\n');
    const r = run(dir, ['--json', patch]);
    expect(JSON.parse(r.stdout)).toEqual({
      files: [
        {
          file: '0001-kernel-add-b.patch',
          findings: [
            {
              level: 'ERROR',
              type: 'MISSING_SIGN_OFF',
              message: 'Missing Signed-off-by: line(s)',
              line: 20,
            },
          ],
          errors: 1,
          warnings: 0,
          checks: 0,
          lines: 2,
        },
      ],
    });
    expect(r.status).toBe(1);
  });

  it('a format-patch --stdout mailbox: one report per mail, lines of the mailbox', () => {
    const { dir } = repoWithPatch(false, 'a\nb\n');
    writeFileSync(join(dir, 'a.c'), 'a\nb\nc\n');
    git(
      dir,
      'commit',
      '-q',
      '-am',
      'kernel: add c',
      '-m',
      'Needed too.',
      '-m',
      'Signed-off-by: A U Thor <author@example.org>',
    );
    const box = git(dir, 'format-patch', '--stdout', '-2');
    writeFileSync(join(dir, 's.mbox'), box);
    // --stdout puts a blank line after each mail: the first one ends at line 21.
    const r = run(dir, ['--terse', 's.mbox']);
    expect(r.stdout).toBe(
      's.mbox:21: ERROR: Missing Signed-off-by: line(s)\ntotal: 1 errors, 0 warnings, 2 lines checked\n',
    );
    const full = run(dir, ['s.mbox']).stdout;
    expect(full).toContain('------------------\ns.mbox (patch 1/2)\n------------------\n');
    expect(full).toContain(
      '\ns.mbox (patch 2/2) has no obvious style problems and is ready for submission.\n',
    );
  });

  it('a cover letter is not asked for a diff', () => {
    const { dir } = repoWithPatch(true, 'a\nb\n');
    git(dir, 'format-patch', '-q', '--cover-letter', '-1', '-o', 'out');
    const r = run(dir, ['--terse', '--show-types', 'out/0000-cover-letter.patch']);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('usage errors exit 2', () => {
    const dir = tempDir('check');
    const r = run(dir, ['--max-line-length=wide', 'x.patch']);
    expect(r.stderr).toBe(
      "rfl-patch: --max-line-length needs a number of columns, not 'wide'\nTry 'rfl-patch --help'.\n",
    );
    expect(r.status).toBe(2);
    expect(run(dir, ['--frob']).status).toBe(2);
    expect(run(dir, ['missing.patch']).status).toBe(2);
  });
});
