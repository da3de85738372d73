import { ktime_get } from '@rfl/kernel';
import { describe, expect, it } from 'vitest';
import { simRun } from './sim-run.js';

describe('the shell on the simulated kernel', () => {
  it('writes a tmpfs file and reads it back', async () => {
    expect(await simRun('echo hi > /tmp/a; cat /tmp/a')).toEqual({
      status: 0,
      stdout: 'hi\n',
      stderr: '',
    });
  });

  it('pipes through kernel pipes and expands globs against tmpfs', async () => {
    const r = await simRun(
      'echo one > /tmp/f1; echo two > /tmp/f2; cat /tmp/f* | cat | hexdump -C',
    );
    expect(r.stdout).toBe(
      '00000000  6f 6e 65 0a 74 77 6f 0a                           |one.two.|\n00000008\n',
    );
  });

  it('reports failures with dash and coreutils messages and statuses', async () => {
    const r = await simRun(
      'false; echo $?; nope; echo $?; cat < /nope; echo $?; cat /tmp; echo $?',
    );
    expect(r.stdout).toBe('1\n127\n2\n1\n');
    expect(r.stderr).toBe(
      'sh: 1: nope: not found\nsh: 1: cannot open /nope: No such file\ncat: /tmp: Is a directory\n',
    );
  });

  it('lists device nodes with their numbers and dates from the virtual clock', async () => {
    const r = await simRun('mknod /tmp/null c 1 3; sleep 61; echo > /tmp/late; ls -l /tmp');
    expect(r.stdout).toBe(
      'total 4\n' +
        '-rw-r--r-- 1 root root    1 Jan  1 00:01 late\n' +
        'crw-r--r-- 1 root root 1, 3 Jan  1 00:00 null\n',
    );
  });

  it('sleeps exactly as long as asked on the virtual clock', async () => {
    const before = ktime_get();
    expect((await simRun('sleep 2.5 && echo woke')).stdout).toBe('woke\n');
    expect(ktime_get() - before).toBe(2_500_000_000);
  });

  it('dd copies by blocks through read(2) and write(2)', async () => {
    const r = await simRun(
      'echo abcdefghijklmnopqrstuvwxyz > /tmp/x; dd if=/tmp/x of=/tmp/y bs=5 count=2 skip=1; cat /tmp/y; echo',
    );
    expect(r.stdout).toBe('fghijklmno\n');
    expect(r.stderr).toBe('2+0 records in\n2+0 records out\n10 bytes copied, 0 s, Infinity B/s\n');
  });
});
