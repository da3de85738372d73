import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyDelta } from './binary.js';
import { deltaFromSplices, makeDelta } from './delta.js';
import { patchContent } from './diff-apply.js';
import { hashObject } from './objects.js';
import { type PackEntry, writePack } from './pack.js';
import type { Hunk } from './patch.js';
import { EMPTY_TREE } from './repo.js';
import { git, gitRaw, initRepo, rng, tempDir } from './test-support/git-fixture.js';

const lines = (n: number, tag = 'line'): string =>
  Array.from({ length: n }, (_, i) => `${tag} ${i} of the file, with some text\n`).join('');

describe('makeDelta', () => {
  const base = Buffer.from(lines(400));
  const edit = (f: (ls: string[]) => void): Buffer => {
    const ls = base.toString().split(/(?<=\n)/);
    f(ls);
    return Buffer.from(ls.join(''));
  };
  const cases: [string, Buffer][] = [
    ['one changed line', edit((ls) => ls.splice(200, 1, 'changed\n'))],
    [
      'three hunks far apart',
      edit((ls) => {
        ls.splice(350, 2, 'x\n', 'y\n', 'z\n');
        ls.splice(200, 0, 'inserted\n');
        ls.splice(10, 5);
      }),
    ],
    ['a block moved to the end', edit((ls) => ls.push(...ls.splice(50, 30)))],
    ['the last newline dropped', base.subarray(0, base.length - 1)],
  ];
  for (const [name, target] of cases)
    it(`rebuilds the target exactly, small: ${name}`, () => {
      const delta = makeDelta(base, target)!;
      expect(applyDelta(base, delta)).toEqual(target);
      expect(delta.length).toBeLessThan(200);
    });

  it('splits copies longer than 64 KiB and reaches offsets past 64 KiB', () => {
    const big = Buffer.from(lines(4000));
    const target = Buffer.concat([
      big.subarray(0, 150000),
      Buffer.from('new\n'),
      big.subarray(150000),
    ]);
    const delta = makeDelta(big, target)!;
    expect(big.length).toBeGreaterThan(0x20000);
    expect(applyDelta(big, delta)).toEqual(target);
  });

  it('declines when the target shares little with the base', () => {
    expect(makeDelta(base, Buffer.from(lines(400, 'other')))).toBeUndefined();
  });
});

describe('deltas from the splices of a patch applied in place', () => {
  it('rebuild every postimage from its preimage', () => {
    const rand = rng(5);
    const split = (b: Buffer): Buffer[] =>
      b
        .toString()
        .split(/(?<=\n)/)
        .map((l) => Buffer.from(l));
    let withSplices = 0;
    for (let trial = 0; trial < 300; trial++) {
      const pre = Buffer.from(lines(20 + Math.floor(rand() * 300), `t${trial}`));
      const old = split(pre);
      // One to four hunks in order, each three lines of context around a change.
      const hunks: Hunk[] = [];
      let line = 0;
      let shift = 0;
      for (let h = 0; h < 1 + Math.floor(rand() * 4); h++) {
        line += 1 + Math.floor(rand() * 30);
        const removed = Math.floor(rand() * 3);
        if (line + 6 + removed > old.length) break;
        const ctx = (from: number): Buffer[] => old.slice(from, from + 3);
        const added = Array.from({ length: Math.floor(rand() * 4) }, (_, k) =>
          Buffer.from(`new ${trial} ${h} ${k}\n`),
        );
        const preLines = [
          ...ctx(line),
          ...old.slice(line + 3, line + 3 + removed),
          ...ctx(line + 3 + removed),
        ];
        const postLines = [...ctx(line), ...added, ...ctx(line + 3 + removed)];
        hunks.push({
          header: '',
          oldStart: line + 1,
          oldCount: preLines.length,
          newStart: line + 1 + shift,
          newCount: postLines.length,
          pre: preLines,
          post: postLines,
          leading: 3,
          trailing: 3,
        });
        shift += postLines.length - preLines.length;
        line += 6 + removed;
      }
      const { content, splices } = patchContent('f', pre, hunks);
      expect(splices).toBeDefined();
      const delta = deltaFromSplices(pre, content, splices!);
      if (delta) {
        withSplices++;
        expect(applyDelta(pre, delta).equals(content)).toBe(true);
      }
    }
    expect(withSplices).toBeGreaterThan(250);
  });
});

describe('writePack with deltas', () => {
  it('stores a chain of edits, small and empty objects that git reads back and verifies', () => {
    const dir = tempDir('pack');
    initRepo(dir);
    const rand = rng(7);
    let prev = Buffer.from(lines(300));
    const entries = [{ oid: hashObject('blob', prev), type: 'blob', data: prev }];
    for (let i = 0; i < 5; i++) {
      const ls = prev.toString().split(/(?<=\n)/);
      ls.splice(Math.floor(rand() * ls.length), 1, `edit ${i}\n`);
      const next = Buffer.from(ls.join(''));
      const base = entries.at(-1)!.oid;
      entries.push({
        oid: hashObject('blob', next),
        type: 'blob',
        data: next,
        delta: { base, data: makeDelta(prev, next)! },
      } as (typeof entries)[number]);
      prev = next;
    }
    const empty = Buffer.alloc(0);
    const who = 'A <a@example.org> 1700000000 +0000';
    const commit = Buffer.from(
      `tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor ${who}\ncommitter ${who}\n\nsmall\n`,
    );
    entries.push({ oid: EMPTY_TREE, type: 'tree', data: Buffer.alloc(0) });
    entries.push({ oid: hashObject('blob', empty), type: 'blob', data: empty });
    entries.push({ oid: hashObject('commit', commit), type: 'commit', data: commit });
    const name = writePack(join(dir, '.git', 'objects', 'pack'), entries)!;
    const verify = git(dir, 'verify-pack', '-v', join('.git', 'objects', 'pack', `${name}.idx`));
    expect(verify).toContain('chain length = 5: 1 object');
    for (const e of entries)
      expect(gitRaw(dir, ['cat-file', e.type, e.oid]).equals(e.data)).toBe(true);
    expect(git(dir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('writes deltas far from their base and a pack larger than its first buffer', () => {
    const dir = tempDir('pack-far');
    initRepo(dir);
    const rand = rng(11);
    // Incompressible fillers between a base and its delta: base distances of one to
    // three bytes, and 3 MiB of pack, past the 1 MiB the builder starts with.
    const noise = (n: number): Buffer => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
      return b;
    };
    const base = Buffer.from(lines(200));
    const entries: PackEntry[] = [{ oid: hashObject('blob', base), type: 'blob', data: base }];
    let at = 0;
    for (const gap of [100, 20_000, 3_000_000]) {
      const filler = noise(gap);
      entries.push({ oid: hashObject('blob', filler), type: 'blob', data: filler });
      const next = Buffer.concat([base, Buffer.from(`edit ${at++}\n`)]);
      entries.push({
        oid: hashObject('blob', next),
        type: 'blob',
        data: next,
        delta: { base: entries[0]!.oid, data: makeDelta(base, next)! },
      });
    }
    const name = writePack(join(dir, '.git', 'objects', 'pack'), entries)!;
    const verify = git(dir, 'verify-pack', '-v', join('.git', 'objects', 'pack', `${name}.idx`));
    expect(verify).toContain('chain length = 1: 3 objects');
    // fsck checks every object against its id; the contents are compared where small.
    for (const e of entries) {
      expect(git(dir, 'cat-file', '-s', e.oid).trim()).toBe(String(e.data.length));
      if (e.data.length < 1 << 20)
        expect(gitRaw(dir, ['cat-file', e.type, e.oid]).equals(e.data)).toBe(true);
    }
    expect(git(dir, 'fsck', '--strict', '--no-dangling')).toBe('');
  });
});
