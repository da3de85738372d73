import { beforeEach, describe, expect, it } from 'vitest';
import { driver_core_fs_init } from '../../drivers/char/boot.js';
import { EACCES, EIO } from '../../errno.js';
import { kobject_create_and_add, kobject_put } from '../../lib/kobject.js';
import { kernel_kobj } from '../../lib/kobject_roots.js';
import { mm_init } from '../../mm/init.js';
import { sim_spawn } from '../../sched/core.js';
import { libc } from '../../user/libc.js';
import { O_RDONLY, O_RDWR, O_WRONLY, SEEK_SET } from '../fcntl.js';
import { vfs_init } from '../init.js';
import { __ATTR, __ATTR_RW, sysfs_create_file } from './file.js';

beforeEach(() => {
  mm_init({ quiet: true });
  vfs_init();
  driver_core_fs_init();
});

async function in_task<T>(fn: () => Promise<T>): Promise<T> {
  let out!: T;
  const t = sim_spawn('sysfs', async () => {
    out = await fn();
    return 0;
  });
  expect(await t.exited).toBe(0);
  return out;
}

const text = (r: Uint8Array | number) => (typeof r === 'number' ? r : new TextDecoder().decode(r));

describe('sysfs mounted at /sys', () => {
  it('reads with show, writes with store, and shows one show per read from offset 0', async () => {
    let shows = 0;
    let value = 'red';
    const den = kobject_create_and_add('den', kernel_kobj)!;
    sysfs_create_file(
      den,
      __ATTR_RW(
        'color',
        () => {
          shows += 1;
          return `${value}\n`;
        },
        (_k, _a, buf) => {
          value = buf.trim();
          return buf.length;
        },
      ),
    );
    const out = await in_task(async () => {
      const fd = await libc.open('/sys/kernel/den/color', O_RDWR);
      const a = text(await libc.read(fd, 2));
      const b = text(await libc.read(fd, 10));
      const w = await libc.write(fd, 'blue\n');
      await libc.lseek(fd, 0, SEEK_SET);
      const c = text(await libc.read(fd, 10));
      return [a, b, w, c];
    });
    expect(out).toEqual(['re', 'd\n', 5, 'blue\n']);
    expect(shows).toBe(2);
    kobject_put(den);
  });

  it('refuses at open what the mode forbids, root included, and -EIO without a method', async () => {
    const den = kobject_create_and_add('den', kernel_kobj)!;
    sysfs_create_file(
      den,
      __ATTR('noshow', 0o644, null, (_k, _a, b) => b.length),
    );
    const out = await in_task(async () => [
      await libc.open('/sys/kernel/uevent_seqnum', O_WRONLY),
      text(await libc.read(await libc.open('/sys/kernel/den/noshow', O_RDONLY), 10)),
    ]);
    expect(out).toEqual([-EACCES, -EIO]);
  });

  it('lists directories and resolves the class links to the device', async () => {
    const out = await in_task(async () => {
      const dir = await libc.readdir('/sys/class/misc');
      const link = await libc.readlink('/sys/class/mem/null');
      const dev = text(await libc.read(await libc.open('/sys/class/mem/null/dev', O_RDONLY), 16));
      return [dir, link, dev];
    });
    expect(out[0]).toEqual([
      expect.objectContaining({ d_name: '.' }),
      expect.objectContaining({ d_name: '..' }),
    ]);
    expect(out[1]).toBe('../../devices/virtual/mem/null');
    expect(out[2]).toBe('1:3\n');
  });

  it('keeps debugfs mounted on /sys/kernel/debug', async () => {
    const names = await in_task(async () => {
      const r = await libc.readdir('/sys/kernel/debug');
      return typeof r === 'number' ? r : r.map((e) => e.d_name);
    });
    expect(names).toEqual(['.', '..', 'failslab', 'fail_page_alloc', 'kmemleak']);
  });
});
