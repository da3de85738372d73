/**
 * Memory-mapped I/O: device models own windows of the physical address space
 * above RAM, and `ioremap()` maps such a window into ioremap space so the
 * ordinary accessors (`readl`, `writel`, ... in `mm/access.ts`) reach the device
 * instead of memory.
 *
 * A device model is a pair of callbacks, `read(offset, size)` and
 * `write(offset, size, value)`, called once per access with the access width
 * (1, 2, 4 or 8 bytes), in program order: a `writel` is one `write(off, 4, v)`,
 * never four byte stores, so registers with side effects behave as on hardware.
 * Values of 1, 2 and 4 bytes are numbers, 8-byte values are bigints.
 *
 * Bus semantics as on PCI: a read of physical addresses no device claims (or
 * of a device that went away) returns all ones, a write there is dropped.
 * Unlike x86, which maps whole pages, a mapping covers exactly the bytes that
 * were asked for: an access outside `[addr, addr + size)` of an `ioremap()` —
 * or after `iounmap()` — is the page-fault Oops of any unmapped address, so
 * out-of-bounds register accesses are caught.
 *
 * @example
 * ```ts
 * import { ioremap, iounmap, readl, sim_mmio_register, sim_mmio_unregister, writel } from '@rfl/kernel';
 * let scratch = 0;
 * sim_mmio_register(0xfe000000, 0x1000, 'scratch', {
 *   read: (offset) => (offset === 0 ? 0x11e8 : scratch),
 *   write: (_offset, _size, value) => { scratch = Number(value); },
 * });
 * const regs = ioremap(0xfe000000, 0x1000);
 * readl(regs).toString(16) // => '11e8'
 * writel(42, regs + 4);
 * readl(regs + 4) // => 42
 * iounmap(regs);
 * sim_mmio_unregister(0xfe000000);
 * ```
 *
 * @module
 */

import { EBUSY, EINVAL } from '../errno.js';
import { IOREMAP_SIZE, IOREMAP_START, kaddr_hex, mem_size, PAGE_SIZE } from '../mm/layout.js';
import { WARN, WARN_ONCE } from '../panic.js';

/** The width of one MMIO access in bytes. */
export type mmio_size = 1 | 2 | 4 | 8;

/**
 * A device model's registers (QEMU's `MemoryRegionOps`). `offset` is relative to
 * the start of the device's window. Sizes 1, 2 and 4 carry numbers, size 8 a
 * bigint; `read` may return either, it is truncated to the access width.
 */
export interface mmio_ops {
  read(offset: number, size: mmio_size): number | bigint;
  write(offset: number, size: mmio_size, value: number | bigint): void;
}

/** A device's window of the physical address space. */
interface mmio_region {
  readonly start: number;
  readonly size: number;
  readonly name: string;
  readonly ops: mmio_ops;
}

/** One ioremap() mapping: the virtual bytes `[virt, virt+size)` show `[phys, phys+size)`. */
interface io_mapping {
  readonly virt: number;
  readonly phys: number;
  readonly size: number;
}

const state = {
  regions: [] as mmio_region[],
  /** Per page of ioremap space that belongs to a mapping. */
  pages: new Map<number, io_mapping>(),
  mappings: new Map<number, io_mapping>(),
  /** Next free page of ioremap space; freed ranges are never reused, so stale pointers fault. */
  next_page: 0,
};

/** Forgets every device window and mapping (a reboot). */
export function io_init(): void {
  state.regions = [];
  state.pages.clear();
  state.mappings.clear();
  state.next_page = 0;
}

/**
 * Gives the device model `ops` the physical window `[phys, phys+size)`.
 * Returns 0, `-EINVAL` for an empty window or one overlapping RAM, `-EBUSY`
 * when another device already claims part of it.
 */
export function sim_mmio_register(phys: number, size: number, name: string, ops: mmio_ops): number {
  if (size <= 0 || phys < mem_size) return -EINVAL;
  for (const r of state.regions) {
    if (phys < r.start + r.size && r.start < phys + size) return -EBUSY;
  }
  state.regions.push({ start: phys, size, name, ops });
  return 0;
}

/**
 * Removes the device whose window starts at `phys` (a hot-unplug: mappings stay,
 * reads through them return all ones). Returns 0 or `-EINVAL`.
 */
export function sim_mmio_unregister(phys: number): number {
  const i = state.regions.findIndex((r) => r.start === phys);
  if (i < 0) return -EINVAL;
  state.regions.splice(i, 1);
  return 0;
}

function region_at(phys: number, size: number): mmio_region | undefined {
  for (const r of state.regions) {
    if (phys >= r.start && phys + size <= r.start + r.size) return r;
  }
  return undefined;
}

/**
 * Maps `size` bytes of device memory at physical `phys` and returns the kernel
 * address of `phys`, or 0 (NULL) when the range is empty, wraps, or is RAM
 * (`ioremap on RAM at ...`, as x86 refuses it).
 */
export function ioremap(phys: number, size: number): number {
  if (size <= 0 || phys < 0 || !Number.isSafeInteger(phys + size)) return 0;
  if (phys < mem_size) {
    WARN_ONCE(
      true,
      'ioremap on RAM at 0x%s - 0x%s\n',
      phys.toString(16).padStart(16, '0'),
      (phys + size - 1).toString(16).padStart(16, '0'),
    );
    return 0;
  }
  const offset = phys % PAGE_SIZE;
  const npages = Math.ceil((offset + size) / PAGE_SIZE);
  // One unmapped guard page after each mapping, as vmalloc space keeps.
  if ((state.next_page + npages + 1) * PAGE_SIZE > IOREMAP_SIZE) return 0;
  const first = state.next_page;
  state.next_page += npages + 1;
  const virt = IOREMAP_START + first * PAGE_SIZE + offset;
  const mapping: io_mapping = { virt, phys, size };
  for (let i = 0; i < npages; i++) state.pages.set(first + i, mapping);
  state.mappings.set(virt, mapping);
  return virt;
}

/** `ioremap_wc`: write-combining makes no difference to the simulation. */
export const ioremap_wc = ioremap;
/** `ioremap_uc`: uncached, which every simulated mapping is. */
export const ioremap_uc = ioremap;
/** `ioremap_np`: non-posted; simulated writes already complete before returning. */
export const ioremap_np = ioremap;

/** Unmaps what `ioremap()` returned; any later access through it faults. */
export function iounmap(addr: number): void {
  const mapping = state.mappings.get(addr);
  if (mapping === undefined) {
    // x86's iounmap() complains and dumps the stack; WARN is the closest report.
    if (addr !== 0) WARN(true, 'iounmap: bad address %s\n', kaddr_hex(addr));
    return;
  }
  state.mappings.delete(addr);
  for (const [page, m] of state.pages) if (m === mapping) state.pages.delete(page);
}

/** The mapping holding `[addr, addr+size)`, if one holds all of it. */
function mapping_at(addr: number, size: number): io_mapping | undefined {
  const m = state.pages.get(Math.floor((addr - IOREMAP_START) / PAGE_SIZE));
  if (m === undefined || addr < m.virt || addr + size > m.virt + m.size) return undefined;
  return m;
}

function all_ones(size: mmio_size): number | bigint {
  return size === 8 ? 0xffff_ffff_ffff_ffffn : 2 ** (8 * size) - 1;
}

/**
 * The load of `size` bytes at ioremap address `addr`, or undefined when nothing
 * is mapped there (the caller reports the page fault). 8-byte values are bigints.
 */
export function mmio_read(addr: number, size: mmio_size): number | bigint | undefined {
  const m = mapping_at(addr, size);
  if (m === undefined) return undefined;
  const phys = m.phys + (addr - m.virt);
  const r = region_at(phys, size);
  if (r === undefined) return all_ones(size);
  const v = r.ops.read(phys - r.start, size);
  if (size === 8) return BigInt.asUintN(64, BigInt(v));
  const n = typeof v === 'bigint' ? Number(BigInt.asUintN(32, v)) : v;
  return size === 4 ? n >>> 0 : n & (2 ** (8 * size) - 1);
}

/**
 * The store of `value` (`size` bytes) at ioremap address `addr`; false when
 * nothing is mapped there (the caller reports the page fault).
 */
export function mmio_write(addr: number, size: mmio_size, value: number | bigint): boolean {
  const m = mapping_at(addr, size);
  if (m === undefined) return false;
  const phys = m.phys + (addr - m.virt);
  const r = region_at(phys, size);
  if (r === undefined) return true;
  r.ops.write(phys - r.start, size, size === 8 ? BigInt.asUintN(64, BigInt(value)) : value);
  return true;
}

/** The name of the device at `phys`, for reports (`/proc/iomem` style). */
export function sim_mmio_name(phys: number): string | undefined {
  return region_at(phys, 1)?.name;
}
