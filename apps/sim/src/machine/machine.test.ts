import { ktime_get } from '@rfl/kernel';
import { describe, expect, it } from 'vitest';
import { fakePlatform } from '../testing/fake-platform.js';
import { bootMachine } from './boot.js';
import { runScript, ShellSession } from './machine.js';

async function boot(seed = 0) {
  let out = '';
  let err = '';
  const decoder = new TextDecoder();
  const platform = await bootMachine(
    {
      seed,
      io: {
        stdout: (b) => {
          out += decoder.decode(b);
        },
        stderr: (b) => {
          err += decoder.decode(b);
        },
      },
    },
    fakePlatform,
  );
  return { platform, output: () => ({ out, err }) };
}

describe('the machine', () => {
  it('runs a script in a shell task and returns its last status', async () => {
    const m = await boot();
    expect(await runScript(m.platform, 'echo hi > /tmp/a; cat /tmp/a; cat /nope')).toBe(1);
    expect(m.output()).toEqual({ out: 'hi\n', err: 'cat: /nope: No such file or directory\n' });
  });

  it('sleeps on the virtual clock: the idle loop jumps to the timer', async () => {
    const m = await boot();
    const before = ktime_get();
    const status = await runScript(m.platform, 'sleep 2; sleep 0.5 && echo woke');
    expect(status).toBe(0);
    expect(ktime_get() - before).toBe(2_500_000_000);
    expect(m.output().out).toBe('woke\n');
  });

  it('keeps a session across lines: $? and files persist, exit ends it', async () => {
    const m = await boot();
    const session = new ShellSession(m.platform);
    expect(await session.line('echo one > /tmp/x; false')).toEqual({ status: 1, exit: false });
    expect(await session.line('cat /tmp/x; echo $?')).toEqual({ status: 0, exit: false });
    expect(await session.line('nope')).toEqual({ status: 127, exit: false });
    expect(await session.line('exit 4')).toEqual({ status: 4, exit: true });
    expect(m.output()).toEqual({ out: 'one\n0\n', err: 'sh: 3: nope: not found\n' });
  });
});
