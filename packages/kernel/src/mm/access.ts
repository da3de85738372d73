/**
 * The only way to touch simulated memory: `readb`…`readq` loads,
 * `writeb`…`writeq` stores (value first, as in C), `memcpy`, `memmove`,
 * `memset`, `memcmp`, and the copies between kernel memory and JavaScript
 * bytes. Each access is translated (direct map or vmalloc page table) and,
 * with KASAN on, checked against the shadow, so the detectors see every
 * access. Multi-byte values are little-endian, as on x86-64; `readq`/`writeq`
 * use bigint, and `read_ptr`/`write_ptr` move an address (a number) as a
 * 64-bit word.
 *
 * An address that `ioremap()` returned reaches a device model instead of
 * memory, with the width of the access (see `io/mmio.ts`).
 *
 * An access to an unmapped address is a page fault: the kernel's
 * `BUG: kernel NULL pointer dereference` / `BUG: unable to handle page fault`
 * Oops, and the task is killed (an {@link Oops} is thrown).
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, kfree, kmalloc, memset, readl, readb, writel } from '@rfl/kernel';
 * const p = kmalloc(16, GFP_KERNEL);
 * memset(p, 0xab, 16);
 * writel(0xdeadbeef, p + 4);
 * readl(p + 4).toString(16) // => 'deadbeef'
 * readb(p + 4) // => 0xef
 * readb(p + 8) // => 0xab
 * kfree(p);
 * ```
 *
 * @module
 */

import { mmio_read, type mmio_size, mmio_write } from '../io/mmio.js';
import { die } from '../panic.js';
import { pr_alert } from '../printk.js';
import { current } from '../sched/task.js';
import { stack_capture } from '../stacktrace.js';
import { kasan_check, kasan_enabled } from './kasan.js';
import {
  is_ioremap_addr,
  kaddr_hex,
  kernel_image_phys,
  mem_size,
  mem_u8,
  mem_view,
  PAGE_OFFSET,
  PAGE_SIZE,
} from './layout.js';
import { follow_page, TASK_SIZE_MAX } from './mmap.js';
import { translate } from './raw.js';

// biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
type Accessor = Function;

/**
 * The page-fault Oops (`page_fault_oops`); never returns. A user page that
 * is mapped is still a fault for the kernel: SMAP forbids the access, which
 * is a protection violation rather than a missing page; so is a write to
 * the kernel image (text and rodata are mapped read-only).
 */
function page_fault(addr: number, write: boolean, ip: Accessor): never {
  const capture = stack_capture(ip);
  if (addr >= 0 && addr < PAGE_SIZE) {
    pr_alert('BUG: kernel NULL pointer dereference, address: %s\n', kaddr_hex(addr));
  } else {
    pr_alert('BUG: unable to handle page fault for address: %s\n', kaddr_hex(addr));
  }
  const mm = current().mm;
  const present =
    kernel_image_phys(addr) >= 0 ||
    (addr >= 0 && addr < TASK_SIZE_MAX && mm !== null && follow_page(mm, addr) !== 0);
  const error_code = (write ? 2 : 0) | (present ? 1 : 0);
  pr_alert('#PF: supervisor %s access in kernel mode\n', write ? 'write' : 'read');
  pr_alert(
    '#PF: error_code(0x%04x) - %s\n',
    error_code,
    present ? 'permissions violation' : 'not-present page',
  );
  throw die('', error_code, capture, `unable to handle page fault for address ${kaddr_hex(addr)}`);
}

/**
 * The physical address for an access of `size` bytes that stays within one
 * page of vmalloc space, or -1 when it crosses into another page.
 */
function translate_slow(addr: number, size: number, write: boolean, ip: Accessor): number {
  const p = translate(addr);
  if (p < 0 || (write && kernel_image_phys(addr) >= 0)) page_fault(addr, write, ip);
  if ((addr % PAGE_SIZE) + size <= PAGE_SIZE) return p;
  return -1;
}

/** One access of a device's register through an ioremap() mapping. */
function io_load(addr: number, size: mmio_size, ip: Accessor): number | bigint {
  const v = mmio_read(addr, size);
  if (v === undefined) page_fault(addr, false, ip);
  return v;
}

function io_store(addr: number, size: mmio_size, value: number | bigint, ip: Accessor): void {
  if (!mmio_write(addr, size, value)) page_fault(addr, true, ip);
}

function load(addr: number, size: number, ip: Accessor): number {
  let p = addr - PAGE_OFFSET;
  if (p < 0 || p + size > mem_size) {
    // MMIO is tested off the direct-map fast path, so RAM accesses do not pay for it.
    if (is_ioremap_addr(addr)) return Number(io_load(addr, size as mmio_size, ip));
    p = translate_slow(addr, size, false, ip);
    if (p < 0) {
      let v = 0;
      for (let i = size - 1; i >= 0; i--) v = v * 256 + load(addr + i, 1, ip);
      return v;
    }
  }
  if (kasan_enabled()) kasan_check(p, size, false, addr, ip);
  switch (size) {
    case 1:
      return mem_u8[p]!;
    case 2:
      return mem_view.getUint16(p, true);
    case 4:
      return mem_view.getUint32(p, true);
    default:
      return mem_view.getUint32(p, true) + mem_view.getUint32(p + 4, true) * 2 ** 32;
  }
}

function store(addr: number, size: number, value: number, ip: Accessor): void {
  let p = addr - PAGE_OFFSET;
  if (p < 0 || p + size > mem_size) {
    if (is_ioremap_addr(addr)) {
      io_store(addr, size as mmio_size, size === 8 ? BigInt(value) : value, ip);
      return;
    }
    p = translate_slow(addr, size, true, ip);
    if (p < 0) {
      for (let i = 0; i < size; i++)
        store(addr + i, 1, Math.floor(value / 2 ** (8 * i)) & 0xff, ip);
      return;
    }
  }
  if (kasan_enabled()) kasan_check(p, size, true, addr, ip);
  switch (size) {
    case 1:
      mem_u8[p] = value;
      break;
    case 2:
      mem_view.setUint16(p, value, true);
      break;
    case 4:
      mem_view.setUint32(p, value, true);
      break;
    default:
      mem_view.setUint32(p, value >>> 0, true);
      mem_view.setUint32(p + 4, Math.floor(value / 2 ** 32) >>> 0, true);
  }
}

/** Loads a u8. */
export function readb(addr: number): number {
  return load(addr, 1, readb);
}
/** Loads a little-endian u16. */
export function readw(addr: number): number {
  return load(addr, 2, readw);
}
/** Loads a little-endian u32. */
export function readl(addr: number): number {
  return load(addr, 4, readl);
}
/** Loads a little-endian u64. */
export function readq(addr: number): bigint {
  // A device sees one 8-byte access, not two 4-byte ones.
  if (is_ioremap_addr(addr)) return io_load(addr, 8, readq) as bigint;
  const lo = load(addr, 4, readq);
  const hi = load(addr + 4, 4, readq);
  return (BigInt(hi) << 32n) | BigInt(lo);
}
/** Loads a 64-bit word holding a kernel address (or any integer below 2^53). */
export function read_ptr(addr: number): number {
  return load(addr, 8, read_ptr);
}

/** Stores a u8 (the low 8 bits of `value`). */
export function writeb(value: number, addr: number): void {
  store(addr, 1, value & 0xff, writeb);
}
/** Stores a little-endian u16. */
export function writew(value: number, addr: number): void {
  store(addr, 2, value & 0xffff, writew);
}
/** Stores a little-endian u32. */
export function writel(value: number, addr: number): void {
  store(addr, 4, value >>> 0, writel);
}
/** Stores a little-endian u64. */
export function writeq(value: bigint, addr: number): void {
  const v = BigInt.asUintN(64, value);
  if (is_ioremap_addr(addr)) {
    io_store(addr, 8, v, writeq);
    return;
  }
  store(addr, 4, Number(v & 0xffffffffn), writeq);
  store(addr + 4, 4, Number(v >> 32n), writeq);
}
/** Stores a kernel address (or any integer below 2^53) as a 64-bit word. */
export function write_ptr(value: number, addr: number): void {
  store(addr, 8, value, write_ptr);
}

/**
 * Calls `fn(p, offset, len)` for each physically contiguous piece of
 * `[addr, addr+n)`, checking each piece with KASAN first.
 */
function for_each_chunk(
  addr: number,
  n: number,
  write: boolean,
  ip: Accessor,
  fn: (p: number, offset: number, len: number) => void,
): void {
  const p = addr - PAGE_OFFSET;
  if (p >= 0 && p + n <= mem_size) {
    if (kasan_enabled()) kasan_check(p, n, write, addr, ip);
    fn(p, 0, n);
    return;
  }
  let done = 0;
  while (done < n) {
    const a = addr + done;
    const len = Math.min(n - done, PAGE_SIZE - (a % PAGE_SIZE));
    const q = translate(a);
    if (q < 0 || (write && kernel_image_phys(a) >= 0)) page_fault(a, write, ip);
    if (kasan_enabled()) kasan_check(q, len, write, a, ip);
    fn(q, done, len);
    done += len;
  }
}

/**
 * Copies `n` bytes from `src` to `dst`; overlapping ranges are copied as
 * memmove does. Returns `dst`.
 */
export function memcpy(dst: number, src: number, n: number): number {
  return copy(dst, src, n, memcpy);
}

/** Copies `n` bytes between possibly overlapping ranges. Returns `dst`. */
export function memmove(dst: number, src: number, n: number): number {
  return copy(dst, src, n, memmove);
}

function copy(dst: number, src: number, n: number, ip: Accessor): number {
  if (n <= 0) return dst;
  const pd = dst - PAGE_OFFSET;
  const ps = src - PAGE_OFFSET;
  if (pd >= 0 && pd + n <= mem_size && ps >= 0 && ps + n <= mem_size) {
    if (kasan_enabled()) {
      kasan_check(ps, n, false, src, ip);
      kasan_check(pd, n, true, dst, ip);
    }
    mem_u8.copyWithin(pd, ps, ps + n);
    return dst;
  }
  const bytes = new Uint8Array(n);
  for_each_chunk(src, n, false, ip, (p, off, len) => bytes.set(mem_u8.subarray(p, p + len), off));
  for_each_chunk(dst, n, true, ip, (p, off, len) => mem_u8.set(bytes.subarray(off, off + len), p));
  return dst;
}

/** Fills `n` bytes at `addr` with the byte `c`. Returns `addr`. */
export function memset(addr: number, c: number, n: number): number {
  if (n <= 0) return addr;
  for_each_chunk(addr, n, true, memset, (p, _off, len) => mem_u8.fill(c & 0xff, p, p + len));
  return addr;
}

/** Compares `n` bytes: negative, 0 or positive like C's memcmp. */
export function memcmp(a: number, b: number, n: number): number {
  const x = memcpy_to_js_ip(a, n, memcmp);
  const y = memcpy_to_js_ip(b, n, memcmp);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

/** Copies JavaScript bytes into kernel memory at `dst` (checked like a store). */
export function memcpy_from_js(dst: number, src: Uint8Array): void {
  for_each_chunk(dst, src.length, true, memcpy_from_js, (p, off, len) =>
    mem_u8.set(src.subarray(off, off + len), p),
  );
}

/** Copies `n` bytes of kernel memory at `src` out to JavaScript (checked like a load). */
export function memcpy_to_js(src: number, n: number): Uint8Array {
  return memcpy_to_js_ip(src, n, memcpy_to_js);
}

function memcpy_to_js_ip(src: number, n: number, ip: Accessor): Uint8Array {
  const out = new Uint8Array(n);
  if (n > 0)
    for_each_chunk(src, n, false, ip, (p, off, len) => out.set(mem_u8.subarray(p, p + len), off));
  return out;
}
