import { GFP_KERNEL, KBox, KVec } from '@rfl/alloc';
import type { UserSliceReader, UserSliceWriter } from '@rfl/io-buffer';
import {
  dmesg,
  dmesg_clear,
  driver_core_fs_init,
  driver_init,
  EPERM,
  kmod_insmod,
  kmod_lsmod,
  kmod_rmmod,
  libc,
  MAP_SHARED,
  mm_init,
  module_reset,
  O_RDONLY,
  O_RDWR,
  POLLIN,
  PROT_READ,
  SEEK_CUR,
  SEEK_END,
  SEEK_SET,
  sim_run_until_idle,
  sim_spawn,
  sysfs_read,
  vfs_init,
} from '@rfl/kernel';
import { PollCondVar } from '@rfl/sync';
import { KernelError } from '@rfl/types';
import { beforeEach, describe, expect, it } from 'vitest';
import { file, MiscDeviceRegistration, miscdev, module } from './index.js';

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

describe('the other entries', () => {
  it('poll registers on a PollCondVar and a notifyAll wakes the poller', async () => {
    const ready = PollCondVar.new();
    let readable = false;
    const Waiter = {
      open: () => {},
      poll(_d: undefined, _f: file.File, table: file.PollTable) {
        table.registerWait(ready);
        return readable ? POLLIN : 0;
      },
    } satisfies file.Operations;
    using _reg = miscdev.Registration.newPinned(Waiter, 'waiter', undefined);
    const seen: number[] = [];
    const task = sim_spawn('poller', async () => {
      const fd = await libc.open('/dev/waiter', O_RDONLY);
      const fds = [{ fd, events: POLLIN, revents: 0 }];
      seen.push(await libc.poll(fds, 0));
      seen.push(await libc.poll(fds, -1));
      seen.push(fds[0]!.revents);
      return libc.close(fd);
    });
    await sim_run_until_idle();
    expect(seen).toEqual([0]);
    readable = true;
    ready.notifyAll();
    expect(await task.exited).toBe(0);
    expect(seen).toEqual([0, 1, POLLIN]);
    await ready[Symbol.asyncDispose]();
  });

  it('fsync gets its range and datasync flag; mmap may refuse with an errno', async () => {
    const calls: string[] = [];
    const Synced = {
      open: () => {},
      fsync(_d: undefined, _f: file.File, start: number, end: number, datasync: boolean) {
        calls.push(`fsync ${start}-${end} datasync=${datasync}`);
        return 0;
      },
      mmap(_d: undefined, _f: file.File, vma: file.VmArea) {
        calls.push(`mmap ${vma.len} pgoff ${vma.pgoff}`);
        throw new KernelError(EPERM);
      },
    } satisfies file.Operations;
    const t = file.vtable(Synced);
    expect([t.HAS_FSYNC, t.HAS_MMAP, t.HAS_COMPAT_IOCTL]).toEqual([true, true, false]);
    using _reg = miscdev.Registration.newPinned(Synced, 'synced', undefined);
    const seen: number[] = [];
    await sim_spawn('sync', async () => {
      const fd = await libc.open('/dev/synced', O_RDWR);
      seen.push(await libc.fsync(fd));
      seen.push(await libc.mmap(0, 8192, PROT_READ, MAP_SHARED, fd, 4096));
      return libc.close(fd);
    }).exited;
    expect(seen).toEqual([0, -1]);
    expect(calls).toEqual([
      `fsync 0-${Number.MAX_SAFE_INTEGER} datasync=false`,
      'mmap 8192 pgoff 1',
    ]);
  });
});

describe('minors', () => {
  it('Options.minor fixes one below 255; 255 and up are refused as the kernel does', () => {
    {
      using reg = miscdev.Options.new().minor(130).registerNew(CountDown, 'fixed', 1);
      expect(reg.minor).toBe(130);
      expect(sysfs_read('/sys/class/misc/fixed/dev')).toBe('10:130\n');
    }
    expect(() => miscdev.Options.new().minor(300).registerNew(CountDown, 'too-big', 1)).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
    expect(dmesg()).toContain("Invalid fixed minor 300 for miscdevice 'too-big'");
  });

  it('write gets a reader of exactly the bytes written, and readAll takes them all', async () => {
    const got: string[] = [];
    const Sink = {
      open: () => {},
      write(_d: undefined, _f: file.File, r: UserSliceReader) {
        using v = KVec.bytes();
        const n = r.len;
        r.readAll(v, GFP_KERNEL);
        got.push(new TextDecoder().decode(v.asBytes()));
        return n;
      },
    } satisfies file.Operations;
    using _reg = miscdev.Registration.newPinned(Sink, 'sink', undefined);
    const ret = await sim_spawn('echo', async () => {
      const fd = await libc.open('/dev/sink', O_RDWR);
      const n = await libc.write(fd, 'tod and vixen');
      await libc.close(fd);
      return n;
    }).exited;
    expect(ret).toBe(13);
    expect(got).toEqual(['tod and vixen']);
  });
});
