import type { Flags, Vec } from '@rfl/alloc';
import {
  type file as c_file,
  copy_from_iter,
  copy_to_iter,
  EFAULT,
  EINVAL,
  type file_operations,
  type iov_iter,
  type kiocb,
  MISC_DYNAMIC_MINOR,
  misc_deregister,
  misc_register,
  type miscdevice,
  type module,
  this_module,
  type vm_area_struct,
} from '@rfl/kernel';
import {
  type CallbackReturn,
  drop,
  type ForeignOwnable,
  type ForeignOwnableType,
  fromResult,
  KernelError,
  move,
  toResult,
  Unit,
} from '@rfl/types';
import { File, VmArea } from './file/file.js';

type MaybePromise<T> = T | Promise<T>;

/** What `open` may return: the data, or nothing when the data is `()`. */
// biome-ignore lint/suspicious/noConfusingVoidType: an `open` with no return statement is `void`.
type OpenResult<P> = undefined extends P ? P | void : P;

/**
 * The per-call context of `readIter`/`writeIter` (`kernel::fs::Kiocb`): the file's device
 * data, borrowed, and the position the I/O happens at, which the callback moves and the
 * VFS stores back in the file.
 *
 * @example
 * ```ts
 * import { type IovIterDest, type Kiocb, MiscDeviceRegistration } from '@rfl/miscdev';
 * import { O_RDONLY, driver_core_fs_init, libc, sim_spawn, vfs_init } from '@rfl/kernel';
 * vfs_init();
 * driver_core_fs_init();
 * const seen: number[] = [];
 * const Ticker = {
 *   open: () => {},
 *   readIter(k: Kiocb<undefined>, iov: IovIterDest) {
 *     seen.push(k.pos);
 *     const n = iov.copyToIter(Uint8Array.of(1, 2));
 *     k.pos += n;
 *     return n;
 *   },
 * };
 * using reg = MiscDeviceRegistration.register(Ticker, { name: 'ticker-doc' });
 * await sim_spawn('cat', async () => {
 *   const fd = await libc.open('/dev/ticker-doc', O_RDONLY);
 *   await libc.read(fd, 8);
 *   await libc.read(fd, 8);
 *   return libc.close(fd);
 * }).exited;
 * seen // => [0, 2]
 * ```
 */
export class Kiocb<B> {
  readonly #iocb: kiocb;
  readonly #device: B;

  /** @internal */
  constructor(iocb: kiocb, device: B) {
    this.#iocb = iocb;
    this.#device = device;
  }

  /**
   * The open file's data, as `open` returned it, borrowed: a `KBox<T>` is seen as its `T`.
   *
   * @example
   * ```ts
   * import { type IovIterDest, type Kiocb, MiscDeviceRegistration } from '@rfl/miscdev';
   * import { GFP_KERNEL, KBox } from '@rfl/alloc';
   * import { O_RDONLY, driver_core_fs_init, libc, sim_spawn, vfs_init } from '@rfl/kernel';
   * vfs_init();
   * driver_core_fs_init();
   * const seen: string[] = [];
   * const Named = {
   *   Ptr: KBox,
   *   open: () => KBox.new({ name: 'vixen' }, GFP_KERNEL),
   *   readIter(k: Kiocb<{ name: string }>, _iov: IovIterDest) {
   *     seen.push(k.device.name);
   *     return 0;
   *   },
   * };
   * using reg = MiscDeviceRegistration.register(Named, { name: 'named-doc' });
   * await sim_spawn('cat', async () => {
   *   const fd = await libc.open('/dev/named-doc', O_RDONLY);
   *   await libc.read(fd, 8);
   *   return libc.close(fd);
   * }).exited;
   * seen // => ['vixen']
   * ```
   */
  get device(): B {
    return this.#device;
  }

  /**
   * The file position of this I/O (`ki_pos`); the VFS stores it back in `f_pos`. See the
   * class example: the second read starts where the first moved it.
   *
   * @example
   * ```ts
   * import type { Kiocb } from '@rfl/miscdev';
   * const rewind = (k: Kiocb<undefined>) => { k.pos = 0; };
   * typeof rewind // => 'function'
   * ```
   */
  get pos(): number {
    return this.#iocb.ki_pos;
  }

  set pos(pos: number) {
    this.#iocb.ki_pos = pos;
  }
}

/**
 * Where a `readIter` puts its bytes (`IovIterDest`): the reader's buffer, user or kernel.
 *
 * @example
 * ```ts
 * import { type IovIterDest, type Kiocb, MiscDeviceRegistration } from '@rfl/miscdev';
 * import { O_RDONLY, driver_core_fs_init, libc, sim_spawn, vfs_init } from '@rfl/kernel';
 * vfs_init();
 * driver_core_fs_init();
 * const rooms: number[] = [];
 * const Motd = {
 *   open: () => {},
 *   readIter(k: Kiocb<undefined>, iov: IovIterDest) {
 *     rooms.push(iov.len);
 *     return iov.simpleReadFromBuffer(k, new TextEncoder().encode('fox\n'));
 *   },
 * };
 * using reg = MiscDeviceRegistration.register(Motd, { name: 'motd-doc' });
 * const got: string[] = [];
 * await sim_spawn('cat', async () => {
 *   const fd = await libc.open('/dev/motd-doc', O_RDONLY);
 *   for (const n of [2, 16, 16]) {
 *     const r = await libc.read(fd, n);
 *     got.push(typeof r === 'number' ? String(r) : new TextDecoder().decode(r));
 *   }
 *   return libc.close(fd);
 * }).exited;
 * got // => ['fo', 'x\n', '']
 * rooms // => [2, 16, 16]
 * ```
 */
export class IovIterDest {
  readonly #iter: iov_iter;

  /** @internal */
  constructor(iter: iov_iter) {
    this.#iter = iter;
  }

  /**
   * The room left: what `read(2)` asked for, less what was copied. See the class example.
   *
   * @example
   * ```ts
   * import type { IovIterDest } from '@rfl/miscdev';
   * const full = (iov: IovIterDest) => iov.len === 0;
   * typeof full // => 'function'
   * ```
   */
  get len(): number {
    return this.#iter.count;
  }

  /**
   * Copies as much of `bytes` as fits and is mapped; returns how much (`copy_to_iter`). A
   * short count is not an error: the caller returns it. See {@link Kiocb}'s example.
   *
   * @example
   * ```ts
   * import type { IovIterDest } from '@rfl/miscdev';
   * const zeros = (iov: IovIterDest) => iov.copyToIter(new Uint8Array(iov.len));
   * typeof zeros // => 'function'
   * ```
   */
  copyToIter(bytes: Uint8Array): number {
    return copy_to_iter(bytes, this.#iter);
  }

  /**
   * Copies `contents` from `*ppos` on and advances `ppos` (`simple_read_from_buffer`):
   * the bytes copied, 0 at the end; `EINVAL` for a negative position, `EFAULT` when not
   * a byte could be copied. See the class example.
   *
   * @example
   * ```ts
   * import type { IovIterDest, Kiocb } from '@rfl/miscdev';
   * const motd = (k: Kiocb<undefined>, iov: IovIterDest) =>
   *   iov.simpleReadFromBuffer(k, new TextEncoder().encode('welcome\n'));
   * typeof motd // => 'function'
   * ```
   */
  simpleReadFromBuffer(ppos: { pos: number }, contents: Uint8Array): number {
    const pos = ppos.pos;
    if (pos < 0) throw new KernelError(EINVAL, 'negative position');
    if (pos >= contents.length || this.#iter.count === 0) return 0;
    const copied = copy_to_iter(contents.subarray(pos), this.#iter);
    if (copied === 0) throw new KernelError(EFAULT, 'simple_read_from_buffer: bad address');
    ppos.pos = pos + copied;
    return copied;
  }
}

/**
 * Where a `writeIter` takes its bytes from (`IovIterSource`): the writer's buffer.
 *
 * @example
 * ```ts
 * import { type IovIterSource, type Kiocb, MiscDeviceRegistration } from '@rfl/miscdev';
 * import { O_WRONLY, driver_core_fs_init, libc, sim_spawn, vfs_init } from '@rfl/kernel';
 * vfs_init();
 * driver_core_fs_init();
 * const heard: string[] = [];
 * const Ear = {
 *   open: () => {},
 *   writeIter(_k: Kiocb<undefined>, iov: IovIterSource) {
 *     const n = iov.len;
 *     heard.push(new TextDecoder().decode(iov.copyFromIter(n)));
 *     return n;
 *   },
 * };
 * using reg = MiscDeviceRegistration.register(Ear, { name: 'ear-doc' });
 * const wrote = await sim_spawn('echo', async () => {
 *   const fd = await libc.open('/dev/ear-doc', O_WRONLY);
 *   const n = await libc.write(fd, 'yip');
 *   await libc.close(fd);
 *   return n;
 * }).exited;
 * wrote // => 3
 * heard // => ['yip']
 * ```
 */
export class IovIterSource {
  readonly #iter: iov_iter;

  /** @internal */
  constructor(iter: iov_iter) {
    this.#iter = iter;
  }

  /**
   * The bytes left. See the class example.
   *
   * @example
   * ```ts
   * import type { IovIterSource } from '@rfl/miscdev';
   * const empty = (iov: IovIterSource) => iov.len === 0;
   * typeof empty // => 'function'
   * ```
   */
  get len(): number {
    return this.#iter.count;
  }

  /**
   * Takes up to `n` bytes, stopping at a fault (`copy_from_iter`). See the class example.
   *
   * @example
   * ```ts
   * import type { IovIterSource } from '@rfl/miscdev';
   * const firstByte = (iov: IovIterSource) => iov.copyFromIter(1)[0];
   * typeof firstByte // => 'function'
   * ```
   */
  copyFromIter(n: number): Uint8Array {
    return copy_from_iter(n, this.#iter);
  }

  /**
   * Appends everything left to the byte vector `vec`, reserving room with `flags` first;
   * returns the bytes appended (`copy_from_iter_vec`). `EFAULT` if none could be copied.
   * The `rust_miscdev` sample's `writeIter` is built on it.
   *
   * @example
   * ```ts
   * import '@rfl/miscdev/samples/rust_miscdev';
   * import { O_RDWR, driver_core_fs_init, driver_init, kmod_insmod, kmod_rmmod, libc, mm_init, module_reset, sim_spawn, vfs_init } from '@rfl/kernel';
   * mm_init({ quiet: true }); vfs_init(); driver_core_fs_init(); driver_init(); module_reset();
   * await kmod_insmod('rust_miscdev');
   * const back = await sim_spawn('sh', async () => {
   *   const fd = await libc.open('/dev/rust-misc-device', O_RDWR);
   *   await libc.write(fd, 'fennec');
   *   await libc.close(fd);
   *   const fd2 = await libc.open('/dev/rust-misc-device', O_RDWR);
   *   const r = await libc.read(fd2, 64);
   *   await libc.close(fd2);
   *   return typeof r === 'number' ? r : r.length;
   * }).exited;
   * back // => 6
   * await kmod_rmmod(['rust_miscdev']);
   * ```
   */
  copyFromIterVec(vec: Vec<number>, flags: Flags): number {
    const want = this.#iter.count;
    vec.reserve(want, flags);
    const bytes = copy_from_iter(want, this.#iter);
    if (bytes.length === 0 && want > 0) {
      throw new KernelError(EFAULT, 'copy_from_iter_vec: bad address');
    }
    vec.extendFromSlice(bytes, flags);
    return bytes.length;
  }
}

/**
 * A misc device of the current kernel (`kernel::miscdevice::MiscDevice`): an object, or a
 * class with static methods, whose `open` gets the file and the registration and returns
 * the per-open data (`Ptr`, any {@link ForeignOwnable}; say which kind with the `Ptr`
 * property). Every other callback borrows it; `release` gets it back. I/O goes through
 * `readIter`/`writeIter`, and ioctls get the raw command and argument.
 *
 * @example
 * ```ts
 * import type { MiscDevice } from '@rfl/miscdev';
 * const Silent = { open: () => {} } satisfies MiscDevice;
 * typeof Silent.open // => 'function'
 * ```
 */
export interface MiscDevice<P extends ForeignOwnable | undefined = undefined, B = undefined> {
  /** `type Ptr`: how to borrow and take back what `open` returned. Default: `()`. */
  readonly Ptr?: ForeignOwnableType<P, B, unknown>;
  open(file: File, misc: MiscDeviceRegistration<unknown, unknown>): MaybePromise<OpenResult<P>>;
  release?(device: P, file: File): MaybePromise<void>;
  readIter?(kiocb: Kiocb<B>, iov: IovIterDest): MaybePromise<number>;
  writeIter?(kiocb: Kiocb<B>, iov: IovIterSource): MaybePromise<number>;
  ioctl?(device: B, file: File, cmd: number, arg: number): MaybePromise<number>;
  compatIoctl?(device: B, file: File, cmd: number, arg: number): MaybePromise<number>;
  mmap?(device: B, file: File, vma: VmArea): void;
}

/**
 * What a misc device is registered with (`MiscDeviceOptions`): its name, which is also
 * its `/dev` node's, and optionally the node's mode.
 *
 * @example
 * ```ts
 * import type { MiscDeviceOptions } from '@rfl/miscdev';
 * const opts: MiscDeviceOptions = { name: 'rust-misc-device' };
 * opts.name // => 'rust-misc-device'
 * ```
 */
export interface MiscDeviceOptions {
  readonly name: string;
  readonly mode?: number;
}

function then<T, R>(value: MaybePromise<T>, fn: (v: T) => R): MaybePromise<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}

function boundary(fn: () => MaybePromise<CallbackReturn>): MaybePromise<number> {
  return fromResult(fn as () => CallbackReturn);
}

function buildFops<T extends MiscDevice<ForeignOwnable | undefined, unknown>, R>(
  device: T,
  reg: MiscDeviceRegistration<T, R>,
  owner: module | undefined,
): file_operations {
  const kind = (device.Ptr ?? Unit) as ForeignOwnableType<ForeignOwnable | undefined, unknown>;
  const borrow = (f: c_file): unknown => kind.borrow(f.private_data as number);
  const fops: file_operations = {
    open: (_node, f) =>
      boundary(() =>
        then(device.open(new File(f), reg), (ptr) => {
          // INVARIANT: from here to release, private_data is this open's foreign pointer;
          // misc_open had put the miscdevice there, which `reg` already stands for.
          f.private_data = ptr ? ptr.intoForeign() : Unit.intoForeign();
          return 0;
        }),
      ),
    release: (_node, f) =>
      boundary(() => {
        // SAFETY: the last reference to the file is gone; no callback borrows the data.
        const ptr = kind.fromForeign(f.private_data as number);
        f.private_data = undefined;
        if (device.release) return then(device.release(ptr, new File(f)), () => 0);
        if (ptr !== undefined) (ptr as Partial<Disposable>)[Symbol.dispose]?.();
        return 0;
      }),
  };
  if (owner !== undefined) fops.owner = owner;
  if (device.readIter) {
    const readIter = device.readIter.bind(device);
    fops.read_iter = (iocb, to) =>
      boundary(() => readIter(new Kiocb(iocb, borrow(iocb.ki_filp)), new IovIterDest(to)));
  }
  if (device.writeIter) {
    const writeIter = device.writeIter.bind(device);
    fops.write_iter = (iocb, from) =>
      boundary(() => writeIter(new Kiocb(iocb, borrow(iocb.ki_filp)), new IovIterSource(from)));
  }
  if (device.ioctl) {
    const ioctl = device.ioctl.bind(device);
    fops.unlocked_ioctl = (f, cmd, arg) =>
      boundary(() => ioctl(borrow(f), new File(f), cmd >>> 0, arg));
  }
  if (device.compatIoctl) {
    const compat = device.compatIoctl.bind(device);
    fops.compat_ioctl = (f, cmd, arg) =>
      boundary(() => compat(borrow(f), new File(f), cmd >>> 0, arg));
  }
  if (device.mmap) {
    const mmap = device.mmap.bind(device);
    fops.mmap = (f: c_file, vma: vm_area_struct) =>
      fromResult(() => mmap(borrow(f), new File(f), new VmArea(vma)));
  }
  return fops;
}

/**
 * A registered misc device of the current kernel (`MiscDeviceRegistration<T>`): created
 * registered by {@link MiscDeviceRegistration.register}, deregistered when disposed. Its
 * minor is dynamic (256 and up). The registering module, `THIS_MODULE` when registered
 * from a module's `init`, is pinned by every open file.
 *
 * # Invariants
 *
 * Until disposed, the `miscdevice` is registered with the kernel and its `fops` call `T`.
 *
 * @example
 * ```ts
 * import { MiscDeviceRegistration } from '@rfl/miscdev';
 * import { driver_core_fs_init, sysfs_read } from '@rfl/kernel';
 * driver_core_fs_init();
 * const Silent = { open: () => {} };
 * using reg = MiscDeviceRegistration.register(Silent, { name: 'silent-doc' });
 * sysfs_read('/sys/class/misc/silent-doc/dev') // => `10:${reg.minor}\n`
 * ```
 */
export class MiscDeviceRegistration<T, R = undefined> implements Disposable {
  readonly #device: T;
  readonly #mdev: miscdevice;
  #data: R | undefined;
  #registered = false;

  private constructor(device: T, data: R, mdev: (reg: MiscDeviceRegistration<T, R>) => miscdevice) {
    this.#device = device;
    this.#data = data;
    this.#mdev = mdev(this);
  }

  /**
   * Registers `device` as `/dev/<name>` (`MiscDeviceRegistration::register`). The device
   * type comes first because it is Rust's type parameter. `data` is the device's
   * `RegistrationData`: owned by the registration, reachable from every `open` as
   * `misc.data`, dropped after deregistration. The kernel's errors come through: `EEXIST`
   * when another device has the name, `EBUSY` when minors run out.
   *
   * ```ts should_throw=EEXIST
   * import { MiscDeviceRegistration } from '@rfl/miscdev';
   * import { driver_core_fs_init } from '@rfl/kernel';
   * driver_core_fs_init();
   * using a = MiscDeviceRegistration.register({ open: () => {} }, { name: 'twin-doc' });
   * using b = MiscDeviceRegistration.register({ open: () => {} }, { name: 'twin-doc' });
   * ```
   */
  static register<T extends MiscDevice<ForeignOwnable | undefined, unknown>, R = undefined>(
    device: T,
    options: MiscDeviceOptions,
    data?: R,
  ): MiscDeviceRegistration<T, R> {
    const owner = this_module();
    const reg = new MiscDeviceRegistration<T, R>(device, move(data) as R, (self) => ({
      minor: MISC_DYNAMIC_MINOR,
      name: options.name,
      fops: buildFops(device, self, owner),
      ...(options.mode !== undefined && { mode: options.mode }),
    }));
    // SAFETY: the miscdevice lives in the registration, which deregisters it on dispose.
    try {
      toResult(misc_register(reg.#mdev));
    } catch (e) {
      drop(reg.#data);
      throw e;
    }
    reg.#registered = true;
    return reg;
  }

  /**
   * The `RegistrationData` given to `register` (`data()`).
   *
   * @example
   * ```ts
   * import { MiscDeviceRegistration } from '@rfl/miscdev';
   * import { driver_core_fs_init } from '@rfl/kernel';
   * driver_core_fs_init();
   * using reg = MiscDeviceRegistration.register({ open: () => {} }, { name: 'data-doc' }, { foxes: 200 });
   * reg.data.foxes // => 200
   * ```
   */
  get data(): R {
    return this.#data as R;
  }

  /**
   * The device type this registration calls.
   *
   * @example
   * ```ts
   * import { MiscDeviceRegistration } from '@rfl/miscdev';
   * import { driver_core_fs_init } from '@rfl/kernel';
   * driver_core_fs_init();
   * const Dev = { open: () => {} };
   * using reg = MiscDeviceRegistration.register(Dev, { name: 'device-doc' });
   * reg.device === Dev // => true
   * ```
   */
  get device(): T {
    return this.#device;
  }

  /**
   * The minor the kernel gave the device.
   *
   * @example
   * ```ts
   * import { MiscDeviceRegistration } from '@rfl/miscdev';
   * import { driver_core_fs_init } from '@rfl/kernel';
   * driver_core_fs_init();
   * using reg = MiscDeviceRegistration.register({ open: () => {} }, { name: 'minor-doc' });
   * reg.minor >= 256 // => true
   * ```
   */
  get minor(): number {
    return this.#mdev.minor;
  }

  /**
   * The device's name (its `/dev` node).
   *
   * @example
   * ```ts
   * import { MiscDeviceRegistration } from '@rfl/miscdev';
   * import { driver_core_fs_init } from '@rfl/kernel';
   * driver_core_fs_init();
   * using reg = MiscDeviceRegistration.register({ open: () => {} }, { name: 'name-doc' });
   * reg.name // => 'name-doc'
   * ```
   */
  get name(): string {
    return this.#mdev.name;
  }

  /**
   * Deregisters the device (`misc_deregister`), then drops the registration data; a
   * second dispose does nothing.
   *
   * @example
   * ```ts
   * import { MiscDeviceRegistration } from '@rfl/miscdev';
   * import { driver_core_fs_init, sysfs_read } from '@rfl/kernel';
   * driver_core_fs_init();
   * const reg = MiscDeviceRegistration.register({ open: () => {} }, { name: 'gone-doc' });
   * reg[Symbol.dispose]();
   * reg[Symbol.dispose]();
   * sysfs_read('/sys/class/misc/gone-doc/dev') // => -2
   * ```
   */
  [Symbol.dispose](): void {
    if (!this.#registered) return;
    this.#registered = false;
    misc_deregister(this.#mdev);
    const data = this.#data;
    this.#data = undefined;
    drop(data);
  }
}
