import type { Scalar } from './scalar.js';

/**
 * A source of bytes a file operation reads from (`kernel::io_buffer::IoBufferReader` of the
 * old RFL tree, which the `rust_foxes` driver's `write` was written against). Every method
 * either does all it was asked or throws `EFAULT` and leaves the position where it was.
 * Implemented by {@link UserSliceReader}.
 *
 * @example
 * ```ts
 * import { type IoBufferReader, UserSlice } from '@rfl/io-buffer';
 * import { sim_user_alloc, sim_user_write } from '@rfl/kernel';
 * const u = sim_user_alloc(4096);
 * sim_user_write(u, new TextEncoder().encode('vixen'));
 * const r: IoBufferReader = UserSlice.new(u, 5).reader();
 * const out = new Uint8Array(r.len);
 * r.readSlice(out);
 * new TextDecoder().decode(out) // => 'vixen'
 * r.isEmpty() // => true
 * ```
 */
export interface IoBufferReader {
  /** The bytes left to read. */
  readonly len: number;
  /** Whether no bytes are left. */
  isEmpty(): boolean;
  /** Skips `n` bytes; `EFAULT` if fewer are left. */
  skip(n: number): void;
  /** Fills `out` with the next `out.length` bytes; `EFAULT` if they are not all there. */
  readSlice(out: Uint8Array): void;
  /** Reads one integer of type `type`. */
  read<T extends number | bigint>(type: Scalar<T>): T;
}

/**
 * A sink of bytes a file operation writes to (`kernel::io_buffer::IoBufferWriter`): what
 * `read` fills. `clear` is the odd one out, as in the kernel: it zeroes as much as it can,
 * advances by that much, and still throws `EFAULT` when it could not zero everything.
 * Implemented by {@link UserSliceWriter}.
 *
 * @example
 * ```ts
 * import { type IoBufferWriter, UserSlice } from '@rfl/io-buffer';
 * import { sim_user_alloc, sim_user_read } from '@rfl/kernel';
 * const u = sim_user_alloc(4096);
 * const w: IoBufferWriter = UserSlice.new(u, 8).writer();
 * w.writeSlice(new TextEncoder().encode('fox'));
 * w.len // => 5
 * new TextDecoder().decode(sim_user_read(u, 3)) // => 'fox'
 * ```
 */
export interface IoBufferWriter {
  /** The room left. */
  readonly len: number;
  /** Whether there is no room left. */
  isEmpty(): boolean;
  /** Writes all of `data`; `EFAULT` if it does not fit or the copy faults. */
  writeSlice(data: Uint8Array): void;
  /** Writes one integer of type `type`. */
  write<T extends number | bigint>(type: Scalar<T>, value: T): void;
  /** Zeroes `n` bytes as far as possible; see the interface's description. */
  clear(n: number): void;
}
