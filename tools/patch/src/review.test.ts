import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { git, gitRaw, initRepo, tempDir } from './test-support/git-fixture.js';

const CLI = fileURLToPath(new URL('../bin/rfl-patch.js', import.meta.url));

function review(cwd: string, args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'review', ...args], {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_COMMITTER_NAME: 'Robo Reviewer',
      GIT_COMMITTER_EMAIL: 'robo@example.org',
    },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A project whose "build" fails when a source file says BROKEN and whose "tests" print
 * what changed since the previous commit.
 */
function project(patches: { subject: string; file: string; text: string }[]): {
  dir: string;
  series: string;
} {
  const dir = join(tempDir('rv'), 'repo');
  initRepo(dir);
  writeFileSync(
    join(dir, 'build.sh'),
    'if grep -n BROKEN src/*.txt; then echo "build: error: src is broken" >&2; exit 1; fi\n',
  );
  writeFileSync(join(dir, 'test.sh'), 'git diff --stat "$1" HEAD\n');
  spawnSync('mkdir', ['-p', join(dir, 'src')]);
  for (const name of ['one', 'two', 'three']) writeFileSync(join(dir, 'src', `${name}.txt`), 'x\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'base');
  git(dir, 'tag', 'base');
  for (const p of patches) {
    writeFileSync(join(dir, 'src', p.file), p.text);
    git(dir, 'add', 'src');
    git(
      dir,
      'commit',
      '-qm',
      `${p.subject}\n\nWhy this matters.\n\nSigned-off-by: A U Thor <author@example.org>`,
    );
  }
  const series = join(dir, '..', 'v1');
  gitRaw(dir, [
    'format-patch',
    '-q',
    '--cover-letter',
    '--thread',
    '--base=base',
    '-o',
    series,
    'base..main',
  ]);
  git(dir, 'checkout', '-q', 'base');
  return { dir, series };
}

function replies(series: string): Map<string, string> {
  const out = join(series, 'replies');
  return new Map(readdirSync(out).map((n) => [n, readFileSync(join(out, n), 'utf8')]));
}

describe('review', () => {
  it('applies, checks, builds and tests every patch and answers each one on the list', () => {
    const { dir, series } = project([
      { subject: 'src: add one', file: 'one.txt', text: 'one\n' },
      { subject: 'src: add two', file: 'two.txt', text: 'two  \n' },
      { subject: 'src: add three', file: 'three.txt', text: 'BROKEN\n' },
    ]);
    const r = review(dir, ['--build', 'sh build.sh', '--test', 'sh test.sh {prev}', series]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('[1/3] src: add one: check 0E/0W, build ok, tests ok\n');
    expect(r.stdout).toContain('[2/3] src: add two: check 1E/0W, build ok, tests ok\n');
    expect(r.stdout).toContain('[3/3] src: add three: check 0E/0W, build FAILED, tests -\n');
    expect(r.stderr).toContain('[2/3] src: add two: building\n');

    const mail = replies(series);
    expect([...mail.keys()].sort()).toEqual([
      '0000-re-cover-letter.eml',
      '0001-re-src-add-one.eml',
      '0002-re-src-add-two.eml',
      '0003-re-src-add-three.eml',
    ]);
    const one = mail.get('0001-re-src-add-one.eml')!;
    expect(one).toMatch(/^Subject: Re: \[PATCH 1\/3\] src: add one$/m);
    expect(one).toMatch(/^In-Reply-To: <[^<>]+>$/m);
    expect(one).toMatch(/^References: <cover\.[^<>]+> <[^<>]+>$/m);
    expect(one).toContain('\nTested-by: Robo Reviewer <robo@example.org>\n');
    // Hunks without findings are cut.
    expect(one).toContain('\n[...]\n');

    const two = mail.get('0002-re-src-add-two.eml')!;
    expect(two).toContain('> +two  \n\nERROR:TRAILING_WHITESPACE: trailing whitespace\n');
    expect(two).toContain('check: total: 1 errors, 0 warnings');
    expect(two).not.toContain('Tested-by:');

    const three = mail.get('0003-re-src-add-three.eml')!;
    expect(three).toContain('build: FAILED (sh build.sh)');
    expect(three).toContain('  build: error: src is broken');

    const base = git(dir, 'log', '-1', '--format=%h %s', 'base').trim();
    const cover = mail.get('0000-re-cover-letter.eml')!;
    expect(cover).toMatch(/^Subject: Re: \[PATCH 0\/3\] \*\*\* SUBJECT HERE \*\*\*$/m);
    expect(cover).toContain(`[auto build test ERROR on ${base}]`);
    expect(cover).toContain('| Reported-by: Robo Reviewer <robo@example.org>');
    expect(cover).toContain('>> build: error: src is broken');
    expect(cover).not.toContain('Tested-by:');

    // The caller's tree and worktree list are as before.
    expect(git(dir, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(git(dir, 'rev-parse', 'base'));
  });

  it('gives a clean series a Tested-by on every patch and on the cover letter', () => {
    const { dir, series } = project([
      { subject: 'src: add one', file: 'one.txt', text: 'one\n' },
      { subject: 'src: add two', file: 'two.txt', text: 'two\n' },
    ]);
    const r = review(dir, ['--build', 'sh build.sh', '--test', 'sh test.sh {prev}', series]);
    expect(r.stdout).toContain('All passed.');
    expect(r.status).toBe(0);
    for (const [name, text] of replies(series)) {
      expect(text, name).toContain('Tested-by: Robo Reviewer <robo@example.org>\n');
    }
  });

  it("checks with the options of the repository's .checkpatch.conf", () => {
    const { dir, series } = project([
      { subject: 'src: add two', file: 'two.txt', text: 'two  \n' },
    ]);
    writeFileSync(
      join(dir, '.checkpatch.conf'),
      '# whitespace is fine here\n--ignore=TRAILING_WHITESPACE\n',
    );
    const r = review(dir, ['--no-build', '--no-test', series]);
    expect(r.stdout).toContain('[1/1] src: add two: check 0E/0W, build -, tests -\n');
    expect(r.status).toBe(0);
  });

  it('stops at a patch that does not apply and says so', () => {
    const { dir, series } = project([
      { subject: 'src: add one', file: 'one.txt', text: 'one\n' },
      { subject: 'src: add two', file: 'two.txt', text: 'two\n' },
    ]);
    // The base moves on so that patch 1 no longer applies.
    git(dir, 'checkout', '-q', '-b', 'moved', 'base');
    writeFileSync(join(dir, 'src', 'one.txt'), 'other\n');
    git(dir, 'add', 'src');
    git(dir, 'commit', '-qm', 'src: someone else changes one');
    const r = review(dir, ['--base', 'moved', '--no-build', '--no-test', series]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/\[1\/2\] src: add one: does not apply \(.+\)/);
    expect(r.stdout).toContain(
      '[2/2] src: add two: does not apply (not tried: an earlier patch failed to apply)',
    );
    expect(replies(series).get('0000-re-cover-letter.eml')).toContain('[auto apply FAILURE on ');
  });
});
