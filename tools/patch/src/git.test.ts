import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CatFile, CatFileStream } from './git.js';
import { git, initRepo, tempDir } from './test-support/git-fixture.js';

/** A repository with a small text blob, a 3 MiB binary blob and a commit. */
function repoWithBlobs(): { dir: string; small: string; big: string; bigData: Buffer } {
  const dir = tempDir('catfile');
  initRepo(dir);
  writeFileSync(join(dir, 'small.txt'), 'hello\n');
  // Pseudo-random bytes, so the blob stays 3 MiB in the pack and spans many reads.
  const bigData = Buffer.alloc(3 << 20);
  for (let i = 0, x = 1; i < bigData.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bigData[i] = x >>> 24;
  }
  writeFileSync(join(dir, 'big.bin'), bigData);
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'blobs');
  const small = git(dir, 'rev-parse', 'HEAD:small.txt').trim();
  const big = git(dir, 'rev-parse', 'HEAD:big.bin').trim();
  return { dir, small, big, bigData };
}

const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

describe('CatFile', () => {
  it('answers reads in order, with full ids for abbreviated ones', async () => {
    const { dir, small, big, bigData } = repoWithBlobs();
    const cat = new CatFile(dir);
    try {
      const [a, b, c] = await Promise.all([
        cat.read(small.slice(0, 7)),
        cat.read(big),
        cat.read('0123456789abcdef0123456789abcdef01234567'),
      ]);
      expect(a).toEqual({ oid: small, type: 'blob', data: Buffer.from('hello\n') });
      expect(b!.oid).toBe(big);
      expect(sha1(b!.data)).toBe(sha1(bigData));
      expect(c).toBeUndefined();
    } finally {
      cat.close();
    }
  });
});

/** Runs `fn` with its own temporary directory, to see what it leaves there. */
function inOwnTmp<T>(fn: () => T): { value: T; tmp: string } {
  const saved = process.env.TMPDIR;
  const tmp = tempDir('catfile-tmp');
  process.env.TMPDIR = tmp;
  try {
    return { value: fn(), tmp };
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

describe('CatFileStream', () => {
  it('streams every answer in the order asked, missing ones as undefined', async () => {
    const { dir, small, big, bigData } = repoWithBlobs();
    const head = git(dir, 'rev-parse', 'HEAD').trim();
    const { value: stream, tmp } = inOwnTmp(
      () =>
        new CatFileStream(dir, [
          big.slice(0, 8),
          'ffffffffffffffffffffffffffffffffffffffff',
          small,
          head,
        ]),
    );
    // The file the answers go through is unlinked as soon as it is open.
    expect(readdirSync(tmp)).toEqual([]);
    const [b, missing, s, commit] = await Promise.all(stream.answers);
    expect(b!.oid).toBe(big);
    expect(b!.type).toBe('blob');
    expect(b!.data.length).toBe(bigData.length);
    expect(sha1(b!.data)).toBe(sha1(bigData));
    expect(missing).toBeUndefined();
    expect(s).toEqual({ oid: small, type: 'blob', data: Buffer.from('hello\n') });
    expect(commit!.type).toBe('commit');
    expect(commit!.data.toString()).toContain('\n\nblobs\n');
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('settles every answer as missing when closed early', async () => {
    const { dir, big } = repoWithBlobs();
    const stream = new CatFileStream(
      dir,
      Array.from({ length: 200 }, () => big),
    );
    stream.close();
    const answers = await Promise.all(stream.answers);
    expect(answers).toHaveLength(200);
    expect(answers.every((a) => a === undefined)).toBe(true);
  });

  it('outside a repository, answers nothing and still settles', async () => {
    const stream = new CatFileStream(tempDir('not-a-repo'), ['0123456']);
    expect(await Promise.all(stream.answers)).toEqual([undefined]);
  });
});
