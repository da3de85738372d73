import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built CLI, as `pnpm exec rfl-sim` runs it (the test run builds first).
const BIN = fileURLToPath(new URL('../bin/rfl-sim.js', import.meta.url));

function rflSim(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input: '' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Each case starts node processes; on a loaded machine that takes seconds.
describe('the rfl-sim CLI', { timeout: 60_000 }, () => {
  it('run: prints the output of the commands and exits with the last status', () => {
    expect(rflSim('run', 'echo hi > /tmp/a; cat /tmp/a')).toEqual({
      status: 0,
      stdout: 'hi\n',
      stderr: '',
    });
    const r = rflSim('run', 'echo out; cat /nope');
    expect(r).toEqual({
      status: 1,
      stdout: 'out\n',
      stderr: 'cat: /nope: No such file or directory\n',
    });
  });

  it('run: an unknown command is 127, a syntax error 2', () => {
    expect(rflSim('run', 'frobnicate')).toEqual({
      status: 127,
      stdout: '',
      stderr: 'sh: 1: frobnicate: not found\n',
    });
    expect(rflSim('run', 'echo |').status).toBe(2);
  });

  it('--seed makes /dev/urandom reproducible', () => {
    const run = (seed: string) =>
      rflSim('--seed', seed, 'run', 'head -c 16 /dev/urandom | hexdump -C');
    const a = run('7');
    expect(a.status).toBe(0);
    expect(a.stdout).toMatch(
      /^00000000 {2}([0-9a-f]{2} ){8} ([0-9a-f]{2} ){8} \|.{16}\|\n00000010\n$/,
    );
    expect(run('7').stdout).toBe(a.stdout);
    expect(run('8').stdout).not.toBe(a.stdout);
  });

  it('usage errors exit 2 with the usage on stderr; --help exits 0', () => {
    const bad = rflSim('frob');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^rfl-sim: unknown command 'frob'\nusage: rfl-sim/);
    expect(rflSim('run').status).toBe(2);
    expect(rflSim('--seed', 'x', 'run', 'true').status).toBe(2);
    const help = rflSim('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("run '<commands>'");
  });

  it('shell: reads lines from standard input until its end', () => {
    const r = spawnSync(process.execPath, [BIN, 'shell'], {
      encoding: 'utf8',
      input: 'echo one > /tmp/x\ncat /tmp/x\nfalse\n',
    });
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: 'one\n' });
  });

  it('demo: boots, prints the boot log and the session, exits 0, the same way every time', () => {
    const r = rflSim('demo');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\[ {4}0\.000000\] Linux version 6\.12\.0-rfl/);
    expect(r.stdout).toContain('# cat /tmp/greeting\nhello from the sim\n');
    expect(rflSim('demo').stdout).toBe(r.stdout);
    expect(rflSim('--seed', '1', 'demo').stdout).not.toBe(r.stdout);
  });
});
