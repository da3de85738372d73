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
