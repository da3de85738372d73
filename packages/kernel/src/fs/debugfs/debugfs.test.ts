import { beforeEach, describe, expect, it } from 'vitest';
import { driver_core_fs_init } from '../../drivers/char/boot.js';
import { EACCES, EEXIST, EINVAL, EIO, ERANGE } from '../../errno.js';
import { failslab } from '../../mm/fault-inject.js';
import { mm_init } from '../../mm/init.js';
import { dmesg, dmesg_clear } from '../../printk.js';
import { sim_spawn } from '../../sched/core.js';
import { libc } from '../../user/libc.js';
import { O_RDONLY, O_RDWR, O_WRONLY } from '../fcntl.js';
import { vfs_init } from '../init.js';
import {
  debugfs_create_bool,
  debugfs_create_u8,
  debugfs_create_u32,
  debugfs_create_x32,
  debugfs_text_fops,
  kstrtobool,
  kstrtoull,
} from './file.js';
import {
  debugfs_create_dir,
  debugfs_create_file,
  debugfs_lookup,
  debugfs_remove,
} from './inode.js';

beforeEach(() => {
  mm_init({ quiet: true, kmemleak: true });
  vfs_init();
  driver_core_fs_init();
  dmesg_clear();
});

async function in_task<T>(fn: () => Promise<T>): Promise<T> {
  let out!: T;
  const t = sim_spawn('dbg', async () => {
    out = await fn();
    return 0;
  });
  expect(await t.exited).toBe(0);
  return out;
}

async function cat(path: string): Promise<string | number> {
  return in_task(async () => {
    const fd = await libc.open(path, O_RDONLY);
    if (fd < 0) return fd;
    const r = await libc.read(fd, 4096);
    return typeof r === 'number' ? r : new TextDecoder().decode(r);
  });
}

async function echo(path: string, text: string): Promise<number> {
  return in_task(async () => {
    const fd = await libc.open(path, O_WRONLY);
    if (fd < 0) return fd;
    return libc.write(fd, text);
  });
}

describe('kstrtoull and kstrtobool', () => {
  it('parse as the kernel does', () => {
    expect(kstrtoull('42\n')).toBe(42n);
    expect(kstrtoull('0x1F')).toBe(31n);
    expect(kstrtoull('017')).toBe(15n);
    expect(kstrtoull('0')).toBe(0n);
    expect(kstrtoull('12 ')).toBe(-EINVAL);
    expect(kstrtoull('')).toBe(-EINVAL);
    expect(kstrtoull('-1')).toBe(-EINVAL);
    expect(kstrtoull('18446744073709551616')).toBe(-ERANGE);
    expect([kstrtobool('Yes'), kstrtobool('0'), kstrtobool('on'), kstrtobool('of')]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect(kstrtobool('maybe')).toBe(-EINVAL);
  });
});

describe('debugfs', () => {
  it('reads and writes a u32 through the variable', async () => {
    const dir = debugfs_create_dir('foxes', null);
    if (typeof dir === 'number') throw new Error('dir');
    const count = { value: 3 };
    debugfs_create_u32('count', 0o644, dir, count);
    expect(await cat('/sys/kernel/debug/foxes/count')).toBe('3\n');
    expect(await echo('/sys/kernel/debug/foxes/count', '0x10\n')).toBe(5);
    expect(count.value).toBe(16);
    expect(await echo('/sys/kernel/debug/foxes/count', 'many')).toBe(-EINVAL);
    expect(await echo('/sys/kernel/debug/foxes/count', '4294967297')).toBe(10);
    expect(count.value).toBe(1);
  });

  it('formats x32, truncates u8 and parses bool', async () => {
    const reg = { value: 0xbeef };
    const small = { value: 0 };
    const on = { value: false };
    debugfs_create_x32('reg', 0o600, null, reg);
    debugfs_create_u8('small', 0o600, null, small);
    debugfs_create_bool('on', 0o600, null, on);
    expect(await cat('/sys/kernel/debug/reg')).toBe('0x0000beef\n');
    await echo('/sys/kernel/debug/small', '300');
    expect(small.value).toBe(44);
    expect(await echo('/sys/kernel/debug/on', 'y\n')).toBe(2);
    expect(await cat('/sys/kernel/debug/on')).toBe('Y\n');
    expect(await echo('/sys/kernel/debug/on', 'perhaps')).toBe(-EINVAL);
  });

  it('refuses writes to a read-only value file and reads of a write-only one', async () => {
    debugfs_create_u32('ro', 0o444, null, { value: 1 });
    debugfs_create_u32('wo', 0o200, null, { value: 1 });
    expect(await echo('/sys/kernel/debug/ro', '2')).toBe(-EACCES);
    expect(await cat('/sys/kernel/debug/wo')).toBe(-EACCES);
  });

  it('fails a taken name with -EEXIST and the kernel message', () => {
    const dir = debugfs_create_dir('den', null);
    expect(debugfs_create_dir('den', null)).toBe(-EEXIST);
    expect(dmesg()).toContain("debugfs: Directory 'den' with parent '/' already present!");
    if (typeof dir === 'number') throw new Error('dir');
    debugfs_create_file('kit', 0o444, dir, null, {});
    expect(debugfs_create_file('kit', 0o444, dir, null, {})).toBe(-EEXIST);
    expect(dmesg()).toContain("debugfs: File 'kit' in directory 'den' already present!");
  });

  it('passes the errno of a failed parent on, as ERR_PTR parents do', () => {
    debugfs_create_dir('dup', null);
    const failed = debugfs_create_dir('dup', null);
    expect(failed).toBe(-EEXIST);
    expect(debugfs_create_file('child', 0o444, failed, null, {})).toBe(-EEXIST);
    expect(debugfs_lookup('child', failed)).toBeNull();
    debugfs_create_u32('value', 0o644, failed, { value: 1 });
    debugfs_remove(failed);
  });

  it('makes the operations of a removed file fail with -EIO', async () => {
    const fops = debugfs_text_fops(() => 'alive\n', null);
    const d = debugfs_create_file('brief', 0o444, null, null, fops);
    const r = await in_task(async () => {
      const fd = await libc.open('/sys/kernel/debug/brief', O_RDONLY);
      const first = await libc.read(fd, 2);
      debugfs_remove(d);
      return [first, await libc.read(fd, 10), await libc.open('/sys/kernel/debug/brief', O_RDONLY)];
    });
    expect(r[0]).toEqual(new TextEncoder().encode('al'));
    expect(r[1]).toBe(-EIO);
    expect(r[2]).toBe(-2);
    expect(debugfs_lookup('brief', null)).toBeNull();
  });

  it('has the fault-injection attributes and kmemleak', async () => {
    expect(await cat('/sys/kernel/debug/failslab/ignore-gfp-wait')).toBe('Y\n');
    expect(await echo('/sys/kernel/debug/failslab/probability', '50\n')).toBe(3);
    expect(failslab.attr.probability).toBe(50);
    expect(await echo('/sys/kernel/debug/failslab/times', 'x')).toBe(-EINVAL);
    expect(await cat('/sys/kernel/debug/kmemleak')).toBe('');
    expect(await echo('/sys/kernel/debug/kmemleak', 'scan\n')).toBe(5);
    expect(await echo('/sys/kernel/debug/kmemleak', 'rescan')).toBe(-EINVAL);
    expect(
      await in_task(async () => libc.open('/sys/kernel/debug/fail_page_alloc/min-order', O_RDWR)),
    ).toBeGreaterThanOrEqual(0);
  });
});
