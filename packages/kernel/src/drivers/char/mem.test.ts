import { beforeEach, describe, expect, it } from 'vitest';
import { ENOSPC } from '../../errno.js';
import { O_RDONLY, O_RDWR, O_WRONLY, SEEK_SET } from '../../fs/fcntl.js';
import { vfs_init } from '../../fs/init.js';
import { sysfs_read } from '../../fs/sysfs/access.js';
import { mm_init } from '../../mm/init.js';
import { sim_spawn } from '../../sched/core.js';
import { libc } from '../../user/libc.js';
import { driver_core_fs_init } from './boot.js';
import { random_seed } from './random.js';

beforeEach(() => {
  mm_init({ quiet: true });
  vfs_init();
  driver_core_fs_init();
});

async function in_task<T>(fn: () => Promise<T>): Promise<T> {
  let out!: T;
  const t = sim_spawn('mem', async () => {
    out = await fn();
    return 0;
  });
  expect(await t.exited).toBe(0);
  return out;
}

describe('memory devices', () => {
  it('are char nodes 1:3, 1:5, 1:7, 1:8, 1:9 with mode 0666', async () => {
    const modes = await in_task(async () => {
      const out: string[] = [];
      for (const name of ['null', 'zero', 'full', 'random', 'urandom']) {
        const st = await libc.stat(`/dev/${name}`);
        if (typeof st === 'number') throw new Error(`stat ${name}: ${st}`);
        out.push(`${name} ${st.mode.toString(8)}`);
      }
      return out;
    });
    expect(modes).toEqual([
      'null 20666',
      'zero 20666',
      'full 20666',
      'random 20666',
      'urandom 20666',
    ]);
    expect(sysfs_read('/sys/class/mem/urandom/dev')).toBe('1:9\n');
  });

  it('/dev/null reads end of file and swallows writes', async () => {
    const [r, w, pos] = await in_task(async () => {
      const fd = await libc.open('/dev/null', O_RDWR);
      return [
        await libc.read(fd, 10),
        await libc.write(fd, 'gone'),
        await libc.lseek(fd, 5, SEEK_SET),
      ];
    });
    expect(r).toEqual(new Uint8Array(0));
    expect(w).toBe(4);
    expect(pos).toBe(0);
  });

  it('/dev/zero reads zeros and swallows writes', async () => {
    const [r, w] = await in_task(async () => {
      const fd = await libc.open('/dev/zero', O_RDWR);
      return [await libc.read(fd, 5000), await libc.write(fd, 'x')];
    });
    expect(r).toEqual(new Uint8Array(5000));
    expect(w).toBe(1);
  });

  it('/dev/full reads zeros and refuses writes with -ENOSPC', async () => {
    const [r, w] = await in_task(async () => {
      const fd = await libc.open('/dev/full', O_RDWR);
      return [await libc.read(fd, 3), await libc.write(fd, 'x')];
    });
    expect(r).toEqual(new Uint8Array(3));
    expect(w).toBe(-ENOSPC);
  });

  it('/dev/urandom gives the same bytes for the same seed', async () => {
    const read16 = () =>
      in_task(async () => {
        const fd = await libc.open('/dev/urandom', O_RDONLY);
        return libc.read(fd, 16);
      });
    random_seed(7);
    const a = await read16();
    const b = await read16();
    random_seed(7);
    const c = await read16();
    expect(a).toEqual(c);
    expect(a).not.toEqual(b);
    const w = await in_task(async () =>
      libc.write(await libc.open('/dev/urandom', O_WRONLY), 'seed'),
    );
    expect(w).toBe(4);
  });
});
