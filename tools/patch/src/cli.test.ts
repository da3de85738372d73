import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { git, gitRaw, initRepo, tempDir } from './test-support/git-fixture.js';

const BIN = fileURLToPath(new URL('../bin/rfl-patch.js', import.meta.url));

function run(
  cwd: string,
  args: string[],
  input?: string,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('rfl-patch command line', () => {
  it('--help prints usage and exits 0', () => {
    const r = run(tempDir('cli'), ['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('usage: rfl-patch <command>');
  });
  it('an unknown command is a usage error (exit 2)', () => {
    const r = run(tempDir('cli'), ['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("rfl-patch: unknown command 'frobnicate'\nTry 'rfl-patch --help'.\n");
  });
  it('am outside a git work tree is an environment error (exit 2)', () => {
    const r = run(tempDir('cli'), ['am', '-'], 'From: a <a@b>\n\n');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('rfl-patch: not a git work tree (run rfl-patch am inside one)\n');
  });
  it('a patch that does not apply exits 1 and resumes with --skip', () => {
    const dir = join(tempDir('cli'), 'repo');
    initRepo(dir);
    writeFileSync(join(dir, 'f'), 'a\n');
    git(dir, 'add', 'f');
    gitRaw(dir, ['commit', '-q', '-m', 'base']);
    writeFileSync(join(dir, 'f'), 'b\n');
    git(dir, 'commit', '-q', '-am', 'change f');
    const mbox = gitRaw(dir, ['format-patch', '--stdout', '-1']).toString();
    const applied = run(dir, ['am', '-'], mbox);
    expect(applied.status).toBe(1);
    expect(applied.stdout).toBe('Applying: change f\n');
    expect(applied.stderr.split('\n').slice(0, 3)).toEqual([
      'error: patch failed: f:1',
      'error: f: patch does not apply',
      'Patch failed at 0001 change f',
    ]);
    expect(run(dir, ['am', '--show-current-patch']).stdout).toBe(mbox);
    expect(run(dir, ['am', '--skip']).status).toBe(0);
    expect(git(dir, 'log', '--format=%s')).toBe('change f\nbase\n');
  });
});

describe('rfl-patch am on damaged mails', () => {
  it('exits 1 with an error line, never a crash, and leaves HEAD in place', () => {
    const dir = join(tempDir('cli-fuzz'), 'repo');
    initRepo(dir);
    writeFileSync(join(dir, 'f'), 'a\nb\nc\n');
    git(dir, 'add', 'f');
    gitRaw(dir, ['commit', '-q', '-m', 'base']);
    const head = git(dir, 'rev-parse', 'HEAD');
    const good =
      'From: A <a@example.org>\nSubject: [PATCH] f: edit\n\n---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n';
    const damaged = [
      good.replace('@@ -1,3 +1,3 @@', '@@ -1,9 +1,3 @@'),
      good.replace(' c\n', ' x\n'),
      good.replace('From: A <a@example.org>\n', ''),
      good
        .replace('diff --git a/f b/f', 'diff --git a/../f b/../f')
        .replace('--- a/f\n+++ b/f', '--- a/../f\n+++ b/../f'),
      good.replace(/---\n.*$/s, '---\n'),
    ];
    const errors = damaged.map((m) => {
      const r = run(dir, ['am', '-'], m);
      expect(r.status).toBe(1);
      expect(r.stderr).not.toContain('    at ');
      expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
      run(dir, ['am', '--abort']);
      return r.stderr.split('\n').find((l) => l.startsWith('error: '));
    });
    expect(errors).toEqual([
      'error: corrupt patch at line 10: hunk @@ -1,9 +1,3 @@ is truncated',
      'error: patch failed: f:1',
      'error: Patch does not have a valid e-mail address.',
      "error: refusing to touch '../f': path leaves the work tree",
      'error: Patch is empty.',
    ]);
  });
});
