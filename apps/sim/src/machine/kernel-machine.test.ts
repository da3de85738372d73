import { BUG, dmesg, ktime_get, MISC_DYNAMIC_MINOR, misc_register } from '@rfl/kernel';
import { describe, expect, it } from 'vitest';
import { bootMachine } from './boot.js';
import { kernelPlatform } from './kernel-platform.js';
import { runScript, ShellSession } from './machine.js';
import { simRun } from './sim-run.js';

/** Boots the default machine with a misc device whose read() hits BUG(), runs `script`. */
async function withBuggyDevice(script: string | string[]) {
  const decoder = new TextDecoder();
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: (b: Uint8Array) => {
      stdout += decoder.decode(b);
    },
    stderr: (b: Uint8Array) => {
      stderr += decoder.decode(b);
    },
  };
  const platform = await bootMachine({ seed: 0, io }, kernelPlatform);
  misc_register({
    minor: MISC_DYNAMIC_MINOR,
    name: 'buggy',
    mode: 0o666,
    fops: {
      read: () => {
        BUG();
        return 0;
      },
      write: () => {
        BUG();
        return 0;
      },
    },
  });
  if (typeof script === 'string') {
    const status = await runScript(platform, script);
    return { status, stdout, stderr };
  }
  const session = new ShellSession(platform);
  const results = [];
  for (const line of script) results.push(await session.line(line));
  return { results, stdout, stderr };
}

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

  it('the machine has /dev/null, /dev/zero and /dev/urandom', async () => {
    const r = await simRun(
      'ls -l /dev/null /dev/zero /dev/urandom; head -c 4 /dev/zero | hexdump -C; cat /dev/null',
    );
    // The machine's clock is the kernel's virtual clock, which earlier tests moved.
    expect(r.stdout.replace(/Jan {2}1 \d\d:\d\d/g, 'Jan  1 HH:MM')).toBe(
      'crw-rw-rw- 1 root root 1, 3 Jan  1 HH:MM /dev/null\n' +
        'crw-rw-rw- 1 root root 1, 9 Jan  1 HH:MM /dev/urandom\n' +
        'crw-rw-rw- 1 root root 1, 5 Jan  1 HH:MM /dev/zero\n' +
        '00000000  00 00 00 00                                       |....|\n00000004\n',
    );
  });

  it('a reader that stops early ends an endless writer with SIGPIPE, silently', async () => {
    const r = await simRun('cat /dev/zero | head -c 100000 | tail -c 2 | hexdump -C; echo $?');
    expect(r).toEqual({
      status: 0,
      stdout: '00000000  00 00                                             |..|\n00000002\n0\n',
      stderr: '',
    });
  });

  it('--seed makes /dev/urandom reproducible', async () => {
    const a = await simRun('head -c 8 /dev/urandom | hexdump', { seed: 3 });
    expect((await simRun('head -c 8 /dev/urandom | hexdump', { seed: 3 })).stdout).toBe(a.stdout);
    expect((await simRun('head -c 8 /dev/urandom | hexdump', { seed: 4 })).stdout).not.toBe(
      a.stdout,
    );
  });

  it('an Oops in a command kills that command with SIGSEGV; the shell goes on', async () => {
    const r = await withBuggyDevice('cat /dev/buggy; echo "status $?"; echo still here');
    expect(r).toEqual({
      status: 0,
      stdout: 'status 139\nstill here\n',
      stderr: 'Segmentation fault\n',
    });
    expect(dmesg()).toMatch(/kernel BUG at .*\n[\s\S]*Comm: cat /);
  });

  it('an Oops in a builtin kills the shell itself, as it would kill dash', async () => {
    const r = await withBuggyDevice(['echo before', 'echo x > /dev/buggy', 'echo after']);
    expect(r.results).toEqual([
      { status: 0, exit: false },
      { status: 139, exit: true, signal: 11 },
      { status: 139, exit: true, signal: 11 },
    ]);
    expect(r.stdout).toBe('before\n');
  });

  it('uname names the simulated kernel', async () => {
    expect((await simRun('uname; uname -r; uname -a')).stdout).toBe(
      'Linux\n6.12.0-rfl\nLinux rfl-sim 6.12.0-rfl #1 SMP PREEMPT x86_64 GNU/Linux\n',
    );
  });

  it('Ctrl-C kills the commands of the running line; the shell goes on', async () => {
    let out = '';
    const io = {
      stdout: (b: Uint8Array) => (out += new TextDecoder().decode(b)),
      stderr: () => {},
    };
    const platform = await bootMachine({ seed: 0, io }, kernelPlatform);
    const session = new ShellSession(platform);
    const line = session.line('cat /dev/zero | cat > /dev/null; echo "status $?"');
    setTimeout(() => session.interrupt(), 20);
    expect(await line).toEqual({ status: 0, exit: false });
    expect(out).toBe('status 130\n');
  });
});
