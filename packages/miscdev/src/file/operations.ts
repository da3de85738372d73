import { UserSlice, type UserSliceReader, type UserSliceWriter } from '@rfl/io-buffer';
import {
  type file as c_file,
  EINVAL,
  type file_operations,
  type inode,
  type loff_ref,
  type module,
  type poll_table,
  SEEK_CUR,
  SEEK_END,
  SEEK_SET,
  type vm_area_struct,
} from '@rfl/kernel';
import {
  type CallbackReturn,
  type ForeignOwnable,
  type ForeignOwnableType,
  fromResult,
  KernelError,
  Unit,
} from '@rfl/types';
import { File, PollTable, type SeekFrom, VmArea } from './file.js';
import { IoctlCommand } from './ioctl.js';

type MaybePromise<T> = T | Promise<T>;

/** What `open` may return: the data, or nothing when the data is `()`. */
// biome-ignore lint/suspicious/noConfusingVoidType: an `open` with no return statement is `void`.
type OpenResult<D> = undefined extends D ? D | void : D;

/**
 * A driver's file operations (`kernel::file::Operations` with `#[vtable]`): an object, or a
 * class with static methods, that provides `open` and any of the other entries. What it
 * does not provide keeps the kernel's default for that entry (see {@link vtable}).
 *
 * The two associated types of the seed:
 * - `OpenData` (first type parameter): what the registration was given, passed to every
 *   `open` (the seed's `()`; an `Arc` for a count shared by all openers);
 * - `Data`: what `open` returns, owned by the open file: a {@link ForeignOwnable} (`KBox`,
 *   `Arc`, …) stored in `private_data`, *borrowed* (`B`) by every other callback and given
 *   back to `release`, which drops it. Say which kind it is with the `Data` property
 *   (`Data: KBox`); without one, `open` returns nothing and the callbacks get `undefined`.
 *
 * Every callback may be `async` (it may sleep) and reports errors by throwing a
 * `KernelError`; the vtable turns that into `-errno` for the C side.
 *
 * @example
 * ```ts
 * import { file } from '@rfl/miscdev';
 * import { GFP_KERNEL, KBox } from '@rfl/alloc';
 * import type { UserSliceWriter } from '@rfl/io-buffer';
 * const Greeter = {
 *   Data: KBox,
 *   open: (greeting: string) => KBox.new(new TextEncoder().encode(greeting), GFP_KERNEL),
 *   read(data: Uint8Array, _f: file.File, writer: UserSliceWriter, offset: number) {
 *     const chunk = data.subarray(offset, offset + writer.len);
 *     writer.writeSlice(chunk);
 *     return chunk.length;
 *   },
 * } satisfies file.Operations<string, KBox<Uint8Array>, Uint8Array>;
 * file.vtable(Greeter).HAS_READ // => true
 * ```
 */
export interface Operations<
  OpenData = undefined,
  D extends ForeignOwnable | undefined = undefined,
  B = undefined,
> {
  /** `type Data`: how to borrow and take back what `open` returned. Default: `()`. */
  readonly Data?: ForeignOwnableType<D, B, unknown>;
  /** Opens the file; returns the per-open data. */
  open(context: OpenData, file: File): MaybePromise<OpenResult<D>>;
  /** The last close: `data` is the per-open data, to drop or keep. Cannot fail. */
  release?(data: D, file: File): MaybePromise<void>;
  /** `read(2)` at `offset`: writes to `writer`, returns the bytes written (0 at the end). */
  read?(data: B, file: File, writer: UserSliceWriter, offset: number): MaybePromise<number>;
  /** `write(2)` at `offset`: reads from `reader`, returns the bytes consumed. */
  write?(data: B, file: File, reader: UserSliceReader, offset: number): MaybePromise<number>;
  /** `lseek(2)`: returns the new position, which becomes `f_pos`. */
  seek?(data: B, file: File, offset: SeekFrom): number;
  /** `ioctl(2)`: usually `cmd.dispatch(...)`; returns the syscall's value. */
  ioctl?(data: B, file: File, cmd: IoctlCommand): MaybePromise<number>;
  /** `ioctl(2)` from a 32-bit process on a 64-bit kernel. */
  compatIoctl?(data: B, file: File, cmd: IoctlCommand): MaybePromise<number>;
  /** `poll(2)`: registers wait queues on `table`, returns the `EPOLL*` mask. */
  poll?(data: B, file: File, table: PollTable): number;
  /** `mmap(2)`: accepts (returns) or refuses (throws) the new area. */
  mmap?(data: B, file: File, vma: VmArea): void;
  /** `fsync(2)`/`fdatasync(2)` of `[start, end]`. */
  fsync?(data: B, file: File, start: number, end: number, datasync: boolean): MaybePromise<number>;
}

/**
 * How an `open` finds its `OpenData` from the C arguments (`OpenAdapter`): a misc device
 * finds its registration through the `miscdevice` that `misc_open` put in `private_data`,
 * a character device region has none.
 *
 * @example
 * ```ts
 * import { file } from '@rfl/miscdev';
 * const none: file.OpenAdapter<undefined> = () => undefined;
 * none // => none
 * ```
 */
export type OpenAdapter<OpenData> = (inode: inode, file: c_file) => OpenData;

/**
 * What `#[vtable]` derives from an {@link Operations}: a `HAS_*` constant for each optional
 * entry, and the C `file_operations` whose entries exist only for those the driver
 * provides, so the kernel's default applies to the rest — exactly as C drivers leave a
 * field NULL.
 *
 * @example
 * ```ts
 * import { file } from '@rfl/miscdev';
 * const t = file.vtable({ open: () => {} });
 * [t.HAS_READ, t.HAS_IOCTL, t.fops.read, t.fops.unlocked_ioctl] // => [false, false, undefined, undefined]
 * typeof t.fops.open // => 'function'
 * ```
 */
export interface VTable {
  readonly HAS_RELEASE: boolean;
  readonly HAS_READ: boolean;
  readonly HAS_WRITE: boolean;
  readonly HAS_SEEK: boolean;
  readonly HAS_IOCTL: boolean;
  readonly HAS_COMPAT_IOCTL: boolean;
  readonly HAS_POLL: boolean;
  readonly HAS_MMAP: boolean;
  readonly HAS_FSYNC: boolean;
  /** The C table; its `owner` is pinned while a file uses it. */
  readonly fops: file_operations;
}

function then<T, R>(value: MaybePromise<T>, fn: (v: T) => R): MaybePromise<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}

/** `from_result` for a callback that may or may not be async. */
function boundary(fn: () => MaybePromise<CallbackReturn>): MaybePromise<number> {
  return fromResult(fn as () => CallbackReturn);
}

/** The loff_t a callback sees: the kernel has no `FMODE_UNSIGNED_OFFSET` here. */
function offsetOf(pos: number): number {
  if (pos < 0) throw new KernelError(EINVAL, 'negative file offset');
  return pos;
}

function seekFrom(offset: number, whence: number): SeekFrom {
  switch (whence) {
    case SEEK_SET:
      if (offset < 0) throw new KernelError(EINVAL, 'SEEK_SET to a negative offset');
      return { whence: 'Start', offset };
    case SEEK_CUR:
      return { whence: 'Current', offset };
    case SEEK_END:
      return { whence: 'End', offset };
    default:
      throw new KernelError(EINVAL, `unsupported whence ${whence}`);
  }
}

/**
 * Builds the vtable of `ops` (`OperationsVtable::<A, T>::build()`): the C entries call the
 * driver's methods through `fromResult`, so a thrown `KernelError` becomes `-errno` and
 * any other exception is an Oops of the calling task. `adapter` gives `open` its
 * `OpenData`; `owner` is `THIS_MODULE` for the module the driver lives in.
 *
 * - `open` stores the per-open data's foreign pointer in `private_data`; `release` takes
 *   it back and hands it to the driver's `release` (or drops it);
 * - `read`/`write` wrap the user buffer in a {@link UserSlice} writer/reader, pass `f_pos`
 *   as the offset and advance it by the count returned;
 * - `llseek` maps `SEEK_SET`/`SEEK_CUR`/`SEEK_END` to a {@link SeekFrom} (anything else,
 *   or a negative `SEEK_SET`, is `EINVAL`) and stores the result in `f_pos` (a negative
 *   result is `EINVAL`);
 * - `unlocked_ioctl`/`compat_ioctl` decode the command into an {@link IoctlCommand}.
 *
 * @example
 * ```ts
 * import { file } from '@rfl/miscdev';
 * const t = file.vtable({ open: () => {}, read: () => 0, seek: () => 0 });
 * [t.HAS_READ, t.HAS_WRITE, t.HAS_SEEK] // => [true, false, true]
 * Object.keys(t.fops).sort() // => ['llseek', 'open', 'read', 'release']
 * ```
 */
export function vtable<OpenData, D extends ForeignOwnable | undefined, B>(
  ops: Operations<OpenData, D, B>,
  adapter: OpenAdapter<OpenData> = () => undefined as OpenData,
  owner?: module,
): VTable {
  const kind = (ops.Data ?? Unit) as ForeignOwnableType<D | undefined, B, unknown>;
  const borrow = (f: c_file): B => kind.borrow(f.private_data as number);
  const fops: file_operations = {
    open: (node, f) =>
      boundary(() => {
        const context = adapter(node, f);
        return then(ops.open(context, new File(f)), (data) => {
          // INVARIANT: private_data holds the foreign pointer of this open's data from
          // here until release takes it back.
          f.private_data = data ? data.intoForeign() : Unit.intoForeign();
          return 0;
        });
      }),
    release: (_node, f) =>
      boundary(() => {
        // SAFETY: release runs once, after every other callback of this file returned,
        // so nothing borrows the data any more and it can be taken back.
        const data = kind.fromForeign(f.private_data as number) as D;
        f.private_data = undefined;
        if (ops.release) return then(ops.release(data, new File(f)), () => 0);
        if (data !== undefined) (data as Partial<Disposable>)[Symbol.dispose]?.();
        return 0;
      }),
  };
  if (owner !== undefined) fops.owner = owner;
  if (ops.read) {
    const read = ops.read;
    fops.read = (f: c_file, buf: number, count: number, ppos: loff_ref) =>
      boundary(() => {
        const writer = UserSlice.new(buf, count).writer();
        return then(read(borrow(f), new File(f), writer, offsetOf(ppos.value)), (n) => {
          ppos.value += n;
          return n;
        });
      });
  }
  if (ops.write) {
    const write = ops.write;
    fops.write = (f: c_file, buf: number, count: number, ppos: loff_ref) =>
      boundary(() => {
        const reader = UserSlice.new(buf, count).reader();
        return then(write(borrow(f), new File(f), reader, offsetOf(ppos.value)), (n) => {
          ppos.value += n;
          return n;
        });
      });
  }
  if (ops.seek) {
    const seek = ops.seek;
    fops.llseek = (f: c_file, offset: number, whence: number) =>
      fromResult(() => {
        const pos = seek(borrow(f), new File(f), seekFrom(offset, whence));
        if (pos < 0) throw new KernelError(EINVAL, `seek to negative position ${pos}`);
        f.f_pos = pos;
        return pos;
      });
  }
  if (ops.ioctl) {
    const ioctl = ops.ioctl;
    fops.unlocked_ioctl = (f: c_file, cmd: number, arg: number) =>
      boundary(() => ioctl(borrow(f), new File(f), new IoctlCommand(cmd, arg)));
  }
  if (ops.compatIoctl) {
    const compat = ops.compatIoctl;
    fops.compat_ioctl = (f: c_file, cmd: number, arg: number) =>
      boundary(() => compat(borrow(f), new File(f), new IoctlCommand(cmd, arg)));
  }
  if (ops.poll) {
    const poll = ops.poll;
    fops.poll = (f: c_file, wait: poll_table | null) =>
      fromResult(() => poll(borrow(f), new File(f), new PollTable(f, wait)));
  }
  if (ops.mmap) {
    const mmap = ops.mmap;
    fops.mmap = (f: c_file, vma: vm_area_struct) =>
      fromResult(() => mmap(borrow(f), new File(f), new VmArea(vma)));
  }
  if (ops.fsync) {
    const fsync = ops.fsync;
    fops.fsync = (f: c_file, start: number, end: number, datasync: number) =>
      boundary(() => fsync(borrow(f), new File(f), start, end, datasync !== 0));
  }
  return {
    HAS_RELEASE: ops.release !== undefined,
    HAS_READ: ops.read !== undefined,
    HAS_WRITE: ops.write !== undefined,
    HAS_SEEK: ops.seek !== undefined,
    HAS_IOCTL: ops.ioctl !== undefined,
    HAS_COMPAT_IOCTL: ops.compatIoctl !== undefined,
    HAS_POLL: ops.poll !== undefined,
    HAS_MMAP: ops.mmap !== undefined,
    HAS_FSYNC: ops.fsync !== undefined,
    fops,
  };
}
