import { GFP_KERNEL, KBox } from '@rfl/alloc';
import type { UserSliceWriter } from '@rfl/io-buffer';
import {
  dmesg,
  dmesg_clear,
  driver_core_fs_init,
  driver_init,
  ENOMEM,
  failslab,
  fault_inject_reset,
  get_fail_nth,
  kmemleak_scan,
  kmod_insmod,
  kmod_rmmod,
  libc,
  mm_init,
  module_reset,
  O_RDONLY,
  O_RDWR,
  panic_reset,
  set_fail_nth,
  sim_spawn,
  vfs_init,
} from '@rfl/kernel';
import { KernelError } from '@rfl/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import '../samples/rust_miscdev.js';
import { type file, MiscDeviceRegistration, miscdev, module } from './index.js';

function boot(): void {
  mm_init({ quiet: true, kasan: true, kmemleak: true });
  vfs_init();
  driver_core_fs_init();
  driver_init();
  module_reset();
  dmesg_clear();
}

beforeEach(boot);

afterEach(() => {
  set_fail_nth(0);
  fault_inject_reset();
  panic_reset();
});

const Nothing = { open: () => {} } satisfies file.Operations;

/** The old tree's shape: OpenData is a box the registration owns; each open boxes a count. */
const Boxed = {
  Data: KBox,
  open: (start: KBox<number>) => KBox.new({ left: start.value }, GFP_KERNEL),
  read(c: { left: number }, _f: file.File, w: UserSliceWriter) {
    if (c.left === 0) return 0;
    w.writeSlice(Uint8Array.of(0x41));
    c.left -= 1;
    return 1;
  },
} satisfies file.Operations<KBox<number>, KBox<{ left: number }>, { left: number }>;

class BoxedModule {
  readonly #reg: miscdev.Registration<KBox<number>>;
  constructor(reg: miscdev.Registration<KBox<number>>) {
    this.#reg = reg;
  }
  static init(): BoxedModule {
    return new BoxedModule(
      miscdev.Options.new().mode(0o444).registerNew(Boxed, 'boxed', KBox.new(3, GFP_KERNEL)),
    );
  }
  [Symbol.dispose](): void {
    this.#reg[Symbol.dispose]();
  }
}
module({ type: BoxedModule, name: 'boxed_test', license: 'GPL' });

describe('registering twice', () => {
  it('the same old-style registration: EINVAL, the first stays', () => {
    using reg = miscdev.Registration.new(Nothing);
    reg.register('twice', undefined);
    const minor = reg.minor;
    expect(() => reg.register('twice', undefined)).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
    expect(reg.minor).toBe(minor);
  });

  it('a second device with the same name: EEXIST; after dispose the name is free', () => {
    const a = MiscDeviceRegistration.register(Nothing, { name: 'same' });
    const minor = a.minor;
    expect(() => MiscDeviceRegistration.register(Nothing, { name: 'same' })).toThrow(
      expect.objectContaining({ code: 'EEXIST' }),
    );
    a[Symbol.dispose]();
    using b = MiscDeviceRegistration.register(Nothing, { name: 'same' });
    expect(b.minor).toBe(minor);
  });

  it('a failed registration drops the data it was given', () => {
    using a = miscdev.Registration.newPinned(Nothing, 'taken', undefined);
    const data = KBox.new(1, GFP_KERNEL);
    expect(() => miscdev.Registration.newPinned(Boxed, 'taken', data)).toThrow(
      expect.objectContaining({ code: 'EEXIST' }),
    );
    expect(kmemleak_scan()).toBe(0);
    expect(a.isRegistered()).toBe(true);
  });
});

describe('forgetting to dispose', () => {
  it('a module exit that forgets its registration leaks the OpenData: kmemleak says so at rmmod', async () => {
    class Forgetful {
      constructor(readonly reg: miscdev.Registration<KBox<number>>) {}
      static init(): Forgetful {
        return new Forgetful(
          miscdev.Registration.newPinned(Boxed, 'forgetful', KBox.new(9, GFP_KERNEL)),
        );
      }
      [Symbol.dispose](): void {}
    }
    module({ type: Forgetful, name: 'forgetful', license: 'GPL' });
    expect((await kmod_insmod('forgetful')).status).toBe(0);
    expect((await kmod_rmmod(['forgetful'])).status).toBe(0);
    expect(dmesg()).toContain('kmemleak: 1 new suspected memory leaks');
    // The device outlived its module: opening it cannot pin the code any more.
    const fd = await sim_spawn('cat', async () => libc.open('/dev/forgetful', O_RDONLY)).exited;
    expect(fd).toBe(-19);
  });
});

describe('exceptions in callbacks', () => {
  it('a KernelError becomes the errno of the system call', async () => {
    const Failing = {
      open: () => {
        throw new KernelError(ENOMEM);
      },
    } satisfies file.Operations;
    using reg = miscdev.Registration.newPinned(Failing, 'failing', undefined);
    const ret = await sim_spawn('cat', async () => libc.open('/dev/failing', O_RDONLY)).exited;
    expect(ret).toBe(-12);
    expect(reg.isRegistered()).toBe(true);
  });

  it('any other exception is an Oops: the reader dies, its file is closed, the module can go', async () => {
    const Buggy = {
      open: () => {},
      read: (): number => {
        throw new TypeError("Cannot read properties of undefined (reading 'left')");
      },
    } satisfies file.Operations;
    class BuggyModule {
      constructor(readonly reg: miscdev.Registration<undefined>) {}
      static init(): BuggyModule {
        return new BuggyModule(miscdev.Registration.newPinned(Buggy, 'buggy', undefined));
      }
      [Symbol.dispose](): void {
        this.reg[Symbol.dispose]();
      }
    }
    module({ type: BuggyModule, name: 'buggy', license: 'GPL' });
    expect((await kmod_insmod('buggy')).status).toBe(0);
    const reached: string[] = [];
    await sim_spawn('cat', async () => {
      const fd = await libc.open('/dev/buggy', O_RDONLY);
      reached.push('open');
      await libc.read(fd, 8);
      reached.push('after read');
      return 0;
    }).exited;
    expect(reached).toEqual(['open']);
    expect(dmesg()).toContain('BUG: unhandled exception in cat/');
    expect(dmesg()).toContain('Oops');
    expect((await kmod_rmmod(['buggy'])).status).toBe(0);
  });
});

/**
 * Fails the nth allocation of a user task that loads `name`, opens `node`, writes, reads,
 * closes and unloads, for n = 1, 2, … until a run injects no failure. Every run must end
 * with nothing leaked and no KASAN report. Returns what each run that injected a failure
 * saw: `insmod`'s status, then open's, write's and read's results.
 */
async function sweep(name: string, node: string): Promise<string[]> {
  const runs: string[] = [];
  for (let n = 1; ; n++) {
    let seen = '';
    boot();
    failslab.ignore_gfp_reclaim = false;
    failslab.attr.verbose = 0;
    const injected = await sim_spawn('sweep', async () => {
      set_fail_nth(n);
      const loaded = await kmod_insmod(name);
      seen = `insmod ${loaded.status}`;
      if (loaded.status === 0) {
        const fd = await libc.open(node, O_RDWR);
        seen += ` open ${fd >= 0 ? 'ok' : fd}`;
        if (fd >= 0) {
          seen += ` write ${await libc.write(fd, 'fox')}`;
          const r = await libc.read(fd, 16);
          seen += ` read ${typeof r === 'number' ? r : r.length}`;
          await libc.close(fd);
        }
      }
      const hit = get_fail_nth() === 0;
      set_fail_nth(0);
      if (loaded.status === 0) await kmod_rmmod([name]);
      return hit ? 1 : 0;
    }).exited;
    fault_inject_reset();
    expect({ n, leaks: kmemleak_scan() }).toEqual({ n, leaks: 0 });
    expect(dmesg()).not.toContain('BUG: KASAN');
    expect(dmesg()).not.toContain('Oops');
    if (injected !== 1) return runs;
    runs.push(seen);
  }
}

describe('failslab sweep', () => {
  it('rust_miscdev: every failing allocation of insmod/open/read/write/close leaks nothing', async () => {
    // The module's Arc, the VFS's struct file, then the buffer a write grows.
    expect(await sweep('rust_miscdev', '/dev/rust-misc-device')).toEqual([
      'insmod 1',
      'insmod 0 open -12',
      'insmod 0 open ok write -12 read 0',
    ]);
  });

  it('the old-style registration with boxed OpenData and per-open data leaks nothing', async () => {
    // The OpenData box, the VFS's struct file, then the per-open box.
    expect(await sweep('boxed_test', '/dev/boxed')).toEqual([
      'insmod 1',
      'insmod 0 open -12',
      'insmod 0 open -12',
    ]);
  });
});
