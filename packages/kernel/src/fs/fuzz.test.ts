import { beforeAll, describe, expect, it } from 'vitest';
import { errname } from '../errno.js';
import { mm_init } from '../mm/init.js';
import { sim_user_alloc, sim_user_strdup } from '../mm/uaccess-user.js';
import { sim_run_pending, sim_spawn } from '../sched/core.js';
import { libc } from '../user/libc.js';
import { O_NONBLOCK } from './fcntl.js';
import { vfs_init } from './init.js';
import { FIOASYNC, FIOCLEX, FIONBIO, FIONREAD, FIOQSIZE } from './ioctl.js';
import { S_IFIFO } from './stat_mode.js';
import {
  sys_close,
  sys_dup,
  sys_dup2,
  sys_dup3,
  sys_fcntl,
  sys_fsync,
  sys_ioctl,
  sys_lseek,
  sys_mmap,
  sys_munmap,
  sys_open,
  sys_pipe2,
  sys_poll,
  sys_read,
  sys_write,
} from './sys_file.js';
import {
  sys_fstat,
  sys_getdents64,
  sys_lstat,
  sys_mkdir,
  sys_mknod,
  sys_newfstatat,
  sys_readlink,
  sys_rmdir,
  sys_stat,
  sys_symlink,
  sys_umask,
  sys_unlink,
} from './sys_path.js';

beforeAll(() => {
  mm_init({ quiet: true });
  vfs_init();
});

/** A fixed-seed generator (mulberry32), so every run makes the same calls. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) & 0x7fffffff;
  };
}

describe('system calls under random arguments', () => {
  it('return a number or a known negative errno for 5000 random calls', async () => {
    const rnd = mulberry32(4);
    const pick = <T>(a: readonly T[]): T => a[rnd() % a.length]!;
    const numbers = [
      0,
      1,
      2,
      3,
      -1,
      -100,
      4096,
      0x10,
      2 ** 31,
      2 ** 32 + 5,
      2 ** 53,
      Number.NaN,
      Infinity,
      1.5,
      1e20,
      0x7fffffff,
    ];
    const num = (): number => pick(numbers);
    const results = new Map<string, number>();
    const t = sim_spawn('fuzz', async () => {
      const buf = sim_user_alloc(65536);
      await libc.mknod('/tmp/fifo', S_IFIFO | 0o666);
      const names = [
        '/',
        '/tmp',
        '/tmp/a',
        '/dev',
        '/tmp/a/b',
        '..',
        '',
        '/tmp/fifo',
        'x'.repeat(300),
      ].map(sim_user_strdup);
      const ptr = (): number =>
        pick([...names, buf, buf + 65000, 0, 0x10, -1, 2 ** 47, Number.NaN]);
      const fd = (): number => rnd() % 8;
      // Every open and pipe is non-blocking: a random blocking read would wait forever here
      // exactly as it would on Linux.
      const calls: (() => Promise<number>)[] = [
        () => sys_open(ptr(), (num() & 0o37777) | O_NONBLOCK, num()),
        () => sys_open(ptr(), pick([0, 1, 2, 0o102, 0o302, 0o1002, 0o200000]) | O_NONBLOCK, 0o644),
        () => sys_close(num()),
        () => sys_read(fd(), ptr(), num()),
        () => sys_write(fd(), ptr(), pick([0, 1, 100, 5000, 70000, -1, Number.NaN])),
        () => sys_lseek(fd(), num(), num()),
        () =>
          sys_ioctl(
            fd(),
            pick([FIONREAD, FIONBIO, FIOCLEX, FIOQSIZE, FIOASYNC, rnd(), num()]),
            ptr(),
          ),
        () => sys_poll(ptr(), pick([0, 1, 2, 5000, -1, Number.NaN]), 0),
        () => sys_mmap(num(), num(), num(), num(), fd(), num()),
        () => sys_munmap(ptr(), num()),
        () => sys_dup(num()),
        () => sys_dup2(fd(), num()),
        () => sys_dup3(fd(), num(), num()),
        () => sys_pipe2(ptr(), O_NONBLOCK | (num() & ~0o4000)),
        () => sys_stat(ptr(), ptr()),
        () => sys_lstat(ptr(), ptr()),
        () => sys_fstat(num(), ptr()),
        () => sys_newfstatat(num(), ptr(), ptr(), num()),
        () => sys_getdents64(fd(), ptr(), num()),
        () => sys_mknod(ptr(), num(), num()),
        () => sys_mkdir(ptr(), num()),
        () => sys_unlink(ptr()),
        () => sys_rmdir(ptr()),
        () => sys_readlink(ptr(), ptr(), num()),
        () => sys_symlink(ptr(), ptr()),
        () => sys_fcntl(fd(), num(), num()),
        () => sys_fsync(num()),
        () => sys_umask(num()),
      ];
      for (let i = 0; i < 5000; i++) {
        const ret = await calls[rnd() % calls.length]!();
        const key =
          typeof ret !== 'number' || Number.isNaN(ret)
            ? `not a number: ${String(ret)}`
            : ret >= 0
              ? 'ok'
              : (errname(ret) ?? `unknown ${ret}`);
        results.set(key, (results.get(key) ?? 0) + 1);
        if (i % 500 === 0) for (let f = 8; f < 1024; f++) await sys_close(f);
      }
      return 0;
    });
    await sim_run_pending();
    expect(await t.exited).toBe(0);
    const keys = [...results.keys()];
    expect(keys.filter((k) => k.startsWith('not a number') || k.startsWith('unknown'))).toEqual([]);
    expect(results.get('ok')).toBeGreaterThan(300);
    expect(results.get('EFAULT')).toBeGreaterThan(100);
  });
});
