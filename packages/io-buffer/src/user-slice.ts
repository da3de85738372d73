import type { Flags, Vec } from '@rfl/alloc';
import {
  clear_user,
  copy_from_iter,
  copy_from_user,
  copy_to_iter,
  copy_to_user,
  EFAULT,
  EINVAL,
  iov_iter_ubuf,
} from '@rfl/kernel';
import { KernelError, useOfMovedValue } from '@rfl/types';
import type { IoBufferReader, IoBufferWriter } from './io-buffer.js';
import type { Scalar } from './scalar.js';

function efault(what: string): KernelError {
  return new KernelError(EFAULT, `${what}: bad address`);
}

function checkLength(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new KernelError(EINVAL, `${what}: length ${n} is not a size`);
  }
}

/**
 * Copies user bytes into a JavaScript buffer — a local of the calling task, which is what a
 * kernel stack buffer is in the simulation — with `copy_from_user`'s semantics: the copy
 * stops at the first page that faults, and the bytes it could not fill are zeroed. Returns
 * the bytes not copied.
 */
function copyFromUserToJs(out: Uint8Array, from: number): number {
  const bytes = copy_from_iter(out.length, iov_iter_ubuf(false, from, out.length));
  out.set(bytes);
  out.fill(0, bytes.length);
  return out.length - bytes.length;
}

/** `copy_to_user` from a JavaScript buffer; returns the bytes not copied. */
function copyToUserFromJs(to: number, data: Uint8Array): number {
  return data.length - copy_to_iter(data, iov_iter_ubuf(true, to, data.length));
}

/**
 * A range of user memory a system call was given (`kernel::uaccess::UserSlice`): an address
 * in the calling task's address space and a length, nothing more. It is turned into a
 * {@link UserSliceReader}, a {@link UserSliceWriter} or both, and doing so consumes it, so
 * that a driver cannot read the same user bytes twice by accident: user memory may change
 * between two reads (a TOCTOU bug), and a reader that is consumed as it reads makes every
 * byte read once.
 *
 * # Invariants
 *
 * A slice hands out its reader/writer at most once; afterwards it is poisoned.
 *
 * @example
 * ```ts
 * import { UserSlice } from '@rfl/io-buffer';
 * import { sim_user_alloc, sim_user_read, sim_user_write } from '@rfl/kernel';
 * const u = sim_user_alloc(4096);
 * sim_user_write(u, new TextEncoder().encode('red fox'));
 * const [r, w] = UserSlice.new(u, 7).readerWriter();
 * const word = new Uint8Array(3);
 * r.readSlice(word);
 * new TextDecoder().decode(word) // => 'red'
 * w.writeSlice(new TextEncoder().encode('RED'));
 * new TextDecoder().decode(sim_user_read(u, 7)) // => 'RED fox'
 * ```
 *
 * ```ts should_throw="use of moved value: `UserSlice` in reader"
 * import { UserSlice } from '@rfl/io-buffer';
 * # import { dmesg_clear } from '@rfl/kernel';
 * # dmesg_clear();
 * const slice = UserSlice.new(0x10000, 16);
 * slice.reader();
 * slice.reader();
 * ```
 */
export class UserSlice {
  #ptr: number;
  #len: number;
  #taken = false;

  private constructor(ptr: number, len: number) {
    this.#ptr = ptr;
    this.#len = len;
  }

  /**
   * A slice of `len` bytes at user address `ptr`. Nothing is checked yet: the address is
   * validated by every copy, as `copy_from_user` does.
   *
   * @example
   * ```ts
   * import { UserSlice } from '@rfl/io-buffer';
   * UserSlice.new(0x1000, 32).reader().len // => 32
   * ```
   *
   * ```ts should_throw=EINVAL
   * import { UserSlice } from '@rfl/io-buffer';
   * UserSlice.new(0x1000, -1);
   * ```
   */
  static new(ptr: number, len: number): UserSlice {
    checkLength(len, 'UserSlice::new');
    return new UserSlice(ptr, len);
  }

  #take(use: string): [number, number] {
    if (this.#taken) throw useOfMovedValue('UserSlice', use);
    this.#taken = true;
    return [this.#ptr, this.#len];
  }

  /**
   * Consumes the slice into a reader.
   *
   * @example
   * ```ts
   * import { UserSlice } from '@rfl/io-buffer';
   * UserSlice.new(0x1000, 4).reader().isEmpty() // => false
   * ```
   */
  reader(): UserSliceReader {
    const [ptr, len] = this.#take('reader');
    return new UserSliceReader(ptr, len);
  }

  /**
   * Consumes the slice into a writer.
   *
   * @example
   * ```ts
   * import { UserSlice } from '@rfl/io-buffer';
   * UserSlice.new(0x1000, 0).writer().isEmpty() // => true
   * ```
   */
  writer(): UserSliceWriter {
    const [ptr, len] = this.#take('writer');
    return new UserSliceWriter(ptr, len);
  }

  /**
   * Consumes the slice into a reader and a writer over the same bytes, for an ioctl that
   * reads its argument and writes a result back (`_IOWR`).
   *
   * @example
   * ```ts
   * import { UserSlice } from '@rfl/io-buffer';
   * const [r, w] = UserSlice.new(0x1000, 8).readerWriter();
   * [r.len, w.len] // => [8, 8]
   * ```
   */
  readerWriter(): [UserSliceReader, UserSliceWriter] {
    const [ptr, len] = this.#take('reader_writer');
    return [new UserSliceReader(ptr, len), new UserSliceWriter(ptr, len)];
  }

  /**
   * Reads the whole slice into the byte vector `vec`, appending (`UserSlice::read_all`);
   * consumes the slice.
   *
   * @example
   * ```ts
   * import { UserSlice } from '@rfl/io-buffer';
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * import { sim_user_strdup } from '@rfl/kernel';
   * using v = KVec.bytes();
   * UserSlice.new(sim_user_strdup('kit'), 3).readAll(v, GFP_KERNEL);
   * new TextDecoder().decode(v.asBytes()) // => 'kit'
   * ```
   */
  readAll(vec: Vec<number>, flags: Flags): void {
    this.reader().readAll(vec, flags);
  }
}

/**
 * Reads a user slice front to back (`kernel::uaccess::UserSliceReader`). Every read either
 * copies all it was asked for and advances, or throws `EFAULT` and does not advance: asking
 * for more than is left, or a page that faults part-way, are the same error, as with the
 * kernel's `copy_from_user` returning a non-zero count.
 *
 * # Invariants
 *
 * `len` is the number of bytes between the position and the end of the slice; it only
 * decreases, by the size of each successful read.
 *
 * @example
 * ```ts
 * import { UserSlice, u16, u32 } from '@rfl/io-buffer';
 * import { sim_user_alloc, sim_user_write } from '@rfl/kernel';
 * const u = sim_user_alloc(4096);
 * sim_user_write(u, new Uint8Array([1, 0, 2, 0, 0, 0]));
 * const r = UserSlice.new(u, 6).reader();
 * r.read(u16) // => 1
 * r.read(u32) // => 2
 * r.len // => 0
 * ```
 */
export class UserSliceReader implements IoBufferReader {
  #ptr: number;
  #len: number;
  #consumed = false;

  /** @internal */
  constructor(ptr: number, len: number) {
    this.#ptr = ptr;
    this.#len = len;
  }

  #live(use: string): void {
    if (this.#consumed) throw useOfMovedValue('UserSliceReader', use);
  }

  #advance(n: number): void {
    this.#ptr += n;
    this.#len -= n;
  }

  /**
   * The bytes left to read.
   *
   * @example
   * ```ts
   * import { UserSlice } from '@rfl/io-buffer';
   * const r = UserSlice.new(0x1000, 10).reader();
   * r.skip(4);
   * r.len // => 6
   * ```
   */
  get len(): number {
    this.#live('len');
    return this.#len;
  }

  /**
   * Whether nothing is left to read.
   *
   * @example
   * ```ts
   * import { UserSlice } from '@rfl/io-buffer';
   * const r = UserSlice.new(0x1000, 2).reader();
   * r.skip(2);
   * r.isEmpty() // => true
   * ```
   */
  isEmpty(): boolean {
    return this.len === 0;
  }

  /**
   * Skips `n` bytes without reading them; `EFAULT` if fewer than `n` are left.
   *
   * @example
   * ```ts should_throw=EFAULT
   * import { UserSlice } from '@rfl/io-buffer';
   * UserSlice.new(0x1000, 2).reader().skip(3);
   * ```
   */
  skip(n: number): void {
    this.#live('skip');
    checkLength(n, 'UserSliceReader::skip');
    if (n > this.#len) throw efault('UserSliceReader::skip');
    this.#advance(n);
  }

  /**
   * A second reader at the same position (`clone_reader`). Reading the same user bytes
   * twice sees whatever the user wrote in between: only do it when that cannot matter.
   *
   * @example
   * ```ts
   * import { UserSlice, u8 } from '@rfl/io-buffer';
   * import { sim_user_alloc, sim_user_write } from '@rfl/kernel';
   * const u = sim_user_alloc(4096);
   * sim_user_write(u, new Uint8Array([7]));
   * const r = UserSlice.new(u, 1).reader();
   * const again = r.cloneReader();
   * [r.read(u8), again.read(u8)] // => [7, 7]
   * ```
   */
  cloneReader(): UserSliceReader {
    this.#live('clone_reader');
    return new UserSliceReader(this.#ptr, this.#len);
  }

  /**
   * Copies the next `len` bytes into kernel memory at `out` with `copy_from_user`
   * (`read_raw`). The kernel side is checked like any copy: KASAN and hardened usercopy
   * see it. On `EFAULT` the bytes of `out` that could not be filled are zeroed and the
   * position does not move.
   *
   * @example
   * ```ts
   * import { UserSlice } from '@rfl/io-buffer';
   * import { GFP_KERNEL, kfree, kmalloc, readl, sim_user_alloc, sim_user_write } from '@rfl/kernel';
   * const u = sim_user_alloc(4096);
   * sim_user_write(u, new Uint8Array([0xef, 0xbe, 0xad, 0xde]));
   * const k = kmalloc(4, GFP_KERNEL);
   * UserSlice.new(u, 4).reader().readRaw(k, 4);
   * readl(k).toString(16) // => 'deadbeef'
   * kfree(k);
   * ```
   */
  readRaw(out: number, len: number): void {
    this.#live('read_raw');
    checkLength(len, 'UserSliceReader::read_raw');
    if (len > this.#len) throw efault('UserSliceReader::read_raw');
    if (copy_from_user(out, this.#ptr, len) !== 0) throw efault('UserSliceReader::read_raw');
    this.#advance(len);
  }

  /**
   * Fills `out` with the next `out.length` bytes (`read_slice`).
   *
   * A fault part-way is `EFAULT` and the reader stays where it was, so the caller can
   * retry with a smaller buffer:
   * ```ts
   * import { UserSlice } from '@rfl/io-buffer';
   * import { sim_user_alloc, sim_user_free } from '@rfl/kernel';
   * const u = sim_user_alloc(8192);
   * sim_user_free(u + 4096, 4096);
   * const r = UserSlice.new(u + 4092, 8).reader();
   * let code = '';
   * try { r.readSlice(new Uint8Array(8)); } catch (e) { code = (e as { code: string }).code; }
   * code // => 'EFAULT'
   * r.len // => 8
   * r.readSlice(new Uint8Array(4));
   * r.len // => 4
   * ```
   */
  readSlice(out: Uint8Array): void {
    this.#live('read_slice');
    if (out.length > this.#len) throw efault('UserSliceReader::read_slice');
    if (copyFromUserToJs(out, this.#ptr) !== 0) throw efault('UserSliceReader::read_slice');
    this.#advance(out.length);
  }

  /**
   * Reads one little-endian integer of type `type` (`read::<T>()`): a `number` for up to
   * 32 bits, a `bigint` for 64.
   *
   * @example
   * ```ts
   * import { UserSlice, i32, u64 } from '@rfl/io-buffer';
   * import { put_user, sim_user_alloc } from '@rfl/kernel';
   * const u = sim_user_alloc(4096);
   * put_user(0xfffffffe, u, 4);
   * put_user(1n << 40n, u + 4, 8);
   * const r = UserSlice.new(u, 12).reader();
   * r.read(i32) // => -2
   * r.read(u64) // => 1n << 40n
   * ```
   */
  read<T extends number | bigint>(type: Scalar<T>): T {
    this.#live('read');
    const bytes = new Uint8Array(type.size);
    this.readSlice(bytes);
    return type.decode(new DataView(bytes.buffer), 0);
  }

  /**
   * Reads everything that is left and appends it to the byte vector `vec`, consuming the
   * reader (`read_all`). Room is reserved with `flags` first, so `ENOMEM` comes before any
   * user memory is touched; on `EFAULT` nothing is appended.
   *
   * @example
   * ```ts
   * import { UserSlice } from '@rfl/io-buffer';
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * import { sim_user_strdup } from '@rfl/kernel';
   * using v = KVec.bytes();
   * v.push(0x3e, GFP_KERNEL);
   * const r = UserSlice.new(sim_user_strdup('fennec'), 6).reader();
   * r.skip(1);
   * r.readAll(v, GFP_KERNEL);
   * new TextDecoder().decode(v.asBytes()) // => '>ennec'
   * ```
   */
  readAll(vec: Vec<number>, flags: Flags): void {
    this.#live('read_all');
    vec.reserve(this.#len, flags);
    const bytes = new Uint8Array(this.#len);
    this.readSlice(bytes);
    this.#consumed = true;
    vec.extendFromSlice(bytes, flags);
  }
}

/**
 * Writes a user slice front to back (`kernel::uaccess::UserSliceWriter`), with the same
 * all-or-`EFAULT` rule as {@link UserSliceReader}: a write that does not fit, or that faults
 * part-way, throws `EFAULT` and the position does not move (the bytes before the fault may
 * have reached user memory, as with `copy_to_user`).
 *
 * # Invariants
 *
 * `len` is the room between the position and the end of the slice; it only decreases, by
 * the size of each successful write (or each byte `clear` zeroed).
 *
 * @example
 * ```ts
 * import { UserSlice, u32 } from '@rfl/io-buffer';
 * import { get_user, sim_user_alloc } from '@rfl/kernel';
 * const u = sim_user_alloc(4096);
 * const w = UserSlice.new(u, 8).writer();
 * w.write(u32, 0xcafe);
 * w.len // => 4
 * get_user(u, 4) // => [0, 0xcafe]
 * ```
 */
export class UserSliceWriter implements IoBufferWriter {
  #ptr: number;
  #len: number;

  /** @internal */
  constructor(ptr: number, len: number) {
    this.#ptr = ptr;
    this.#len = len;
  }

  #advance(n: number): void {
    this.#ptr += n;
    this.#len -= n;
  }

  /**
   * The room left.
   *
   * @example
   * ```ts
   * import { UserSlice } from '@rfl/io-buffer';
   * UserSlice.new(0x1000, 3).writer().len // => 3
   * ```
   */
  get len(): number {
    return this.#len;
  }

  /**
   * Whether there is no room left: a `read` with nothing more to give returns 0 then.
   *
   * @example
   * ```ts
   * import { UserSlice } from '@rfl/io-buffer';
   * UserSlice.new(0x1000, 1).writer().isEmpty() // => false
   * ```
   */
  isEmpty(): boolean {
    return this.#len === 0;
  }

  /**
   * Copies `len` bytes of kernel memory at `data` to user memory with `copy_to_user`
   * (`write_raw`); hardened usercopy and KASAN check the kernel side.
   *
   * @example
   * ```ts
   * import { UserSlice } from '@rfl/io-buffer';
   * import { GFP_KERNEL, kfree, kmalloc, sim_user_alloc, sim_user_read, writel } from '@rfl/kernel';
   * const k = kmalloc(4, GFP_KERNEL);
   * writel(0x78786f66, k);
   * const u = sim_user_alloc(4096);
   * UserSlice.new(u, 4).writer().writeRaw(k, 4);
   * new TextDecoder().decode(sim_user_read(u, 4)) // => 'foxx'
   * kfree(k);
   * ```
   */
  writeRaw(data: number, len: number): void {
    checkLength(len, 'UserSliceWriter::write_raw');
    if (len > this.#len) throw efault('UserSliceWriter::write_raw');
    if (copy_to_user(this.#ptr, data, len) !== 0) throw efault('UserSliceWriter::write_raw');
    this.#advance(len);
  }

  /**
   * Writes all of `data` (`write_slice`).
   *
   * ```ts should_throw=EFAULT
   * import { UserSlice } from '@rfl/io-buffer';
   * import { sim_user_alloc } from '@rfl/kernel';
   * UserSlice.new(sim_user_alloc(4096), 2).writer().writeSlice(new Uint8Array(3));
   * ```
   *
   * A read-only page faults the write, and the writer does not move:
   * ```ts
   * import { UserSlice } from '@rfl/io-buffer';
   * import { PROT_READ, sim_user_alloc } from '@rfl/kernel';
   * const w = UserSlice.new(sim_user_alloc(4096, PROT_READ), 4).writer();
   * let code = '';
   * try { w.writeSlice(new Uint8Array(4)); } catch (e) { code = (e as { code: string }).code; }
   * [code, w.len] // => ['EFAULT', 4]
   * ```
   */
  writeSlice(data: Uint8Array): void {
    if (data.length > this.#len) throw efault('UserSliceWriter::write_slice');
    if (copyToUserFromJs(this.#ptr, data) !== 0) throw efault('UserSliceWriter::write_slice');
    this.#advance(data.length);
  }

  /**
   * Writes one little-endian integer of type `type` (`write::<T>()`).
   *
   * @example
   * ```ts
   * import { UserSlice, i16 } from '@rfl/io-buffer';
   * import { sim_user_alloc, sim_user_read } from '@rfl/kernel';
   * const u = sim_user_alloc(4096);
   * UserSlice.new(u, 2).writer().write(i16, -2);
   * sim_user_read(u, 2) // => new Uint8Array([0xfe, 0xff])
   * ```
   */
  write<T extends number | bigint>(type: Scalar<T>, value: T): void {
    const bytes = new Uint8Array(type.size);
    type.encode(new DataView(bytes.buffer), 0, value);
    this.writeSlice(bytes);
  }

  /**
   * Zeroes the next `n` bytes with `clear_user` (`IoBufferWriter::clear` of the old tree).
   * Unlike every other method it moves even when it fails: it zeroes as much as fits and
   * is mapped, advances by exactly that much, and then throws `EFAULT` if that was less
   * than `n`.
   *
   * @example
   * ```ts
   * import { UserSlice } from '@rfl/io-buffer';
   * import { sim_user_alloc, sim_user_free, sim_user_read, sim_user_write } from '@rfl/kernel';
   * const u = sim_user_alloc(8192);
   * sim_user_write(u + 4090, new Uint8Array(6).fill(9));
   * sim_user_free(u + 4096, 4096);
   * const w = UserSlice.new(u + 4090, 16).writer();
   * let code = '';
   * try { w.clear(10); } catch (e) { code = (e as { code: string }).code; }
   * [code, w.len] // => ['EFAULT', 10]
   * sim_user_read(u + 4090, 6) // => new Uint8Array(6)
   * ```
   */
  clear(n: number): void {
    checkLength(n, 'UserSliceWriter::clear');
    let len = n;
    let fault = false;
    if (len > this.#len) {
      fault = true;
      len = this.#len;
    }
    const left = clear_user(this.#ptr, len);
    if (left !== 0) {
      fault = true;
      len -= left;
    }
    this.#advance(len);
    if (fault) throw efault('UserSliceWriter::clear');
  }
}
