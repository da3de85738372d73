import { describe, expect, it } from 'vitest';
import { simRun } from '../machine/sim-run.js';
import { sh } from '../testing/fake-machine.js';
import { kernelShell } from '../testing/kernel-shell.js';
import { Parser } from './parser.js';

describe('background jobs', () => {
  it('parse & as a separator that makes the list before it a job', () => {
    const list = new Parser('sleep 1 & echo now').next()!;
    expect(list.map((a) => a.background ?? false)).toEqual([true, false]);
  });

  it('run while the shell goes on; wait collects them and $! is the last pid', async () => {
    const r = await simRun(
      'sleep 1 & echo started; wait $!; echo "waited $?"; echo $! | grep -c .',
    );
    expect(r).toEqual({ status: 0, stdout: 'started\nwaited 0\n1\n', stderr: '' });
  });

  it('give wait the status of the job, and 127 for a pid that is no job', async () => {
    const r = await simRun('cat /nope 2>/dev/null & wait $!; echo $?; wait 9999; echo $?');
    expect(r.stdout).toBe('1\n127\n');
  });

  it('read /dev/null, not the terminal', async () => {
    const r = await sh('cat & wait; echo done');
    expect(r).toEqual({ out: 'done\n', err: '', status: 0 });
  });

  it('print [N] pid, list with jobs, and report their end in an interactive shell', async () => {
    const run = await kernelShell();
    const started = await run('sleep 5 &');
    expect(started.err).toMatch(/^\[1\] (\d+)\n$/);
    const pid = /\d+/.exec(started.err.slice(3))![0];
    expect((await run('sleep 9 &')).err).toMatch(/^\[2\] \d+\n$/);
    expect((await run('jobs')).out).toBe(
      '[1] - Running                    sleep 5\n[2] + Running                    sleep 9\n',
    );
    expect((await run(`kill ${pid}; wait %1; echo $?`)).out).toBe('143\n');
    expect((await run('kill %2; sleep 1')).err).toBe('');
    expect((await run('echo next')).err).toBe('[2] + Terminated                 sleep 9\n');
    expect(await run('kill 4242')).toEqual({
      status: 1,
      out: '',
      err: 'sh: 7: kill: No such process\n',
    });
  });
});
