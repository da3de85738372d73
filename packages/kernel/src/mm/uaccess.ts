/**
 * Copies between kernel memory and the current task's user address space
 * (`include/linux/uaccess.h`, `lib/usercopy.c`, `lib/strncpy_from_user.c`),
 * with the kernel's semantics:
 *
 * - `access_ok` only checks that a range lies below `TASK_SIZE_MAX`;
 * - `copy_to_user`, `copy_from_user` and `clear_user` return the number of
 *   bytes **not** copied (0 on success). A copy stops at the first user page
 *   that faults — unmapped, PROT_NONE, or read-only for a write — after
 *   copying everything before it; `copy_from_user` zeroes the kernel bytes
 *   it could not fill;
 * - `strncpy_from_user` returns the string's length, `count` when no NUL was
 *   found within `count` bytes, or -EFAULT; `strnlen_user` returns the size
 *   with the NUL, `count + 1` when too long, 0 on a fault;
 * - `get_user`/`put_user` move one 1-, 2-, 4- or 8-byte value and return 0
 *   or -EFAULT (`get_user` returns `[err, value]`, the value 0 on a fault).
 *
 * The kernel side of every copy goes through the memory accessors, so KASAN
 * checks it and an unmapped kernel address Oopses; copy_to_user/from_user
 * are also checked by hardened usercopy first (`usercopy.ts`). Every user
 * access may fault, and so may sleep: `might_fault()` reports a call from
 * atomic context, unless `pagefault_disable()` is in effect — then pages
 * that are not present are not faulted in, and the copy fails there.
 *
 * A kernel thread has no address space: every user access from one fails.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, copy_from_user, copy_to_user, kfree, kmalloc, memcpy_to_js, sim_user_alloc, sim_user_free, sim_user_read, sim_user_write } from '@rfl/kernel';
 * const u = sim_user_alloc(8192);
 * sim_user_free(u + 4096, 4096); // a hole after the first page
 * sim_user_write(u, new TextEncoder().encode('hello'));
 * const k = kmalloc(8, GFP_KERNEL);
 * copy_from_user(k, u, 5) // => 0
 * new TextDecoder().decode(memcpy_to_js(k, 5)) // => 'hello'
 * copy_to_user(u + 4094, k, 5) // => 3
 * new TextDecoder().decode(sim_user_read(u + 4094, 2)) // => 'he'
 * kfree(k);
 * ```
 *
 * @module
 */

import { EFAULT } from '../errno.js';
import { WARN_ON_ONCE } from '../panic.js';
import { might_sleep } from '../sched/might-sleep.js';
import { current } from '../sched/task.js';
import { memcpy_from_js, memcpy_to_js } from './access.js';
import { kasan_check, kasan_enabled } from './kasan.js';
import { mem_size, mem_u8, mem_view, PAGE_OFFSET, PAGE_SIZE } from './layout.js';
import { TASK_SIZE_MAX, user_page_phys } from './mmap.js';
import { check_object_size } from './usercopy.js';

/** The largest copy the kernel accepts (`INT_MAX`, `check_copy_size`). */
const INT_MAX = 0x7fffffff;

/**
 * Whether `n` is a size the copy functions accept: a `size_t` up to
 * INT_MAX. A negative length is a huge `size_t` in C, refused the same way.
 */
function valid_size(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= INT_MAX;
}

/**
 * Whether `[addr, addr+size)` lies in user space (`access_ok`). It says
 * nothing about what is mapped there.
 *
 * @example
 * ```ts
 * import { TASK_SIZE_MAX, access_ok } from '@rfl/kernel';
 * access_ok(0x1000, 16) // => true
 * access_ok(TASK_SIZE_MAX - 8, 16) // => false
 * access_ok(0xffff888000000000, 1) // => false
 * ```
 */
export function access_ok(addr: number, size: number): boolean {
  return size >= 0 && size <= TASK_SIZE_MAX && addr >= 0 && addr <= TASK_SIZE_MAX - size;
}

/** Disables page faults for user accesses (`pagefault_disable`); nests. */
export function pagefault_disable(): void {
  current().pagefault_disabled += 1;
}

/** Undoes {@link pagefault_disable}. */
export function pagefault_enable(): void {
  current().pagefault_disabled -= 1;
}

/** Whether user accesses may fault pages in (`pagefault_disabled`). */
export function pagefault_disabled(): boolean {
  return current().pagefault_disabled > 0;
}

/** `might_fault()`: a user access may sleep to fault a page in. */
export function might_fault(): void {
  if (!pagefault_disabled()) might_sleep();
}

/**
 * Calls `fn(phys, done, len)` for each piece of `[uaddr, uaddr+n)` up to the
 * first user page that faults; returns the bytes it covered. The page walk under every
 * user copy, the uaccess functions' and the VFS's copies of JavaScript bytes alike.
 */
export function for_each_user_chunk(
  uaddr: number,
  n: number,
  write: boolean,
  fn: (phys: number, done: number, len: number) => void,
): number {
  const mm = current().mm;
  if (mm === null) return 0;
  const nofault = pagefault_disabled();
  let done = 0;
  while (done < n) {
    const a = uaddr + done;
    const len = Math.min(n - done, PAGE_SIZE - (a % PAGE_SIZE));
    const phys = user_page_phys(mm, a, write, nofault);
    if (phys < 0) break;
    fn(phys, done, len);
    done += len;
  }
  return done;
}

/**
 * `instrument_copy_to_user`/`instrument_copy_from_user`: KASAN's check of the
 * kernel side, reported as an access by the copy function that called it.
 */
function instrument_copy(p: number, n: number, write: boolean, kaddr: number): void {
  kasan_check(p, n, write, kaddr, instrument_copy);
}

/**
 * Copies `n` bytes from kernel address `from` to user address `to`; returns
 * the number of bytes that could not be copied.
 */
export function copy_to_user(to: number, from: number, n: number): number {
  might_fault();
  if (WARN_ON_ONCE(!valid_size(n))) return n;
  if (n === 0) return 0;
  if (!access_ok(to, n)) return n;
  check_object_size(from, n, true);
  const p = from - PAGE_OFFSET;
  if (p >= 0 && p + n <= mem_size) {
    // The direct map: one KASAN check of the source, then page-sized moves.
    if (kasan_enabled()) instrument_copy(p, n, false, from);
    const done = for_each_user_chunk(to, n, true, (phys, off, len) => {
      mem_u8.copyWithin(phys, p + off, p + off + len);
    });
    return n - done;
  }
  const bytes = memcpy_to_js(from, n);
  const done = for_each_user_chunk(to, n, true, (phys, off, len) => {
    mem_u8.set(bytes.subarray(off, off + len), phys);
  });
  return n - done;
}

/**
 * Copies `n` bytes from user address `from` to kernel address `to`; returns
 * the number of bytes that could not be copied (those are zeroed in `to`).
 */
export function copy_from_user(to: number, from: number, n: number): number {
  might_fault();
  if (WARN_ON_ONCE(!valid_size(n))) return n;
  if (n === 0) return 0;
  check_object_size(to, n, false);
  const p = to - PAGE_OFFSET;
  if (p >= 0 && p + n <= mem_size) {
    if (kasan_enabled()) instrument_copy(p, n, true, to);
    const done = access_ok(from, n)
      ? for_each_user_chunk(from, n, false, (phys, off, len) => {
          mem_u8.copyWithin(p + off, phys, phys + len);
        })
      : 0;
    mem_u8.fill(0, p + done, p + n);
    return n - done;
  }
  const bytes = new Uint8Array(n);
  const done = access_ok(from, n)
    ? for_each_user_chunk(from, n, false, (phys, off, len) => {
        bytes.set(mem_u8.subarray(phys, phys + len), off);
      })
    : 0;
  memcpy_from_js(to, bytes);
  return n - done;
}

/** Zeroes `n` bytes of user memory at `to`; returns the bytes not cleared. */
export function clear_user(to: number, n: number): number {
  might_fault();
  if (n === 0) return 0;
  if (!valid_size(n) || !access_ok(to, n)) return n;
  return (
    n -
    for_each_user_chunk(to, n, true, (phys, _done, len) => {
      mem_u8.fill(0, phys, phys + len);
    })
  );
}

/** How many of `count` bytes at `src` lie in user space. */
function user_max(src: number, count: number): number {
  return src >= 0 && src < TASK_SIZE_MAX ? Math.min(count, TASK_SIZE_MAX - src) : 0;
}

/**
 * Copies a NUL-terminated string of at most `count` bytes from user space
 * to `dst` (`strncpy_from_user`). Returns its length without the NUL (the
 * NUL is copied), `count` if there was no NUL in the first `count` bytes
 * (`dst` is then not terminated), or -EFAULT.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, kfree, kmalloc, memcpy_to_js, sim_user_strdup, strncpy_from_user, strnlen_user } from '@rfl/kernel';
 * const u = sim_user_strdup('fox');
 * const k = kmalloc(16, GFP_KERNEL);
 * strncpy_from_user(k, u, 16) // => 3
 * Array.from(memcpy_to_js(k, 4)) // => [0x66, 0x6f, 0x78, 0]
 * strncpy_from_user(k, u, 2) // => 2
 * strncpy_from_user(k, 0x10, 16) // => -14
 * strnlen_user(u, 16) // => 4
 * strnlen_user(u, 2) // => 3
 * kfree(k);
 * ```
 */
export function strncpy_from_user(dst: number, src: number, count: number): number {
  might_fault();
  if (count <= 0) return 0;
  const bytes: number[] = [];
  let found = false;
  for_each_user_chunk(src, user_max(src, count), false, (phys, _d, len) => {
    if (found) return;
    for (let i = 0; i < len; i++) {
      const b = mem_u8[phys + i]!;
      bytes.push(b);
      if (b === 0) {
        found = true;
        return;
      }
    }
  });
  if (!found && bytes.length < count) return -EFAULT;
  memcpy_from_js(dst, Uint8Array.from(bytes));
  return found ? bytes.length - 1 : count;
}

/**
 * The size of a user string including its NUL (`strnlen_user`): `count + 1`
 * (or more) when there is no NUL in the first `count` bytes, 0 on a fault.
 */
export function strnlen_user(src: number, count: number): number {
  might_fault();
  if (count <= 0) return 0;
  let n = 0;
  let found = false;
  for_each_user_chunk(src, user_max(src, count), false, (phys, _d, len) => {
    if (found) return;
    for (let i = 0; i < len; i++) {
      n += 1;
      if (mem_u8[phys + i] === 0) {
        found = true;
        return;
      }
    }
  });
  if (found) return n;
  return n === count ? count + 1 : 0;
}

/** The sizes get_user/put_user move. */
export type user_size = 1 | 2 | 4 | 8;

/** The value type of a get_user/put_user of `S` bytes: bigint for 8. */
export type user_value<S extends user_size> = S extends 8 ? bigint : number;

/**
 * Reads one unsigned little-endian value of `size` bytes from user address
 * `uaddr` (`get_user`): `[0, value]`, or `[-EFAULT, 0]` (`0n` for 8 bytes).
 * The value must not straddle a fault: a partial read is a fault.
 *
 * @example
 * ```ts
 * import { get_user, put_user, sim_user_alloc } from '@rfl/kernel';
 * const u = sim_user_alloc(4096);
 * put_user(0xdeadbeef, u, 4) // => 0
 * get_user(u, 4) // => [0, 0xdeadbeef]
 * get_user(u, 2) // => [0, 0xbeef]
 * put_user(1n << 40n, u + 8, 8) // => 0
 * get_user(u + 8, 8) // => [0, 1n << 40n]
 * get_user(0, 4) // => [-14, 0]
 * ```
 */
export function get_user<S extends user_size>(uaddr: number, size: S): [number, user_value<S>] {
  might_fault();
  const zero = (size === 8 ? 0n : 0) as user_value<S>;
  if (!access_ok(uaddr, size)) return [-EFAULT, zero];
  const mm = current().mm;
  if (mm !== null && (uaddr % PAGE_SIZE) + size <= PAGE_SIZE) {
    const phys = user_page_phys(mm, uaddr, false, pagefault_disabled());
    if (phys < 0) return [-EFAULT, zero];
    return [0, read_value(phys, size) as user_value<S>];
  }
  const bytes = new Uint8Array(size);
  const done = for_each_user_chunk(uaddr, size, false, (phys, off, len) => {
    bytes.set(mem_u8.subarray(phys, phys + len), off);
  });
  if (done < size) return [-EFAULT, zero];
  const view = new DataView(bytes.buffer);
  let value: number | bigint;
  if (size === 1) value = bytes[0]!;
  else if (size === 2) value = view.getUint16(0, true);
  else if (size === 4) value = view.getUint32(0, true);
  else value = view.getBigUint64(0, true);
  return [0, value as user_value<S>];
}

function read_value(phys: number, size: user_size): number | bigint {
  if (size === 1) return mem_u8[phys]!;
  if (size === 2) return mem_view.getUint16(phys, true);
  if (size === 4) return mem_view.getUint32(phys, true);
  return mem_view.getBigUint64(phys, true);
}

/**
 * Writes `value` as `size` little-endian bytes at user address `uaddr`
 * (`put_user`, value first as in C); returns 0 or -EFAULT. A value that
 * faults part-way may have been partly written, as on the kernel's slow path.
 */
export function put_user<S extends user_size>(
  value: number | bigint,
  uaddr: number,
  size: S,
): number {
  might_fault();
  if (!access_ok(uaddr, size)) return -EFAULT;
  const mm = current().mm;
  if (mm !== null && (uaddr % PAGE_SIZE) + size <= PAGE_SIZE && size !== 8) {
    const phys = user_page_phys(mm, uaddr, true, pagefault_disabled());
    if (phys < 0) return -EFAULT;
    const v = typeof value === 'bigint' ? Number(BigInt.asUintN(32, value)) : value;
    if (size === 1) mem_u8[phys] = v & 0xff;
    else if (size === 2) mem_view.setUint16(phys, v & 0xffff, true);
    else mem_view.setUint32(phys, v >>> 0, true);
    return 0;
  }
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(value)), true);
  const done = for_each_user_chunk(uaddr, size, true, (phys, off, len) => {
    mem_u8.set(bytes.subarray(off, off + len), phys);
  });
  return done < size ? -EFAULT : 0;
}
