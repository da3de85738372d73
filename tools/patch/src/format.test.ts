import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autoChangeId, formatSeries, joinStdout } from './format.js';
import { patchIds } from './patch-id.js';
import {
  clone,
  git,
  gitRaw,
  history,
  initRepo,
  randomHistory,
  tempDir,
} from './test-support/git-fixture.js';

function gitFormat(src: string, args: string[]): Map<string, Buffer> {
  const out = tempDir('fp');
  gitRaw(src, ['format-patch', '-q', '-o', out, ...args]);
  return new Map(readdirSync(out).map((n) => [n, readFileSync(join(out, n))]));
}

function gitFormatDir(src: string): string {
  const out = tempDir('fp');
  gitRaw(src, ['format-patch', '-q', '-o', out, 'base..main']);
  return out;
}

function repoWithHistory(seed: number): string {
  const src = join(tempDir(`fmt-${seed}`), 'src');
  initRepo(src);
  randomHistory(src, seed, 3);
  git(src, 'tag', 'base');
  randomHistory(src, seed + 500, 25);
  return src;
}

describe('format matches git format-patch byte for byte', () => {
  const cases: [string, string[], Parameters<typeof formatSeries>[2]][] = [
    ['plain', [], {}],
    [
      'cover letter and base',
      ['--cover-letter', '--base=base'],
      { coverLetter: true, base: 'base' },
    ],
    ['reroll and RFC', ['-v', '4', '--rfc'], { version: 4, rfc: true }],
    ['subject prefix', ['--subject-prefix=PATCH net-next'], { subjectPrefix: 'PATCH net-next' }],
  ];
  for (const [name, gitArgs, opts] of cases) {
    it(name, async () => {
      const src = repoWithHistory(7);
      const expected = gitFormat(src, [...gitArgs, 'base..main']);
      const mails = await formatSeries(src, 'base..main', opts);
      expect(mails.map((m) => m.fileName)).toEqual([...expected.keys()].sort());
      for (const m of mails)
        expect(m.content.toString('latin1')).toBe(expected.get(m.fileName)!.toString('latin1'));
    });
  }

  it('prerequisite-patch-id footers for commits between base and the series', async () => {
    const src = repoWithHistory(8);
    const expected = gitFormat(src, ['--base=base', 'base~0..main', '-3']);
    const mails = await formatSeries(src, `${git(src, 'rev-parse', 'main~3').trim()}..main`, {
      base: 'base',
    });
    const first = mails[0]!;
    expect(first.content.toString()).toContain('prerequisite-patch-id: ');
    expect(first.content.toString('latin1')).toBe(expected.get(first.fileName)!.toString('latin1'));
  });

  it('authors and subjects that need RFC 2047, RFC 822 quoting and wrapping', async () => {
    const src = join(tempDir('fmt-names'), 'src');
    initRepo(src);
    gitRaw(src, ['commit', '-q', '--allow-empty', '-m', 'base']);
    git(src, 'tag', 'base');
    const authors = ['Ren\u00e9 M\u00fcller', 'Doe, Jane (Reviewer)', 'Plain Name'];
    const subjects = [
      'net: caf\u00e9 driver gets a very long subject line that certainly needs folding, more than 78',
      'fs: a long plain ASCII subject line which git wraps at seventy-eight columns for the header',
      'x: short = ? _ signs',
    ];
    authors.forEach((a, i) => {
      writeFileSync(join(src, `f${i}`), `${i}\n`);
      git(src, 'add', '.');
      gitRaw(src, ['commit', '-q', '-m', subjects[i]!, '-m', 'Body with caf\u00e9.'], {
        GIT_AUTHOR_NAME: a,
        GIT_AUTHOR_DATE: '1700000000 -0330',
      });
    });
    const expected = gitFormat(src, ['base..main']);
    const mails = await formatSeries(src, 'base..main');
    expect(mails).toHaveLength(3);
    for (const m of mails)
      expect(m.content.toString('latin1')).toBe(expected.get(m.fileName)!.toString('latin1'));
    expect(mails[0]!.content.toString()).toContain(
      'From: =?UTF-8?q?Ren=C3=A9=20M=C3=BCller?= <author@example.org>',
    );
    expect(mails[1]!.content.toString()).toContain(
      'From: "Doe, Jane (Reviewer)" <author@example.org>',
    );
  });

  it('--stdout joins mails with git separators', async () => {
    const src = repoWithHistory(9);
    const expected = gitRaw(src, ['format-patch', '--stdout', '--cover-letter', 'base..main']);
    const mails = await formatSeries(src, 'base..main', { coverLetter: true });
    expect(joinStdout(mails, true).toString('latin1')).toBe(expected.toString('latin1'));
  });

  it('threading headers follow git (message-id time fixed)', async () => {
    const src = repoWithHistory(10);
    const expected = gitRaw(src, [
      'format-patch',
      '--stdout',
      '--thread=deep',
      '--cover-letter',
      'base..main~20',
    ]).toString();
    const time = /<cover\.(\d+)\.git/.exec(expected)![1]!;
    const mails = await formatSeries(src, 'base..main~20', {
      thread: 'deep',
      coverLetter: true,
      messageIdTime: Number(time),
    });
    expect(joinStdout(mails, true).toString()).toBe(expected);
  });

  it('git am makes the same commits from rfl-patch format output as from git format-patch output', async () => {
    const src = repoWithHistory(11);
    const dir = tempDir('fmt-am');
    const mails = await formatSeries(src, 'base..main');
    const ours = mails.map((m) => {
      writeFileSync(join(dir, m.fileName), m.content);
      return join(dir, m.fileName);
    });
    const gitDir = gitFormatDir(src);
    const theirs = readdirSync(gitDir).sort();
    clone(src, join(dir, 'from-rfl'), 'base');
    clone(src, join(dir, 'from-git'), 'base');
    gitRaw(join(dir, 'from-rfl'), ['am', '-q', ...ours]);
    gitRaw(join(dir, 'from-git'), ['am', '-q', ...theirs.map((n) => join(gitDir, n))]);
    expect(history(join(dir, 'from-rfl'), 'base..HEAD')).toBe(
      history(join(dir, 'from-git'), 'base..HEAD'),
    );
    expect(git(join(dir, 'from-rfl'), 'rev-parse', 'HEAD^{tree}')).toBe(
      git(src, 'rev-parse', 'main^{tree}'),
    );
  });
});

describe('change-id', () => {
  it('derives a b4-style id from the first commit', () => {
    const oid = 'a'.repeat(40);
    const id = autoChangeId({
      oid,
      subject: 'gpio: pl061: Fix the IRQ mask',
      author: { date: '1763700000 +0100' },
    });
    expect(id).toMatch(/^20251121-gpio-pl061-fix-the-irq-mask-[0-9a-f]{12}$/);
  });
});

describe('patch-id', () => {
  it('prints the ids git patch-id --stable prints', () => {
    const src = repoWithHistory(12);
    const stream = gitRaw(src, ['format-patch', '--stdout', 'base..main']);
    const viaGit = execPatchId(src, stream);
    const ours = patchIds(stream)
      .map((p) => `${p.patchId} ${p.commit}\n`)
      .join('');
    expect(ours).toBe(viaGit);
    expect(ours.split('\n').filter(Boolean)).toHaveLength(25);
  });
});

function execPatchId(cwd: string, input: Buffer): string {
  return execFileSync('git', ['patch-id', '--stable'], { cwd, input }).toString();
}
