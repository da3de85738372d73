import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { am, amAbort, amContinue } from './am.js';
import { readMails } from './mbox.js';
import { AmState } from './state.js';
import { clone, git, gitRaw, history, initRepo, tempDir } from './test-support/git-fixture.js';

const lines = (n: number, edits: Record<number, string> = {}): string =>
  `${Array.from({ length: n }, (_, i) => edits[i + 1] ?? `line ${i + 1}`).join('\n')}\n`;

/** A series changing line 5 of f, and a clone whose f changed `theirs` since the base. */
function diverged(theirs: Record<number, string>): { root: string; files: string[] } {
  const root = tempDir('threeway');
  const src = join(root, 'src');
  initRepo(src);
  writeFileSync(join(src, 'f'), lines(12));
  git(src, 'add', 'f');
  gitRaw(src, ['commit', '-q', '-m', 'base']);
  git(src, 'tag', 'base');
  writeFileSync(join(src, 'f'), lines(12, { 5: 'five from the patch' }));
  gitRaw(src, ['commit', '-q', '-am', 'f: change line 5']);
  gitRaw(src, ['format-patch', '-q', '-o', join(root, 'series'), 'base..main']);
  for (const name of ['git', 'rfl']) {
    const dst = join(root, name);
    clone(src, dst, 'base');
    writeFileSync(join(dst, 'f'), lines(12, theirs));
    gitRaw(dst, ['commit', '-q', '-am', 'f: local change']);
  }
  return { root, files: [join(root, 'series', '0001-f-change-line-5.patch')] };
}

function gitAm3(dir: string, files: string[]): boolean {
  try {
    gitRaw(dir, ['am', '-q', '-3', ...files]);
    return true;
  } catch {
    return false;
  }
}

describe('am -3', () => {
  it('merges a patch whose context changed, with the commit git am -3 makes', async () => {
    const { root, files } = diverged({ 7: 'seven changed here' });
    expect(gitAm3(join(root, 'git'), files)).toBe(true);
    const plain = await am(join(root, 'rfl'), readMails(files[0]!));
    expect(plain.stopped?.reason).toBe('patch failed: f:2');
    await amAbort(join(root, 'rfl'));
    const r = await am(join(root, 'rfl'), readMails(files[0]!), { threeWay: true });
    expect(r.stopped).toBeUndefined();
    expect(history(join(root, 'rfl'), 'HEAD~1..HEAD')).toBe(
      history(join(root, 'git'), 'HEAD~1..HEAD'),
    );
  });

  it('stops on a conflict with git’s markers and three index stages', async () => {
    const { root, files } = diverged({ 5: 'five changed locally' });
    expect(gitAm3(join(root, 'git'), files)).toBe(false);
    const r = await am(join(root, 'rfl'), readMails(files[0]!), { threeWay: true });
    expect(r.stopped?.reason).toBe('Failed to merge in the changes.');
    expect(readFileSync(join(root, 'rfl', 'f'), 'utf8')).toBe(
      readFileSync(join(root, 'git', 'f'), 'utf8'),
    );
    expect(
      git(join(root, 'rfl'), 'ls-files', '-u')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]!.slice(-1)),
    ).toEqual(['1', '2', '3']);
  });
});

describe('interrupted sessions', () => {
  it('--continue resumes a session that was killed before its first commit', async () => {
    const { root, files } = diverged({ 11: 'eleven' });
    const dir = join(root, 'rfl');
    const gitDir = git(dir, 'rev-parse', '--absolute-git-dir').trim();
    const head = git(dir, 'rev-parse', 'HEAD').trim();
    new AmState(gitDir).create(readMails(files[0]!), head, {
      keepCr: false,
      threeWay: false,
      signoff: false,
      keepSubject: false,
      keepNonPatchBrackets: false,
      scissors: false,
      messageId: false,
    });
    const r = await amContinue(dir);
    expect(r.commits.map((c) => c.subject)).toEqual(['f: change line 5']);
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe(
      lines(12, { 5: 'five from the patch', 11: 'eleven' }),
    );
  });
});

describe('this repository’s own history', () => {
  it('git am and rfl-patch am make the same commits from its latest 20 linear commits', async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: here })
      .toString()
      .trim();
    // The newest stretch of the first-parent chain without merges: format-patch
    // linearises merges, and a series from two branches need not apply in one line.
    const chain = git(top, 'rev-list', '--first-parent', '--parents', '-n', '64', 'HEAD')
      .trim()
      .split('\n')
      .map((line) => line.split(' '));
    let start = 0;
    while (start < chain.length - 1 && chain[start]!.length > 2) start++;
    let end = start;
    while (end < chain.length - 1 && end - start < 20 && chain[end]!.length === 2) end++;
    const depth = end - start;
    expect(depth).toBeGreaterThan(0);
    const head = chain[start]![0]!;
    const base = chain[end]![0]!;
    const root = tempDir('own');
    gitRaw(top, ['format-patch', '-q', '--binary', '-o', join(root, 'series'), `${base}..${head}`]);
    const files = readMailsSorted(join(root, 'series'));
    for (const name of ['git', 'rfl']) clone(top, join(root, name), base);
    gitRaw(join(root, 'git'), ['am', '-q', ...files]);
    const r = await am(
      join(root, 'rfl'),
      files.flatMap((f) => readMails(f)),
    );
    expect(r.commits).toHaveLength(depth);
    expect(history(join(root, 'rfl'), `${base}..HEAD`)).toBe(
      history(join(root, 'git'), `${base}..HEAD`),
    );
  }, 60_000);
});

function readMailsSorted(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((n) => join(dir, n));
}
