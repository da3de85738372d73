import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { am, amAbort } from './am.js';
import { ApplyError, applyToTree } from './apply.js';
import { mailinfo } from './mailinfo.js';
import { MemoryObjects } from './objects.js';
import { PatchParseError, parsePatch } from './patch.js';
import { git, gitRaw, initRepo, rng, tempDir } from './test-support/git-fixture.js';
import { TreeEditor, UnsafePathError } from './tree.js';

function mail(subject: string, diff: string): Buffer {
  return Buffer.from(
    `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: A U Thor <author@example.org>\n` +
      `Date: Tue, 3 Mar 2026 14:05:09 +0100\nSubject: [PATCH] ${subject}\n\n---\n${diff}-- \n2.39.5\n\n`,
  );
}

const create = (path: string): string =>
  `diff --git a/${path} b/${path}\nnew file mode 100644\nindex 0000000..2e65efe\n--- /dev/null\n+++ b/${path}\n@@ -0,0 +1 @@\n+a\n`;

function repo(): string {
  const dir = join(tempDir('safety'), 'repo');
  initRepo(dir);
  writeFileSync(join(dir, 'f'), 'one\ntwo\n');
  symlinkSync('/tmp', join(dir, 'link'));
  git(dir, 'add', '.');
  gitRaw(dir, ['commit', '-q', '-m', 'base']);
  return dir;
}

describe('a patch cannot write outside the work tree', () => {
  const cases: [string, string, string][] = [
    [
      'parent directory',
      create('../evil'),
      "refusing to touch '../evil': path leaves the work tree",
    ],
    [
      'inside .git',
      create('.git/hooks/post-applypatch'),
      "refusing to touch '.git/hooks/post-applypatch': path inside .git",
    ],
    [
      '.GIT in another case',
      create('sub/.GIT/config'),
      "refusing to touch 'sub/.GIT/config': path inside .git",
    ],
    [
      'through a symlink',
      create('link/evil'),
      "refusing to touch 'link/evil': path goes through a symbolic link",
    ],
    [
      'absolute via rename',
      'diff --git a/f b/f\nsimilarity index 100%\nrename from f\nrename to /tmp/evil\n',
      "refusing to touch '/tmp/evil': absolute path",
    ],
  ];
  for (const [name, diff, message] of cases) {
    it(`refuses a path ${name} and leaves HEAD where it was`, async () => {
      const dir = repo();
      const head = git(dir, 'rev-parse', 'HEAD');
      const errors: string[] = [];
      const r = await am(
        dir,
        [mail(name, diff)],
        {},
        { info: () => {}, error: (l) => errors.push(l) },
      );
      expect(r.stopped?.reason).toBe(message);
      expect(errors[0]).toBe(`error: ${message}`);
      expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
      expect(git(dir, 'status', '--porcelain')).toBe('');
      expect(existsSync(join(dir, '..', 'evil'))).toBe(false);
    });
  }
});

describe('all or nothing', () => {
  it('a patch whose second file fails changes nothing', async () => {
    const dir = repo();
    const diff =
      create('new.txt') +
      'diff --git a/f b/f\nindex 0000000..1111111 100644\n--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n one\n-three\n+four\n';
    const r = await am(dir, [mail('two files', diff)]);
    expect(r.stopped?.reason).toBe('patch failed: f:1');
    expect(existsSync(join(dir, 'new.txt'))).toBe(false);
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('one\ntwo\n');
  });
});

/** Byte-level mutations: flip, delete, duplicate or insert bytes and lines. */
function mutate(r: () => number, input: Buffer): Buffer {
  const b = Buffer.from(input);
  const lines = b.toString('latin1').split('\n');
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const i = Math.floor(r() * lines.length);
    const line = lines[i] ?? '';
    switch (Math.floor(r() * 6)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, line);
        break;
      case 2: {
        const at = Math.floor(r() * (line.length + 1));
        lines[i] =
          line.slice(0, at) + String.fromCharCode(Math.floor(r() * 256)) + line.slice(at + 1);
        break;
      }
      case 3:
        lines[i] = line.replace(/\d+/, String(Math.floor(r() * 100)));
        break;
      case 4:
        lines[i] = pick(r, [
          '../x',
          '"a/\\303"',
          '@@ -1 +1 @@',
          'GIT binary patch',
          'literal 5',
          'delta 9',
          'rename to .git/x',
          '\\ No newline at end of file',
          '',
        ]);
        break;
      default:
        lines[i] = line.slice(0, Math.floor(r() * line.length));
    }
  }
  return Buffer.from(lines.join('\n'), 'latin1');
}

const pick = <T>(r: () => number, xs: T[]): T => xs[Math.floor(r() * xs.length)]!;

const SEEDS = [
  mail(
    'edit',
    'diff --git a/f b/f\nindex 5626abf..814f4a4 100644\n--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n one\n-two\n+three\n',
  ),
  mail('create', create('dir/new file.txt')),
  mail(
    'rename',
    'diff --git a/f b/g\nsimilarity index 60%\nrename from f\nrename to g\n--- a/f\n+++ b/g\n@@ -1,2 +1,2 @@\n-one\n+uno\n two\n',
  ),
  mail(
    'binary',
    'diff --git a/b.bin b/b.bin\nnew file mode 100644\nindex 0000000000000000000000000000000000000000..8540419e17c02b8da3a111810de6dc01a795bdb0\nGIT binary patch\nliteral 12\nTc${NkWMXDvWn<^y<oXW)0v-W3\n\nliteral 0\nHcmV?d00001\n\n',
  ),
  mail('mode', 'diff --git a/f b/f\nold mode 100644\nnew mode 100755\n'),
];

const KNOWN = [ApplyError, PatchParseError, UnsafePathError];

describe('fuzz (10,000 mutated mails, fixed seed)', () => {
  it('never crashes: every failure is a known error with a message', async () => {
    const db = new MemoryObjects();
    const blob = db.write('blob', Buffer.from('one\ntwo\n'));
    const root = db.write(
      'tree',
      Buffer.concat([Buffer.from('100644 f\0'), Buffer.from(blob, 'hex')]),
    );
    const r = rng(2026);
    const outcomes = { applied: 0, refused: 0 };
    for (let i = 0; i < 10_000; i++) {
      const m = mutate(r, pick(r, SEEDS));
      const info = mailinfo(m);
      const tree = new TreeEditor(db, root);
      try {
        await applyToTree(db, tree, parsePatch(info.patch));
        tree.write();
        outcomes.applied++;
      } catch (e) {
        if (!KNOWN.some((k) => e instanceof k))
          throw new Error(`mail ${i}: unexpected ${(e as Error).stack}`);
        expect((e as Error).message.length).toBeGreaterThan(5);
        outcomes.refused++;
      }
    }
    expect(outcomes.applied).toBeGreaterThan(500);
    expect(outcomes.refused).toBeGreaterThan(500);
  }, 60_000);

  it('a real repository stays at a commit boundary through 60 mutated series', async () => {
    const dir = repo();
    const r = rng(7);
    const outside = readdirSync(join(dir, '..')).sort();
    for (let i = 0; i < 60; i++) {
      const series = [pick(r, SEEDS), mutate(r, pick(r, SEEDS)), pick(r, SEEDS)];
      const before = git(dir, 'rev-parse', 'HEAD');
      const result = await am(dir, series);
      const after = git(dir, 'rev-parse', 'HEAD').trim();
      const boundary = [before.trim(), ...result.commits.map((c) => c.commit)];
      expect(boundary).toContain(after);
      expect(git(dir, 'status', '--porcelain', '--untracked-files=no')).toBe('');
      if (result.stopped) await amAbort(dir);
      git(dir, 'reset', '-q', '--hard', before.trim());
    }
    expect(readdirSync(join(dir, '..')).sort()).toEqual(outside);
  }, 120_000);
});

describe('binary patches', () => {
  it('applies a literal hunk and checks the result against the index line', async () => {
    const db = new MemoryObjects();
    const tree = new TreeEditor(db, db.write('tree', Buffer.alloc(0)));
    await applyToTree(db, tree, parsePatch(mailinfo(SEEDS[3]!).patch));
    const entry = await tree.get('b.bin');
    expect(entry).toEqual({ mode: '100644', oid: '8540419e17c02b8da3a111810de6dc01a795bdb0' });
  });
});

describe('work-tree checks', () => {
  it('refuses to overwrite an untracked file, as git am does', async () => {
    const dir = repo();
    writeFileSync(join(dir, 'notes.txt'), 'mine\n');
    const r = await am(dir, [mail('add notes', create('notes.txt'))]);
    expect(r.stopped?.reason).toBe('notes.txt: already exists in working directory');
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
  });

  it('refuses to patch a file with local changes', async () => {
    const dir = repo();
    writeFileSync(join(dir, 'f'), 'one\ntwo\nlocal\n');
    const r = await am(dir, [
      mail('edit', 'diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n one\n-two\n+2\n'),
    ]);
    expect(r.stopped?.reason).toBe('f: does not match index');
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('one\ntwo\nlocal\n');
  });
});
