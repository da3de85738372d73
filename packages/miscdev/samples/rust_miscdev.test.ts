import {
  dmesg_clear,
  dmesg_records,
  driver_core_fs_init,
  driver_init,
  kmemleak_scan,
  kmod_insmod,
  kmod_rmmod,
  libc,
  mm_init,
  module_reset,
  O_RDWR,
  sim_spawn,
  vfs_init,
} from '@rfl/kernel';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  RUST_MISC_DEV_GET_VALUE,
  RUST_MISC_DEV_HELLO,
  RUST_MISC_DEV_SET_VALUE,
} from './rust_miscdev.js';

beforeEach(() => {
  mm_init({ quiet: true, kasan: true, kmemleak: true });
  vfs_init();
  driver_core_fs_init();
  driver_init();
  module_reset();
  dmesg_clear();
});

const int = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
};
const texts = () => dmesg_records().map((r) => r.text);

describe('rust_miscdev', () => {
  it('answers its ioctls, refuses others with ENOTTY, and echoes what was written', async () => {
    expect((await kmod_insmod('rust_miscdev')).status).toBe(0);
    const seen: unknown[] = [];
    const code = await sim_spawn('rust-misc-user', async () => {
      const fd = await libc.open('/dev/rust-misc-device', O_RDWR);
      seen.push(await libc.ioctl(fd, RUST_MISC_DEV_HELLO, 0));
      const value = int(0);
      seen.push(await libc.ioctl(fd, RUST_MISC_DEV_GET_VALUE, value));
      seen.push(new DataView(value.buffer).getInt32(0, true));
      seen.push(await libc.ioctl(fd, RUST_MISC_DEV_SET_VALUE, int(-123)));
      seen.push(await libc.ioctl(fd, RUST_MISC_DEV_GET_VALUE, value));
      seen.push(new DataView(value.buffer).getInt32(0, true));
      seen.push(await libc.ioctl(fd, 0x7c00, 0));
      seen.push(await libc.ioctl(fd, RUST_MISC_DEV_GET_VALUE, 0x10));
      seen.push(await libc.write(fd, 'first words'));
      seen.push(await libc.write(fd, 'fox'));
      await libc.close(fd);
      const fd2 = await libc.open('/dev/rust-misc-device', O_RDWR);
      const r = await libc.read(fd2, 64);
      seen.push(typeof r === 'number' ? r : new TextDecoder().decode(r));
      seen.push(await libc.read(fd2, 64).then((b) => (typeof b === 'number' ? b : b.length)));
      seen.push(await libc.ioctl(fd2, RUST_MISC_DEV_GET_VALUE, value));
      seen.push(new DataView(value.buffer).getInt32(0, true));
      return libc.close(fd2);
    }).exited;
    expect(code).toBe(0);
    expect(seen).toEqual([0, 0, 0, 0, 0, -123, -25, -14, 11, 3, 'fox', 0, 0, -123]);
    expect(texts()).toContain('rust_miscdev: -> Hello from the Rust Misc Device');
    expect(texts()).toContain('rust_miscdev: -> Copying data from userspace (value: -123)');
    expect(texts()).toContain(`rust_miscdev: -> IOCTL not recognised: ${0x7c00}`);
    expect((await kmod_rmmod(['rust_miscdev'])).status).toBe(0);
    expect(kmemleak_scan()).toBe(0);
  });
});
