import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { computeAssignment, rangeDiff, readGitRange, readMailRange } from './index.js';
import { diffSize, LineTable, unifiedDiff } from './range-diff/index.js';
import { git, gitRaw, initRepo, rng, tempDir } from './test-support/git-fixture.js';

const CLI = fileURLToPath(new URL('../bin/rfl-patch.js', import.meta.url));

function ours(cwd: string, args: string[]): string {
  return execFileSync(process.execPath, [CLI, 'range-diff', ...args], { cwd }).toString();
}

function theirs(cwd: string, args: string[]): string {
  return gitRaw(cwd, ['range-diff', '--no-color', ...args]).toString();
}

/** The `N:  abc = M:  def subject` lines: the pairing and the markers. */
function headers(output: string): string[] {
  return output.split('\n').filter((l) => l !== '' && !l.startsWith('    '));
}

/** A commit of a generated series: lines of files set to new text, and a message. */
interface Edit {
  message: string;
  changes: { file: string; line: number; text: string }[];
}

const WORDS = ['fox', 'den', 'kit', 'vixen', 'burrow', 'tail', 'snout', 'paw', 'hunt', 'moon'];

function baseRepo(dir: string, files: number): void {
  initRepo(dir);
  const r = rng(1);
  for (let f = 0; f < files; f++) {
    const lines = Array.from({ length: 80 }, (_, i) => {
      const w = Array.from({ length: 4 }, () => WORDS[Math.floor(r() * WORDS.length)]);
      return `${f}.${i} ${w.join(' ')}`;
    });
    writeFileSync(join(dir, `f${f}.txt`), `${lines.join('\n')}\n`);
  }
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'base');
  git(dir, 'tag', 'base');
}

function applySeries(dir: string, branch: string, edits: Edit[]): void {
  git(dir, 'checkout', '-q', '-B', branch, 'base');
  for (const e of edits) {
    for (const c of e.changes) {
      const path = join(dir, c.file);
      const lines = execFileSync('cat', [path]).toString().split('\n');
      lines[c.line] = c.text;
      writeFileSync(path, lines.join('\n'));
    }
    git(dir, 'commit', '-qam', e.message);
  }
}

function randomEdit(r: () => number, n: number, files: number): Edit {
  const changes = Array.from({ length: 1 + Math.floor(r() * 3) }, () => ({
    file: `f${Math.floor(r() * files)}.txt`,
    line: Math.floor(r() * 78),
    text: `changed ${n} ${WORDS[Math.floor(r() * WORDS.length)]} ${Math.floor(r() * 1000)}`,
  }));
  const subsystem = WORDS[Math.floor(r() * WORDS.length)];
  return {
    message: `${subsystem}: change number ${n}\n\nThe ${subsystem} needed change ${n}.\n`,
    changes,
  };
}

/** A second version of a series: patches reordered, dropped, added and edited. */
function reroll(r: () => number, v1: Edit[], files: number): Edit[] {
  const v2 = v1.map((e) => ({ ...e, changes: [...e.changes] }));
  const ops = 1 + Math.floor(r() * 4);
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(r() * v2.length);
    switch (Math.floor(r() * 5)) {
      case 0: {
        const other = Math.floor(r() * v2.length);
        [v2[at], v2[other]] = [v2[other]!, v2[at]!];
        break;
      }
      case 1:
        if (v2.length > 1) v2.splice(at, 1);
        break;
      case 2:
        v2.splice(at, 0, randomEdit(r, 100 + k, files));
        break;
      case 3:
        v2[at]!.message = v2[at]!.message.replace(
          /\n$/,
          '\nReviewed-by: A Reviewer <r@example.org>\n',
        );
        break;
      default: {
        const c = v2[at]!.changes[0]!;
        v2[at]!.changes[0] = { ...c, text: `${c.text} (v2)` };
      }
    }
  }
  return v2;
}

describe('range-diff agrees with git range-diff', () => {
  it('prints what git prints for generated series pairs, byte for byte', () => {
    const dir = join(tempDir('rd'), 'repo');
    const files = 4;
    baseRepo(dir, files);
    let compared = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const r = rng(seed * 7919);
      const v1 = Array.from({ length: 2 + Math.floor(r() * 7) }, (_, n) => randomEdit(r, n, files));
      applySeries(dir, `v1-${seed}`, v1);
      applySeries(dir, `v2-${seed}`, reroll(r, v1, files));
      for (const factor of ['60', '200']) {
        const args = [`--creation-factor=${factor}`, 'base', `v1-${seed}`, `v2-${seed}`];
        const expected = theirs(dir, args);
        const actual = ours(dir, args);
        // The pairing and markers first, for a readable failure; then every byte.
        expect(headers(actual), `seed ${seed} factor ${factor}`).toEqual(headers(expected));
        expect(actual, `seed ${seed} factor ${factor}`).toBe(expected);
        compared++;
      }
    }
    expect(compared).toBe(20);
  }, 120_000);

  it('prints a changed pair with the diff of the two patches, byte for byte', () => {
    const dir = join(tempDir('rd'), 'repo');
    baseRepo(dir, 2);
    applySeries(dir, 'v1', [
      { message: 'den: one\n\nBecause.\n', changes: [{ file: 'f0.txt', line: 10, text: 'x' }] },
      { message: 'kit: two\n', changes: [{ file: 'f1.txt', line: 40, text: 'y' }] },
    ]);
    applySeries(dir, 'v2', [
      { message: 'kit: two\n', changes: [{ file: 'f1.txt', line: 40, text: 'y' }] },
      {
        message: 'den: one\n\nBecause, really.\n',
        changes: [
          { file: 'f0.txt', line: 10, text: 'x2' },
          { file: 'f0.txt', line: 60, text: 'z' },
        ],
      },
    ]);
    const args = ['--creation-factor=300', 'v1~2..v1', 'v2~2..v2'];
    const out = ours(dir, args);
    expect(out).toBe(theirs(dir, args));
    expect(out).toMatch(/^2: {2}[0-9a-f]{7} = 1: {2}[0-9a-f]{7} kit: two\n1: {2}[0-9a-f]{7} ! 2: /);
    expect(out).toContain('    -    Because.\n    +    Because, really.\n');
    expect(out).toContain('    @@ f0.txt\n');
    expect(out).toContain('    -+x\n    ++x2\n');
  });

  it('compares a mailed series with a branch without applying it', () => {
    const dir = join(tempDir('rd'), 'repo');
    baseRepo(dir, 2);
    const v1: Edit[] = [
      { message: 'den: one\n', changes: [{ file: 'f0.txt', line: 3, text: 'a' }] },
      { message: 'kit: two\n', changes: [{ file: 'f1.txt', line: 5, text: 'b' }] },
    ];
    applySeries(dir, 'v1', v1);
    const mbox = join(dir, '..', 'v1.mbox');
    writeFileSync(mbox, gitRaw(dir, ['format-patch', '--stdout', 'base..v1']));
    applySeries(dir, 'v2', [v1[1]!, { ...v1[0]!, message: 'den: one, better\n' }]);
    const fromMail = readMailRange(mbox);
    const fromGit = readGitRange(['base..v1'], dir);
    expect(fromMail.map((p) => p.text)).toEqual(fromGit.map((p) => p.text));
    expect(fromMail.map((p) => p.oid)).toEqual(fromGit.map((p) => p.oid));
    expect(headers(ours(dir, [mbox, 'base..v2']))).toEqual(
      headers(theirs(dir, ['base..v1', 'base..v2'])),
    );
    const json = JSON.parse(ours(dir, ['--json', mbox, 'base..v2'])) as {
      pairs: { status: string; old: { index: number } | null; new: { index: number } | null }[];
    };
    expect(json.pairs.map((p) => [p.old?.index ?? null, p.status, p.new?.index ?? null])).toEqual([
      [2, '=', 1],
      [1, '!', 2],
    ]);
  });

  it('reports a patch that changed beyond the creation factor as dropped and added', () => {
    const dir = join(tempDir('rd'), 'repo');
    baseRepo(dir, 1);
    applySeries(dir, 'v1', [
      { message: 'den: one\n', changes: [{ file: 'f0.txt', line: 3, text: 'a' }] },
    ]);
    applySeries(dir, 'v2', [
      { message: 'den: one\n', changes: [{ file: 'f0.txt', line: 50, text: 'b' }] },
    ]);
    const old = readGitRange(['base..v1'], dir);
    const now = readGitRange(['base..v2'], dir);
    expect(rangeDiff(old, now).map((e) => e.status)).toEqual(['<', '>']);
    expect(rangeDiff(old, now, { creationFactor: 1000 }).map((e) => e.status)).toEqual(['!']);
  });
});

describe('diffSize', () => {
  it('counts the lines and headers of the unified diff xdiff would emit', () => {
    const r = rng(99);
    for (let round = 0; round < 200; round++) {
      const make = (): string[] =>
        Array.from({ length: Math.floor(r() * 40) }, () => WORDS[Math.floor(r() * 6)]!);
      const a = make();
      const b = r() < 0.5 ? make() : a.map((l) => (r() < 0.2 ? `${l}!` : l));
      const table = new LineTable();
      const expected = unifiedDiff(a, b).reduce((n, h) => n + 1 + h.lines.length, 0);
      expect(diffSize(table.intern(a), table.intern(b), table), `round ${round}`).toBe(expected);
    }
    const t = new LineTable();
    expect(diffSize(t.intern(['a', 'b']), t.intern(['a', 'b']), t)).toBe(0);
    // One header, the changed line and the three lines of context on each side.
    const before = ['1', '2', '3', '4', '5', '6', '7'];
    const after = ['1', '2', '3', 'four', '5', '6', '7'];
    expect(diffSize(t.intern(before), t.intern(after), t)).toBe(1 + 3 + 2 + 3);
  });
});

describe('computeAssignment', () => {
  it('finds the cheapest assignment of a small matrix', () => {
    // cost[column + 3 * row]
    const cost = Int32Array.from([4, 1, 3, 2, 0, 5, 3, 2, 2]);
    const { columnToRow, rowToColumn } = computeAssignment(3, 3, cost);
    const total = [...columnToRow].reduce((s, r, c) => s + cost[c + 3 * r]!, 0);
    expect(total).toBe(5);
    expect([...rowToColumn].map((c) => columnToRow[c])).toEqual([0, 1, 2]);
  });
});
