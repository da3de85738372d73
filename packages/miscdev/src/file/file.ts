import {
  type file as c_file,
  type poll_table,
  poll_wait,
  type vm_area_struct,
  type wait_queue_head,
} from '@rfl/kernel';
import type { PollCondVar } from '@rfl/sync';

/**
 * An open file as a file operation sees it (`kernel::file::File`): the flags it was opened
 * with and its position, never the raw `struct file` (whose `private_data` belongs to the
 * vtable).
 *
 * # Invariants
 *
 * The wrapped `struct file` is open for as long as the callback that received this object
 * runs; a driver must not keep it beyond that.
 *
 * @example
 * ```ts
 * import { file } from '@rfl/miscdev';
 * import { O_RDONLY } from '@rfl/kernel';
 * const ops: file.Operations = {
 *   open: (_ctx, f) => {
 *     f.flags & 3 // => O_RDONLY
 *   },
 * };
 * ops.open(undefined, file.File.forTest({ flags: O_RDONLY, pos: 0 }));
 * ```
 */
export class File {
  readonly #raw: Pick<c_file, 'f_flags' | 'f_pos'>;

  /** @internal */
  constructor(raw: Pick<c_file, 'f_flags' | 'f_pos'>) {
    this.#raw = raw;
  }

  /**
   * A `File` over a plain `{ flags, pos }` record, for calling a driver's operations
   * directly in a unit test.
   *
   * @example
   * ```ts
   * import { file } from '@rfl/miscdev';
   * file.File.forTest({ flags: 0, pos: 7 }).pos // => 7
   * ```
   */
  static forTest(fields: { flags: number; pos: number }): File {
    return new File({ f_flags: fields.flags, f_pos: fields.pos });
  }

  /**
   * The `O_*` flags the file was opened with (`f_flags`).
   *
   * @example
   * ```ts
   * import { file } from '@rfl/miscdev';
   * import { O_NONBLOCK } from '@rfl/kernel';
   * (file.File.forTest({ flags: O_NONBLOCK, pos: 0 }).flags & O_NONBLOCK) !== 0 // => true
   * ```
   */
  get flags(): number {
    return this.#raw.f_flags;
  }

  /**
   * The file position (`f_pos`). `read`/`write` get it as their `offset` argument; the
   * vtable moves it by what they return.
   *
   * @example
   * ```ts
   * import { file } from '@rfl/miscdev';
   * file.File.forTest({ flags: 0, pos: 0 }).pos // => 0
   * ```
   */
  get pos(): number {
    return this.#raw.f_pos;
  }
}

/**
 * Where a seek goes (`SeekFrom`): from the start, the current position or the end, as
 * `lseek(2)`'s `SEEK_SET`, `SEEK_CUR` and `SEEK_END`.
 *
 * @example
 * ```ts
 * import { file } from '@rfl/miscdev';
 * const to: file.SeekFrom = { whence: 'Current', offset: -4 };
 * to.whence // => 'Current'
 * ```
 */
export type SeekFrom =
  | { readonly whence: 'Start'; readonly offset: number }
  | { readonly whence: 'Current'; readonly offset: number }
  | { readonly whence: 'End'; readonly offset: number };

/**
 * The table `poll(2)` hands to a file's `poll` (`kernel::file::PollTable`): the driver
 * registers every condition variable whose notification may change the file's readiness,
 * then returns the `EPOLL*` mask that holds now.
 *
 * @example
 * ```ts
 * import { file } from '@rfl/miscdev';
 * import { POLLIN } from '@rfl/kernel';
 * import { PollCondVar } from '@rfl/sync';
 * const ready = PollCondVar.new();
 * const poll = (_d: undefined, _f: file.File, table: file.PollTable) => {
 *   table.registerWait(ready);
 *   return POLLIN;
 * };
 * poll(undefined, file.File.forTest({ flags: 0, pos: 0 }), file.PollTable.forTest()) // => POLLIN
 * await ready[Symbol.asyncDispose]();
 * ```
 */
export class PollTable {
  readonly #file: c_file | null;
  readonly #table: poll_table | null;

  /** @internal */
  constructor(f: c_file | null, table: poll_table | null) {
    this.#file = f;
    this.#table = table;
  }

  /**
   * A table that registers nothing, for calling a driver's `poll` in a unit test (what
   * `vfs_poll` passes when it only wants the mask).
   *
   * @example
   * ```ts
   * import { file } from '@rfl/miscdev';
   * file.PollTable.forTest() instanceof file.PollTable // => true
   * ```
   */
  static forTest(): PollTable {
    return new PollTable(null, null);
  }

  /**
   * Registers the poller on `cv` (`poll_wait`): a `notifyAll()` on it wakes `poll(2)`
   * to ask again. Only a {@link PollCondVar} may be registered: its disposal waits for an
   * RCU grace period, after which no poll table can still point at its queue.
   *
   * @example
   * ```ts
   * import { file } from '@rfl/miscdev';
   * import { PollCondVar } from '@rfl/sync';
   * await using cv = PollCondVar.new();
   * file.PollTable.forTest().registerWait(cv);
   * ```
   */
  registerWait(cv: PollCondVar): void {
    if (this.#file === null || this.#table === null) return;
    // The queue is PollCondVar's own; the kernel crate reads it from the same crate.
    const wq = (cv as unknown as { _waitQueue(): wait_queue_head })._waitQueue();
    poll_wait(this.#file, wq, this.#table);
  }
}

/**
 * The memory area an `mmap(2)` of the file is creating (`kernel::mm::virt::VmaNew`): its
 * range, flags and file offset, for the driver to accept (return) or refuse (throw, e.g.
 * `EPERM` for a writable shared mapping of a read-only device). Inserting pages needs a
 * safe page type, which these packages do not have yet; a driver that must map memory
 * today does it C-style against `@rfl/kernel`.
 *
 * @example
 * ```ts
 * import { file } from '@rfl/miscdev';
 * const vma = file.VmArea.forTest({ start: 0x1000, end: 0x3000, flags: 0, pgoff: 0 });
 * vma.len // => 0x2000
 * ```
 */
export class VmArea {
  readonly #vma: Pick<vm_area_struct, 'vm_start' | 'vm_end' | 'vm_flags' | 'vm_pgoff'>;

  /** @internal */
  constructor(vma: Pick<vm_area_struct, 'vm_start' | 'vm_end' | 'vm_flags' | 'vm_pgoff'>) {
    this.#vma = vma;
  }

  /**
   * An area over a plain record, for unit tests.
   *
   * @example
   * ```ts
   * import { file } from '@rfl/miscdev';
   * file.VmArea.forTest({ start: 0, end: 4096, flags: 0, pgoff: 2 }).pgoff // => 2
   * ```
   */
  static forTest(f: { start: number; end: number; flags: number; pgoff: number }): VmArea {
    return new VmArea({ vm_start: f.start, vm_end: f.end, vm_flags: f.flags, vm_pgoff: f.pgoff });
  }

  /**
   * The first address.
   *
   * @example
   * ```ts
   * import { file } from '@rfl/miscdev';
   * file.VmArea.forTest({ start: 0x5000, end: 0x6000, flags: 0, pgoff: 0 }).start // => 0x5000
   * ```
   */
  get start(): number {
    return this.#vma.vm_start;
  }

  /**
   * The address after the last.
   *
   * @example
   * ```ts
   * import { file } from '@rfl/miscdev';
   * file.VmArea.forTest({ start: 0x5000, end: 0x6000, flags: 0, pgoff: 0 }).end // => 0x6000
   * ```
   */
  get end(): number {
    return this.#vma.vm_end;
  }

  /**
   * Its size in bytes.
   *
   * @example
   * ```ts
   * import { file } from '@rfl/miscdev';
   * file.VmArea.forTest({ start: 0, end: 8192, flags: 0, pgoff: 0 }).len // => 8192
   * ```
   */
  get len(): number {
    return this.#vma.vm_end - this.#vma.vm_start;
  }

  /**
   * The `VM_*` flags (`VM_READ`, `VM_WRITE`, `VM_SHARED`, …).
   *
   * @example
   * ```ts
   * import { file } from '@rfl/miscdev';
   * import { VM_READ } from '@rfl/kernel';
   * file.VmArea.forTest({ start: 0, end: 4096, flags: VM_READ, pgoff: 0 }).flags // => VM_READ
   * ```
   */
  get flags(): number {
    return this.#vma.vm_flags;
  }

  /**
   * The offset into the file, in pages.
   *
   * @example
   * ```ts
   * import { file } from '@rfl/miscdev';
   * file.VmArea.forTest({ start: 0, end: 4096, flags: 0, pgoff: 1 }).pgoff // => 1
   * ```
   */
  get pgoff(): number {
    return this.#vma.vm_pgoff;
  }
}
