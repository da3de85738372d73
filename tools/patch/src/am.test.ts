import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync as writeFile } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { am, amAbort, amContinue, amSkip } from './am.js';
import { readMails } from './mbox.js';
import {
  clone,
  git,
  gitRaw,
  history,
  initRepo,
  randomHistory,
  tempDir,
} from './test-support/git-fixture.js';

function series(src: string, range: string, out: string, extra: string[] = []): string[] {
  gitRaw(src, ['format-patch', '-q', '--binary', '-M', '-o', out, ...extra, range]);
  return readdirSync(out)
    .filter((n) => n.endsWith('.patch'))
    .sort()
    .map((n) => join(out, n));
}

function gitAm(dir: string, files: string[], flags: string[] = []): boolean {
  try {
    gitRaw(dir, ['am', '-q', ...flags, ...files]);
    return true;
  } catch {
    return false;
  }
}

/**
 * A repository with a random base (tag `base`) and `count` random commits on it, and
 * those commits as `format-patch` files.
 */
function randomSeries(
  tag: string,
  seed: number,
  count: number,
  opts: { baseCommits?: number; crlf?: boolean; extra?: string[] } = {},
): { root: string; src: string; files: string[] } {
  const root = tempDir(tag);
  const src = join(root, 'src');
  initRepo(src);
  randomHistory(src, seed, opts.baseCommits ?? 4, opts.crlf ?? false);
  git(src, 'tag', 'base');
  randomHistory(src, seed + 1000, count, opts.crlf ?? false);
  return { root, src, files: series(src, 'base..main', join(root, 'series'), opts.extra) };
}

async function parity(
  seed: number,
  count: number,
  crlf: boolean,
  extra: string[] = [],
  signoff = false,
): Promise<void> {
  const { root, src, files } = randomSeries(`parity-${seed}`, seed, count, { crlf, extra });
  const flags = [...(crlf ? ['--keep-cr'] : []), ...(signoff ? ['--signoff'] : [])];
  clone(src, join(root, 'git'), 'base');
  clone(src, join(root, 'rfl'), 'base');
  expect(gitAm(join(root, 'git'), files, flags)).toBe(true);
  const mails = files.flatMap((f) => readMails(f, { keepCr: crlf }));
  const result = await am(join(root, 'rfl'), mails, { keepCr: crlf, signoff });
  expect(result.stopped).toBeUndefined();
  expect(history(join(root, 'rfl'), 'base..HEAD')).toBe(history(join(root, 'git'), 'base..HEAD'));
  expect(git(join(root, 'rfl'), 'status', '--porcelain')).toBe('');
  expectSameReflogs(join(root, 'rfl'), join(root, 'git'));
}

/** HEAD's and main's reflogs, entry for entry, after the lines both repositories share. */
function expectSameReflogs(rfl: string, gitDir: string, after = ''): void {
  for (const log of ['logs/HEAD', 'logs/refs/heads/main']) {
    const read = (dir: string) => {
      const text = readFileSync(join(dir, '.git', log), 'utf8');
      return after ? text.slice(text.indexOf(after)) : text;
    };
    expect(read(rfl), log).toBe(read(gitDir));
  }
}

describe('am parity with git am', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`random history seed ${seed}: identical commit ids`, async () => {
      await parity(seed, 30, false);
    });
  }
  it('on an unborn branch: the same root commit as git am', async () => {
    const root = tempDir('unborn');
    const src = join(root, 'src');
    initRepo(src);
    writeFile(join(src, 'README'), 'first file\n');
    git(src, 'add', 'README');
    gitRaw(src, ['commit', '-q', '-m', 'start the project']);
    const files = series(src, '--root', join(root, 'series'));
    for (const name of ['git', 'rfl']) initRepo(join(root, name));
    expect(gitAm(join(root, 'git'), files)).toBe(true);
    const result = await am(
      join(root, 'rfl'),
      files.flatMap((f) => readMails(f)),
    );
    expect(result.commits.map((c) => c.subject)).toEqual(['start the project']);
    expect(history(join(root, 'rfl'), 'HEAD')).toBe(history(join(root, 'git'), 'HEAD'));
    expect(git(join(root, 'rfl'), 'status', '--porcelain')).toBe('');
    expectSameReflogs(join(root, 'rfl'), join(root, 'git'));
  });
  it('copies and renames (format-patch -C -C): identical commit ids', async () => {
    await parity(77, 30, false, ['-C', '-C']);
  });
  it('--signoff: identical commit ids and trailers', async () => {
    await parity(13, 10, false, [], true);
  });
  it('CRLF content with --keep-cr: identical commit ids', async () => {
    await parity(42, 30, true);
  });
  it('without a temporary directory: the preimages come through the reading process', async () => {
    // The prefetch stream needs a temporary file; where none can be made, the same
    // questions go to the process that answers reads, and nothing else changes.
    const { root, src, files } = randomSeries('no-tmp', 9, 12);
    clone(src, join(root, 'git'), 'base');
    clone(src, join(root, 'rfl'), 'base');
    expect(gitAm(join(root, 'git'), files)).toBe(true);
    const mails = files.flatMap((f) => readMails(f));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = join(root, 'does-not-exist');
    try {
      expect((await am(join(root, 'rfl'), mails)).stopped).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(history(join(root, 'rfl'), 'base..HEAD')).toBe(history(join(root, 'git'), 'base..HEAD'));
  });
});

describe('the pack am writes', () => {
  it('is the same, byte for byte, from two runs of one series', async () => {
    const { root, src, files } = randomSeries('pack-same', 21, 30);
    const packs: string[][] = [];
    for (const name of ['one', 'two']) {
      const dir = join(root, name);
      clone(src, dir, 'base');
      const before = new Set(readdirSync(join(dir, '.git', 'objects', 'pack')));
      const result = await am(
        dir,
        files.flatMap((f) => readMails(f)),
      );
      expect(result.stopped).toBeUndefined();
      packs.push(readdirSync(join(dir, '.git', 'objects', 'pack')).filter((n) => !before.has(n)));
      expect(git(dir, 'fsck', '--strict', '--no-dangling')).toBe('');
    }
    // A pack's name is the hash of its bytes.
    expect(packs[0]!.length).toBe(2);
    expect(packs[1]).toEqual(packs[0]);
  });
});

function conflictRepo(): { dir: string; mails: Buffer[] } {
  const root = tempDir('conflict');
  const src = join(root, 'src');
  initRepo(src);
  gitRaw(src, ['commit', '-q', '--allow-empty', '-m', 'root']);
  git(src, 'tag', 'base');
  for (const [name, body] of [
    ['one.txt', '1\n'],
    ['two.txt', '2\n'],
    ['three.txt', '3\n'],
  ] as const) {
    writeFile(join(src, name), body);
    git(src, 'add', name);
    gitRaw(src, ['commit', '-q', '-m', `add ${name}`]);
  }
  const files = series(src, 'base..main', join(root, 'series'));
  const dir = join(root, 'dst');
  clone(src, dir, 'base');
  writeFile(join(dir, 'two.txt'), 'in the way\n');
  git(dir, 'add', 'two.txt');
  gitRaw(dir, ['commit', '-q', '-m', 'conflicting two']);
  return { dir, mails: files.flatMap((f) => readMails(f)) };
}

describe('am failure handling', () => {
  it('stops at the failing patch with the tree at the last good commit', async () => {
    const { dir, mails } = conflictRepo();
    const errors: string[] = [];
    const r = await am(dir, mails, {}, { info: () => {}, error: (l) => errors.push(l) });
    expect(r.commits.map((c) => c.subject)).toEqual(['add one.txt']);
    expect(r.stopped).toMatchObject({ index: 2, subject: 'add two.txt' });
    expect(errors[0]).toBe('error: two.txt: already exists in index');
    expect(git(dir, 'log', '-1', '--format=%s')).toBe('add one.txt\n');
    expect(git(dir, 'status', '--porcelain')).toBe('');
    expect(readFileSync(join(dir, '.git/rebase-apply/next'), 'utf8')).toBe('2\n');
  });

  it('leaves the reflog entries git am leaves, stopped and continued', async () => {
    const rfl = conflictRepo();
    const other = conflictRepo();
    const files = readdirSync(join(other.dir, '..', 'series'))
      .sort()
      .map((n) => join(other.dir, '..', 'series', n));
    // Both repositories hold the same commits; their logs differ only in where they were
    // cloned from, before the commit both start at.
    const after = git(rfl.dir, 'rev-parse', 'HEAD').trim();
    await am(rfl.dir, rfl.mails);
    expect(gitAm(other.dir, files)).toBe(false);
    expectSameReflogs(rfl.dir, other.dir, `${after} `);
    for (const dir of [rfl.dir, other.dir]) {
      writeFile(join(dir, 'two.txt'), '2\n');
      git(dir, 'add', 'two.txt');
    }
    await amContinue(rfl.dir);
    gitRaw(other.dir, ['am', '--continue']);
    expect(git(rfl.dir, 'log', '-g', '--format=%gs', '-3')).toBe(
      'am: add three.txt\nam: add two.txt\nam: add one.txt\n',
    );
    expectSameReflogs(rfl.dir, other.dir, `${after} `);
  });

  it('writes no reflog where reflogs are off, as git does', async () => {
    const { root, src, files } = randomSeries('nolog', 9, 3, { baseCommits: 2 });
    const dir = join(root, 'dst');
    clone(src, dir, 'base');
    git(dir, 'config', 'core.logAllRefUpdates', 'false');
    rmSync(join(dir, '.git', 'logs'), { recursive: true });
    const r = await am(
      dir,
      files.flatMap((f) => readMails(f)),
    );
    expect(r.commits).toHaveLength(3);
    expect(existsSync(join(dir, '.git', 'logs'))).toBe(false);
    expect(readdirSync(join(dir, '.git')).filter((n) => n.endsWith('.lock'))).toEqual([]);
  });

  it('--skip drops the patch and applies the rest', async () => {
    const { dir, mails } = conflictRepo();
    await am(dir, mails);
    const r = await amSkip(dir);
    expect(r.commits.map((c) => c.subject)).toEqual(['add three.txt']);
    expect(git(dir, 'log', '--format=%s')).toBe(
      'add three.txt\nadd one.txt\nconflicting two\nroot\n',
    );
  });

  it('--continue commits the resolved index with the patch author and message', async () => {
    const { dir, mails } = conflictRepo();
    await am(dir, mails);
    writeFile(join(dir, 'two.txt'), '2\n');
    git(dir, 'add', 'two.txt');
    const r = await amContinue(dir);
    expect(r.commits.map((c) => c.subject)).toEqual(['add two.txt', 'add three.txt']);
    expect(git(dir, 'log', '-1', '--skip=1', '--format=%an <%ae>|%B')).toBe(
      'A U Thor <author@example.org>|add two.txt\n\n',
    );
  });

  it('--abort returns to the original commit', async () => {
    const { dir, mails } = conflictRepo();
    const before = git(dir, 'rev-parse', 'HEAD');
    await am(dir, mails);
    await amAbort(dir);
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(before);
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });
});
