import { beforeEach, describe, expect, it } from 'vitest';
import { driver_core_fs_init } from '../drivers/char/boot.js';
import { EBUSY, EINVAL, ENXIO } from '../errno.js';
import { mm_init } from '../mm/init.js';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_clear } from '../printk.js';
import { sim_spawn } from '../sched/core.js';
import { libc } from '../user/libc.js';
import {
  __register_chrdev,
  alloc_chrdev_region,
  cdev,
  cdev_add,
  cdev_alloc,
  cdev_del,
  cdev_init,
  cdev_lookup,
  chrdev_init,
  chrdev_show,
  register_chrdev,
  register_chrdev_region,
  unregister_chrdev,
  unregister_chrdev_region,
} from './char_dev.js';
import { O_RDONLY } from './fcntl.js';
import { vfs_init } from './init.js';
import { MAJOR, MINOR, MKDEV } from './kdev_t.js';
import { S_IFCHR } from './stat_mode.js';

function log_lines(): string[] {
  return dmesg({ notime: true }).split('\n');
}

function alloc(count = 1, name = 'fox'): number {
  const dev = { value: -1 };
  const err = alloc_chrdev_region(dev, 0, count, name);
  return err < 0 ? err : MAJOR(dev.value);
}

beforeEach(() => {
  chrdev_init();
  dmesg_clear();
  panic_reset();
});

describe('device number regions', () => {
  it('hands out dynamic majors from 254 down to 234, then 511 down to 384', () => {
    const majors: number[] = [];
    for (let i = 0; i < 24; i++) majors.push(alloc());
    expect(majors.slice(0, 3)).toEqual([254, 253, 252]);
    expect(majors.slice(18, 23)).toEqual([236, 235, 234, 511, 510]);
  });

  it('skips a major whose hash slot is taken by a major above 255', () => {
    expect(register_chrdev_region(MKDEV(509, 0), 1, 'big')).toBe(0);
    expect(alloc()).toBe(253);
  });

  it('reports a full dynamic range with the kernel message', () => {
    for (let i = 0; i < 21 + 128; i++) expect(alloc()).toBeGreaterThan(0);
    expect(alloc(1, 'one-too-many')).toBe(-EBUSY);
    expect(log_lines()).toContain('CHRDEV "one-too-many" dynamic allocation region is full');
  });

  it('refuses overlapping ranges of a major but not adjacent ones', () => {
    expect(register_chrdev_region(MKDEV(240, 0), 4, 'a')).toBe(0);
    expect(register_chrdev_region(MKDEV(240, 3), 2, 'b')).toBe(-EBUSY);
    expect(register_chrdev_region(MKDEV(240, 4), 2, 'b')).toBe(0);
    unregister_chrdev_region(MKDEV(240, 0), 4);
    expect(register_chrdev_region(MKDEV(240, 0), 4, 'c')).toBe(0);
  });

  it('checks the major and the minor range, with the kernel messages', () => {
    expect(register_chrdev_region(MKDEV(512, 0), 1, 'huge')).toBe(-EINVAL);
    expect(log_lines()).toContain(
      'CHRDEV "huge" major requested (512) is greater than the maximum (511)',
    );
    const dev = { value: 0 };
    expect(alloc_chrdev_region(dev, 0xffff0, 0x20, 'wide')).toBe(-EINVAL);
    expect(log_lines()).toContain(
      'CHRDEV "wide" minor range requested (1048560-1048591) is out of range of maximum range (0-1048575) for a single major',
    );
  });

  it('registers a region spanning majors, all or nothing', () => {
    expect(register_chrdev_region(MKDEV(200, 0xffffe), 4, 'span')).toBe(0);
    expect(chrdev_show()).toBe('Character devices:\n200 span\n201 span\n');
    unregister_chrdev_region(MKDEV(200, 0xffffe), 4);
    expect(register_chrdev_region(MKDEV(201, 1), 1, 'taken')).toBe(0);
    expect(register_chrdev_region(MKDEV(200, 0xffffe), 4, 'span')).toBe(-EBUSY);
    expect(chrdev_show()).toBe('Character devices:\n201 taken\n');
  });

  it('alloc_chrdev_region returns the first number of the range', () => {
    const dev = { value: 0 };
    expect(alloc_chrdev_region(dev, 5, 3, 'fox')).toBe(0);
    expect([MAJOR(dev.value), MINOR(dev.value)]).toEqual([254, 5]);
  });
});

describe('cdevs', () => {
  it('maps a number to the cdev with the smallest range, the newest among equals', () => {
    const wide = cdev_alloc();
    const narrow = cdev_alloc();
    const newer = cdev_alloc();
    cdev_add(wide, MKDEV(240, 0), 16);
    cdev_add(narrow, MKDEV(240, 2), 1);
    expect(cdev_lookup(MKDEV(240, 2))).toBe(narrow);
    expect(cdev_lookup(MKDEV(240, 3))).toBe(wide);
    cdev_add(newer, MKDEV(240, 2), 1);
    expect(cdev_lookup(MKDEV(240, 2))).toBe(newer);
    cdev_del(newer);
    cdev_del(narrow);
    expect(cdev_lookup(MKDEV(240, 2))).toBe(wide);
    expect(cdev_lookup(MKDEV(240, 16))).toBeNull();
  });

  it('warns about a cdev added at device number 0', () => {
    const c = new cdev();
    cdev_init(c, {});
    expect(cdev_add(c, 0, 1)).toBe(-EBUSY);
    expect(dmesg()).toContain('WARNING:');
  });

  it('register_chrdev returns a dynamic major, or 0 for a fixed one', () => {
    expect(register_chrdev(0, 'dyn', {})).toBe(254);
    expect(register_chrdev(60, 'fixed', {})).toBe(0);
    expect(register_chrdev(60, 'again', {})).toBe(-EBUSY);
    expect(__register_chrdev(61, 10, 2, 'part', {})).toBe(0);
    expect(cdev_lookup(MKDEV(61, 11))).not.toBeNull();
    expect(cdev_lookup(MKDEV(61, 12))).toBeNull();
    unregister_chrdev(60, 'fixed');
    expect(cdev_lookup(MKDEV(60, 0))).toBeNull();
    expect(chrdev_show()).toBe('Character devices:\n 61 part\n254 dyn\n');
  });
});

describe('opening a character device node', () => {
  beforeEach(() => {
    mm_init({ quiet: true });
    vfs_init();
    driver_core_fs_init();
  });

  it('reaches the cdev of the number, or fails with -ENXIO', async () => {
    let opened = 0;
    const c = cdev_alloc();
    c.ops = {
      open: () => {
        opened += 1;
        return 0;
      },
    };
    cdev_add(c, MKDEV(240, 0), 1);
    const task = sim_spawn('open', async () => {
      expect(await libc.mknod('/tmp/fox', S_IFCHR | 0o600, (240 << 8) | 0)).toBe(0);
      expect(await libc.mknod('/tmp/nofox', S_IFCHR | 0o600, (240 << 8) | 1)).toBe(0);
      const fd = await libc.open('/tmp/fox', O_RDONLY);
      expect(fd).toBeGreaterThanOrEqual(0);
      expect(await libc.open('/tmp/nofox', O_RDONLY)).toBe(-ENXIO);
      cdev_del(c);
      expect(await libc.open('/tmp/fox', O_RDONLY)).toBe(-ENXIO);
      return 0;
    });
    expect(await task.exited).toBe(0);
    expect(opened).toBe(1);
  });
});
