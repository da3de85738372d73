import { GFP_KERNEL, KBox } from '@rfl/alloc';
import type { UserSliceWriter } from '@rfl/io-buffer';
import {
  dmesg_clear,
  driver_core_fs_init,
  driver_init,
  kmod_insmod,
  kmod_lsmod,
  kmod_rmmod,
  libc,
  mm_init,
  module_reset,
  O_RDONLY,
  O_RDWR,
  SEEK_CUR,
  SEEK_END,
  SEEK_SET,
  sim_spawn,
  vfs_init,
} from '@rfl/kernel';
import { beforeEach, describe, expect, it } from 'vitest';
import { type file, MiscDeviceRegistration, miscdev, module } from './index.js';

beforeEach(() => {
  mm_init({ quiet: true, kasan: true, kmemleak: true });
  vfs_init();
  driver_core_fs_init();
  driver_init();
  module_reset();
  dmesg_clear();
});

const text = (r: Uint8Array | number) => (typeof r === 'number' ? r : new TextDecoder().decode(r));

class Counter {
  constructor(public left: number) {}
}

/** A small device: each open counts down from OpenData; read writes the count as text. */
const CountDown = {
  Data: KBox,
  open: (start: number) => KBox.new(new Counter(start), GFP_KERNEL),
  read(c: Counter, _f: file.File, w: UserSliceWriter) {
    if (c.left === 0 || w.isEmpty()) return 0;
    const b = new TextEncoder().encode(`${c.left}\n`);
    if (b.length > w.len) return 0;
    w.writeSlice(b);
    c.left -= 1;
    return b.length;
  },
  seek(_c: Counter, f: file.File, to: file.SeekFrom) {
    if (to.whence === 'Start') return to.offset;
    if (to.whence === 'Current') return f.pos + to.offset;
    return 100 + to.offset;
  },
} satisfies file.Operations<number, KBox<Counter>, Counter>;

describe('miscdev.Registration through the VFS', () => {
  it('open gets OpenData, read advances f_pos, release drops the data', async () => {
    const seen: unknown[] = [];
    using reg = miscdev.Options.new().mode(0o444).registerNew(CountDown, 'countdown', 3);
    const code = await sim_spawn('cat', async () => {
      const fd = await libc.open('/dev/countdown', O_RDONLY);
      for (let i = 0; i < 4; i++) seen.push(text(await libc.read(fd, 64)));
      seen.push(await libc.lseek(fd, 0, SEEK_CUR));
      seen.push(await libc.lseek(fd, -3, SEEK_CUR));
      seen.push(await libc.lseek(fd, -7, SEEK_SET));
      seen.push(await libc.lseek(fd, -200, SEEK_END));
      seen.push(await libc.lseek(fd, 5, 3));
      seen.push(await libc.write(fd, 'x'));
      seen.push(await libc.ioctl(fd, 0x1234, 0));
      return libc.close(fd);
    }).exited;
    expect(code).toBe(0);
    expect(seen).toEqual(['3\n', '2\n', '1\n', '', 6, 3, -22, -22, -22, -9, -25]);
    expect(reg.minor).toBeGreaterThanOrEqual(256);
  });
});

describe('module() with a misc device', () => {
  it('pins the module while a file is open', async () => {
    class Foxes {
      constructor(readonly reg: MiscDeviceRegistration<typeof FoxDev>) {}
      static init() {
        return new Foxes(MiscDeviceRegistration.register(FoxDev, { name: 'pinned', mode: 0o444 }));
      }
      [Symbol.dispose]() {
        this.reg[Symbol.dispose]();
      }
    }
    const FoxDev = { open: () => {} };
    module({ type: Foxes, name: 'pinned_test', license: 'GPL' });
    expect((await kmod_insmod('pinned_test')).status).toBe(0);
    const seen: unknown[] = [];
    const code = await sim_spawn('sh', async () => {
      const fd = await libc.open('/dev/pinned', O_RDWR);
      seen.push(fd >= 0);
      seen.push(text(await libc.read(fd, 4)));
      const busy = await kmod_rmmod(['pinned_test']);
      seen.push(busy.stderr);
      return libc.close(fd);
    }).exited;
    expect(code).toBe(0);
    expect(seen).toEqual([true, -22, 'rmmod: ERROR: Module pinned_test is in use\n']);
    expect((await kmod_rmmod(['pinned_test'])).status).toBe(0);
    expect(kmod_lsmod().stdout).not.toContain('pinned_test');
  });
});
