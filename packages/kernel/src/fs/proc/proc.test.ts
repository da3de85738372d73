import { beforeEach, describe, expect, it } from 'vitest';
import { driver_core_fs_init } from '../../drivers/char/boot.js';
import { EACCES, EISDIR } from '../../errno.js';
import { get_fail_nth } from '../../mm/fault-inject.js';
import { mm_init } from '../../mm/init.js';
import { sim_spawn } from '../../sched/core.js';
import { current } from '../../sched/task.js';
import { msleep, sim_advance } from '../../time/timer.js';
import { libc } from '../../user/libc.js';
import { O_RDONLY } from '../fcntl.js';
import { vfs_init } from '../init.js';
import { proc_read, proc_write } from './root.js';

beforeEach(() => {
  mm_init({ quiet: true });
  vfs_init();
  driver_core_fs_init();
});

function field(status: string, name: string): string | undefined {
  return status
    .split('\n')
    .find((l) => l.startsWith(`${name}:`))
    ?.split('\t')
    .slice(1)
    .join('\t');
}

describe('/proc', () => {
  it('shows a spawned task status in the kernel format, read by the task itself', async () => {
    let status = '';
    let self = '';
    const parent = current().pid;
    const t = sim_spawn('foxd', async () => {
      const fd = await libc.open('/proc/self/status', O_RDONLY);
      const r = await libc.read(fd, 4096);
      status = typeof r === 'number' ? '' : new TextDecoder().decode(r);
      const link = await libc.readlink('/proc/self');
      self = typeof link === 'number' ? '' : link;
      return 0;
    });
    await t.exited;
    expect(status.split('\n').slice(0, 8)).toEqual([
      'Name:\tfoxd',
      'Umask:\t0022',
      'State:\tR (running)',
      `Tgid:\t${t.pid}`,
      'Ngid:\t0',
      `Pid:\t${t.pid}`,
      `PPid:\t${parent}`,
      'TracerPid:\t0',
    ]);
    expect(field(status, 'Uid')).toBe('0\t0\t0\t0');
    expect(field(status, 'CapEff')).toBe('000001ffffffffff');
    expect(field(status, 'VmRSS')).toMatch(/^ {4,7}\d+ kB$/);
    expect(self).toBe(String(t.pid));
  });

  it('lists live tasks and shows one in msleep() as D', async () => {
    const t = sim_spawn('sleeper', async () => {
      await msleep(100);
      return 0;
    });
    await sim_advance(1);
    const status = proc_read(`/proc/${t.pid}/status`);
    expect(typeof status === 'string' && field(status, 'State')).toBe('D (disk sleep)');
    const listed = await new Promise<unknown>((resolve) => {
      const lister = sim_spawn('ls', async () => {
        resolve(await libc.readdir('/proc'));
        return 0;
      });
      void lister;
    });
    const names = (listed as { d_name: string }[]).map((e) => e.d_name);
    expect(names).toContain(String(t.pid));
    expect(names).toContain('self');
    expect(names).toContain('meminfo');
    await sim_advance(200);
    await t.exited;
    expect(proc_read(`/proc/${t.pid}/status`)).toBe(-2);
  });

  it('has comm and fail-nth, and refuses to write status', () => {
    const pid = current().pid;
    expect(proc_write(`/proc/${pid}/fail-nth`, '3\n')).toBe(2);
    expect(get_fail_nth(current())).toBe(3);
    expect(proc_read('/proc/self/fail-nth')).toBe('3\n');
    expect(proc_write('/proc/self/fail-nth', '0')).toBe(1);
    expect(proc_write('/proc/self/status', 'x')).toBe(-EACCES);
    expect(proc_read('/proc/self')).toBe(-EISDIR);
    expect(proc_read('/proc/devices')).toContain('Character devices:\n  1 mem\n 10 misc\n');
    expect(proc_read('/proc/meminfo')).toMatch(/^MemTotal:/);
  });
});
