import {
  chrdev_show,
  dmesg_clear,
  dmesg_records,
  driver_core_fs_init,
  driver_init,
  kmemleak_scan,
  kmod_insmod,
  kmod_rmmod,
  libc,
  MKDEV,
  mm_init,
  module_reset,
  new_encode_dev,
  O_RDONLY,
  S_IFCHR,
  sim_spawn,
  vfs_init,
} from '@rfl/kernel';
import { beforeEach, describe, expect, it } from 'vitest';
import './rust_chrdev.js';

beforeEach(() => {
  mm_init({ quiet: true, kasan: true, kmemleak: true });
  vfs_init();
  driver_core_fs_init();
  driver_init();
  module_reset();
  dmesg_clear();
});

function majorOf(name: string): number {
  const line = chrdev_show()
    .split('\n')
    .find((l) => l.endsWith(` ${name}`));
  return line === undefined ? -1 : Number.parseInt(line, 10);
}

describe('rust_chrdev', () => {
  it('registers two minors of one region, pinned while open, all gone after rmmod', async () => {
    expect((await kmod_insmod('rust_chrdev')).status).toBe(0);
    const major = majorOf('rust_chrdev');
    expect(major).toBeGreaterThan(0);
    const seen: unknown[] = [];
    const code = await sim_spawn('sh', async () => {
      for (const minor of [0, 1, 2]) {
        // mknod(2) takes the user-space encoding of a device number.
        const dev = new_encode_dev(MKDEV(major, minor));
        await libc.mknod(`/dev/rust_chrdev${minor}`, S_IFCHR | 0o600, dev);
      }
      const fd0 = await libc.open('/dev/rust_chrdev0', O_RDONLY);
      const fd1 = await libc.open('/dev/rust_chrdev1', O_RDONLY);
      seen.push(fd0 >= 0, fd1 >= 0, await libc.open('/dev/rust_chrdev2', O_RDONLY));
      seen.push(await libc.read(fd0, 8));
      seen.push((await kmod_rmmod(['rust_chrdev'])).stderr);
      await libc.close(fd0);
      return libc.close(fd1);
    }).exited;
    expect(seen).toEqual([true, true, -6, -22, 'rmmod: ERROR: Module rust_chrdev is in use\n']);
    expect(code).toBe(0);
    expect((await kmod_rmmod(['rust_chrdev'])).status).toBe(0);
    expect(majorOf('rust_chrdev')).toBe(-1);
    expect(dmesg_records().map((r) => r.text)).toEqual([
      'rust_chrdev: Rust character device sample (init)',
      'rust_chrdev: Rust character device sample (exit)',
    ]);
    const gone = await sim_spawn('sh', async () => libc.open('/dev/rust_chrdev0', O_RDONLY)).exited;
    expect(gone).toBe(-6);
    expect(kmemleak_scan()).toBe(0);
  });
});
