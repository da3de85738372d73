/**
 * The MMIO accessor families of `<asm/io.h>` and `<asm-generic/iomap.h>` on top
 * of `readb`...`writeq`: `ioread32`/`iowrite32` (the `iomap` interface),
 * the big-endian `_be` variants for devices whose registers are big-endian,
 * the `_relaxed` variants, and the bulk `memcpy_fromio`/`memcpy_toio`/`memset_io`.
 *
 * The bus is little-endian as on x86 and PCI: `readl` returns the register's
 * value, `ioread32be` the same 32 bits byte-swapped. The simulated CPU runs one
 * access at a time in program order, so the ordering that the non-relaxed
 * accessors add with barriers always holds; `_relaxed` differ only in name.
 *
 * @example
 * ```ts
 * import { ioread32, ioread32be, ioremap, iounmap, iowrite32be, sim_mmio_register, sim_mmio_unregister } from '@rfl/kernel';
 * let reg = 0;
 * sim_mmio_register(0xfe100000, 0x100, 'be-dev', {
 *   read: () => reg,
 *   write: (_off, _size, v) => { reg = Number(v); },
 * });
 * const io = ioremap(0xfe100000, 0x100);
 * iowrite32be(0x12345678, io);
 * reg.toString(16) // => '78563412'
 * ioread32(io).toString(16) // => '78563412'
 * ioread32be(io).toString(16) // => '12345678'
 * iounmap(io);
 * sim_mmio_unregister(0xfe100000);
 * ```
 *
 * @module
 */

import { readb, readl, readq, readw, writeb, writel, writeq, writew } from '../mm/access.js';

/** `swab16`: the two bytes of a u16 swapped. */
export function swab16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}

/** `swab32`: the four bytes of a u32 reversed. */
export function swab32(x: number): number {
  return (
    (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | ((x >>> 24) & 0xff)) >>> 0
  );
}

/** `swab64`: the eight bytes of a u64 reversed. */
export function swab64(x: bigint): bigint {
  const v = BigInt.asUintN(64, x);
  const lo = swab32(Number(v & 0xffffffffn));
  const hi = swab32(Number(v >> 32n));
  return (BigInt(lo) << 32n) | BigInt(hi);
}

export const ioread8 = readb;
export const ioread16 = readw;
export const ioread32 = readl;
export const ioread64 = readq;
export const iowrite8 = writeb;
export const iowrite16 = writew;
export const iowrite32 = writel;
export const iowrite64 = writeq;

/** Loads a big-endian u16 register. */
export function ioread16be(addr: number): number {
  return swab16(readw(addr));
}
/** Loads a big-endian u32 register. */
export function ioread32be(addr: number): number {
  return swab32(readl(addr));
}
/** Loads a big-endian u64 register. */
export function ioread64be(addr: number): bigint {
  return swab64(readq(addr));
}
/** Stores a big-endian u16 register. */
export function iowrite16be(value: number, addr: number): void {
  writew(swab16(value & 0xffff), addr);
}
/** Stores a big-endian u32 register. */
export function iowrite32be(value: number, addr: number): void {
  writel(swab32(value >>> 0), addr);
}
/** Stores a big-endian u64 register. */
export function iowrite64be(value: bigint, addr: number): void {
  writeq(swab64(value), addr);
}

export const readb_relaxed = readb;
export const readw_relaxed = readw;
export const readl_relaxed = readl;
export const readq_relaxed = readq;
export const writeb_relaxed = writeb;
export const writew_relaxed = writew;
export const writel_relaxed = writel;
export const writeq_relaxed = writeq;

/** Copies `n` bytes from device memory at `src` to kernel memory at `dst`, a byte at a time. */
export function memcpy_fromio(dst: number, src: number, n: number): void {
  for (let i = 0; i < n; i++) writeb(readb(src + i), dst + i);
}

/** Copies `n` bytes from kernel memory at `src` to device memory at `dst`, a byte at a time. */
export function memcpy_toio(dst: number, src: number, n: number): void {
  for (let i = 0; i < n; i++) writeb(readb(src + i), dst + i);
}

/** Fills `n` bytes of device memory at `dst` with the byte `c`. */
export function memset_io(dst: number, c: number, n: number): void {
  for (let i = 0; i < n; i++) writeb(c, dst + i);
}
