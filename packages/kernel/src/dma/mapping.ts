/**
 * The DMA API (include/linux/dma-mapping.h) over the machine's physical memory,
 * with the checks of CONFIG_DMA_API_DEBUG (kernel/dma/debug.c).
 *
 * The simulated machine has no IOMMU: a device's bus address is the physical
 * address, and device models — in the main thread or in worker threads over the
 * shared physical memory — read and write RAM at it.
 *
 * - `dma_alloc_coherent(dev, size, dma_handle, gfp)` allocates zeroed pages the
 *   CPU and the device both see at once, returns the kernel address and stores
 *   the bus address in `dma_handle.value`; `dma_free_coherent` frees them.
 * - `dma_map_single(dev, cpu_addr, size, dir)` hands a buffer of the direct
 *   map to the device (DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_BIDIRECTIONAL) and
 *   returns its bus address; `dma_unmap_single` gives it back.
 *
 * The debug checks report, as `DMA-API: <driver> <device>: ...` warnings, the
 * kernel's classic misuses: freeing or unmapping memory that is not mapped
 * (twice, or never mapped), with a different size, direction or function
 * than it was mapped with, mapping vmalloc memory, and unmapping a mapping
 * whose address was never checked with `dma_mapping_error()`.
 *
 * @example
 * ```ts
 * import { DMA_TO_DEVICE, GFP_KERNEL, dma_alloc_coherent, dma_free_coherent, dma_map_single, dma_mapping_error, dma_unmap_single, kfree, kmalloc, virt_to_phys } from '@rfl/kernel';
 * const handle = { value: 0 };
 * const cpu = dma_alloc_coherent(null, 4096, handle, GFP_KERNEL);
 * handle.value === virt_to_phys(cpu) // => true
 * dma_free_coherent(null, 4096, cpu, handle.value);
 * const buf = kmalloc(64, GFP_KERNEL);
 * const bus = dma_map_single(null, buf, 64, DMA_TO_DEVICE);
 * dma_mapping_error(null, bus) // => 0
 * dma_unmap_single(null, bus, 64, DMA_TO_DEVICE);
 * kfree(buf);
 * ```
 *
 * @module
 */

import { dev_name, device } from '../base/device.js';
import { devm_add_action_or_reset, devm_release_action } from '../base/devres.js';
import { ENOMEM } from '../errno.js';
import { __GFP_ZERO, type gfp_t } from '../mm/gfp.js';
import {
  is_vmalloc_addr,
  kaddr_hex,
  PAGE_OFFSET,
  PAGE_SIZE,
  virt_addr_valid,
} from '../mm/layout.js';
import { __get_free_pages, free_pages } from '../mm/page_alloc.js';
import { WARN, WARN_ON } from '../panic.js';

/** `dma_addr_t`: a bus address. */
export type dma_addr_t = number;

/** Where dma_alloc_coherent() stores the bus address (C's `dma_addr_t *dma_handle`). */
export interface dma_handle_ref {
  value: dma_addr_t;
}

/** `enum dma_data_direction`. */
export const DMA_BIDIRECTIONAL = 0;
export const DMA_TO_DEVICE = 1;
export const DMA_FROM_DEVICE = 2;
export const DMA_NONE = 3;

const DIR_NAMES = ['DMA_BIDIRECTIONAL', 'DMA_TO_DEVICE', 'DMA_FROM_DEVICE', 'DMA_NONE'];

/** `DMA_MAPPING_ERROR`: the address a failed mapping returns. */
export const DMA_MAPPING_ERROR = -1;

/** `DMA_BIT_MASK(n)`: a mask of the low `n` address bits (n <= 53 in the simulation). */
export function DMA_BIT_MASK(n: number): number {
  return n >= 53 ? Number.MAX_SAFE_INTEGER : 2 ** n - 1;
}

/** The physical address of a direct-map address (`virt_to_phys`). */
export function virt_to_phys(addr: number): number {
  return addr - PAGE_OFFSET;
}

/** The direct-map address of a physical address (`phys_to_virt`). */
export function phys_to_virt(phys: number): number {
  return phys + PAGE_OFFSET;
}

type map_type = 'single' | 'coherent';

/** One live mapping, as dma-debug's `struct dma_debug_entry`. */
interface dma_debug_entry {
  readonly dev: unknown;
  readonly type: map_type;
  readonly dev_addr: number;
  readonly size: number;
  readonly dir: number;
  readonly cpu_addr: number;
  /** Whether dma_mapping_error() looked at the address (map_err_type). */
  checked: boolean;
}

const state = {
  entries: new Map<number, dma_debug_entry[]>(),
  masks: new WeakMap<object, number>(),
  error_count: 0,
};

/** Forgets every mapping and mask (a reboot). */
export function dma_init(): void {
  state.entries.clear();
  state.masks = new WeakMap();
  state.error_count = 0;
}

/** The errors dma-debug found (`/sys/kernel/debug/dma-api/error_count`). */
export function dma_debug_error_count(): number {
  return state.error_count;
}

/** Mappings still live, for a driver's "pending DMA allocations" check. */
export function dma_debug_pending(dev: unknown): number {
  let n = 0;
  for (const list of state.entries.values()) for (const e of list) if (e.dev === dev) n += 1;
  return n;
}

function field(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null
    ? (obj as Record<string, unknown>)[key]
    : undefined;
}

/**
 * `dev_driver_string(dev)` and `dev_name(dev)` of a device of the device model
 * (or, for any other object, its `driver.name` and `name`); "NULL" for no device.
 */
function dev_names(dev: unknown): [string, string] {
  if (dev === null || dev === undefined) return ['NULL', 'NULL'];
  if (dev instanceof device) return [dev.driver_string, dev_name(dev)];
  const driver = field(field(dev, 'driver'), 'name') ?? field(field(dev, 'bus'), 'name') ?? '';
  const name = field(dev, 'name') ?? field(dev, 'init_name') ?? '';
  return [String(driver), String(name)];
}

/** `err_printk()`: a DMA-API warning about `dev`. */
function err_printk(dev: unknown, fmt: string, ...args: unknown[]): void {
  state.error_count += 1;
  const [driver, name] = dev_names(dev);
  WARN(true, `DMA-API: %s %s: ${fmt}`, driver, name, ...args);
}

function hex64(v: number): string {
  return v.toString(16).padStart(16, '0');
}

/** `dma_set_mask()`: the addresses `dev` can reach; 0. */
export function dma_set_mask(dev: unknown, mask: number): number {
  if (typeof dev === 'object' && dev !== null) state.masks.set(dev, mask);
  return 0;
}

/** `dma_set_coherent_mask()`: the same mask for coherent allocations. */
export const dma_set_coherent_mask = dma_set_mask;
/** `dma_set_mask_and_coherent()`. */
export const dma_set_mask_and_coherent = dma_set_mask;

/** `dma_get_mask()`: the device's mask, 32 bits until set as in the kernel. */
export function dma_get_mask(dev: unknown): number {
  return typeof dev === 'object' && dev !== null
    ? (state.masks.get(dev) ?? DMA_BIT_MASK(32))
    : DMA_BIT_MASK(32);
}

function add_entry(entry: dma_debug_entry): void {
  const list = state.entries.get(entry.dev_addr);
  if (list === undefined) state.entries.set(entry.dev_addr, [entry]);
  else list.push(entry);
}

/** `check_unmap()`: finds the mapping being released and reports every mismatch. */
function check_unmap(ref: Omit<dma_debug_entry, 'checked'>): dma_debug_entry | undefined {
  const list = state.entries.get(ref.dev_addr);
  const i = list?.findIndex((e) => e.dev === ref.dev) ?? -1;
  if (list === undefined || i < 0) {
    err_printk(
      ref.dev,
      'device driver tries to free DMA memory it has not allocated [device address=0x%s] [size=%u bytes]\n',
      hex64(ref.dev_addr),
      ref.size,
    );
    return undefined;
  }
  const entry = list[i]!;
  list.splice(i, 1);
  if (list.length === 0) state.entries.delete(ref.dev_addr);
  if (ref.size !== entry.size) {
    err_printk(
      ref.dev,
      'device driver frees DMA memory with different size [device address=0x%s] [map size=%u bytes] [unmap size=%u bytes]\n',
      hex64(ref.dev_addr),
      entry.size,
      ref.size,
    );
  }
  if (ref.type !== entry.type) {
    err_printk(
      ref.dev,
      'device driver frees DMA memory with wrong function [device address=0x%s] [size=%u bytes] [mapped as %s] [unmapped as %s]\n',
      hex64(ref.dev_addr),
      ref.size,
      entry.type,
      ref.type,
    );
  } else if (entry.type === 'coherent' && ref.cpu_addr !== entry.cpu_addr) {
    err_printk(
      ref.dev,
      'device driver frees DMA memory with different CPU address [device address=0x%s] [size=%u bytes] [cpu alloc address=0x%s] [cpu free address=0x%s]\n',
      hex64(ref.dev_addr),
      ref.size,
      kaddr_hex(entry.cpu_addr),
      kaddr_hex(ref.cpu_addr),
    );
  }
  if (ref.dir !== entry.dir) {
    err_printk(
      ref.dev,
      'device driver frees DMA memory with different direction [device address=0x%s] [size=%u bytes] [mapped with %s] [unmapped with %s]\n',
      hex64(ref.dev_addr),
      ref.size,
      DIR_NAMES[entry.dir] ?? 'DMA_NONE',
      DIR_NAMES[ref.dir] ?? 'DMA_NONE',
    );
  }
  if (entry.type === 'single' && !entry.checked) {
    err_printk(
      ref.dev,
      'device driver failed to check map error[device address=0x%s] [size=%u bytes] [mapped as %s]\n',
      hex64(ref.dev_addr),
      ref.size,
      entry.type,
    );
  }
  return entry;
}

function get_order(size: number): number {
  let order = 0;
  while (PAGE_SIZE << order < size) order += 1;
  return order;
}

/**
 * `dma_alloc_coherent()`: `size` bytes of zeroed, physically contiguous memory
 * shared with the device. Returns the kernel address (0 on failure) and stores
 * the bus address in `dma_handle.value`.
 */
export function dma_alloc_coherent(
  dev: unknown,
  size: number,
  dma_handle: dma_handle_ref,
  gfp: gfp_t,
): number {
  if (size <= 0) return 0;
  const order = get_order(size);
  const cpu_addr = __get_free_pages(gfp | __GFP_ZERO, order);
  if (cpu_addr === 0) return 0;
  const bus = virt_to_phys(cpu_addr);
  if (bus + (PAGE_SIZE << order) - 1 > dma_get_mask(dev)) {
    free_pages(cpu_addr, order);
    return 0;
  }
  dma_handle.value = bus;
  add_entry({
    dev,
    type: 'coherent',
    dev_addr: bus,
    size,
    dir: DMA_BIDIRECTIONAL,
    cpu_addr,
    checked: true,
  });
  return cpu_addr;
}

/** `dma_free_coherent()`: frees what dma_alloc_coherent() returned. */
export function dma_free_coherent(
  dev: unknown,
  size: number,
  cpu_addr: number,
  dma_handle: dma_addr_t,
): void {
  if (cpu_addr === 0) return;
  const entry = check_unmap({
    dev,
    type: 'coherent',
    dev_addr: dma_handle,
    size,
    dir: DMA_BIDIRECTIONAL,
    cpu_addr,
  });
  // Free what was allocated, whatever size the caller claims.
  const alloc_size = entry?.size ?? size;
  if (entry !== undefined || virt_addr_valid(cpu_addr)) free_pages(cpu_addr, get_order(alloc_size));
}

/**
 * `dma_map_single()`: maps `size` bytes of the direct map at `cpu_addr` for a
 * transfer in direction `dir`; returns the bus address or DMA_MAPPING_ERROR
 * (vmalloc memory is not physically contiguous and cannot be mapped).
 */
export function dma_map_single(
  dev: unknown,
  cpu_addr: number,
  size: number,
  dir: number,
): dma_addr_t {
  if (is_vmalloc_addr(cpu_addr)) {
    err_printk(
      dev,
      'device driver maps memory from vmalloc area [addr=%s] [len=%u]\n',
      kaddr_hex(cpu_addr),
      size,
    );
    return DMA_MAPPING_ERROR;
  }
  if (!virt_addr_valid(cpu_addr) || !virt_addr_valid(cpu_addr + size - 1)) return DMA_MAPPING_ERROR;
  const bus = virt_to_phys(cpu_addr);
  if (bus + size - 1 > dma_get_mask(dev)) return DMA_MAPPING_ERROR;
  add_entry({ dev, type: 'single', dev_addr: bus, size, dir, cpu_addr, checked: false });
  return bus;
}

/** `dma_unmap_single()`: ends a dma_map_single() mapping. */
export function dma_unmap_single(dev: unknown, addr: dma_addr_t, size: number, dir: number): void {
  check_unmap({ dev, type: 'single', dev_addr: addr, size, dir, cpu_addr: phys_to_virt(addr) });
}

/** `dma_mapping_error()`: -ENOMEM for a failed mapping, else 0; marks the mapping checked. */
export function dma_mapping_error(dev: unknown, addr: dma_addr_t): number {
  for (const e of state.entries.get(addr) ?? []) if (e.dev === dev) e.checked = true;
  return addr === DMA_MAPPING_ERROR ? -ENOMEM : 0;
}

/** `dma_sync_single_for_cpu()`: nothing to do on a cache-coherent machine. */
export function dma_sync_single_for_cpu(
  _dev: unknown,
  _addr: dma_addr_t,
  _size: number,
  _dir: number,
): void {}

/** `dma_sync_single_for_device()`: nothing to do on a cache-coherent machine. */
export function dma_sync_single_for_device(
  _dev: unknown,
  _addr: dma_addr_t,
  _size: number,
  _dir: number,
): void {}

interface dmam_devres {
  readonly dev: device;
  readonly size: number;
  readonly cpu_addr: number;
  readonly dma_handle: dma_addr_t;
}

function dmam_release(dr: dmam_devres): void {
  dma_free_coherent(dr.dev, dr.size, dr.cpu_addr, dr.dma_handle);
}

const dmam_allocs = new WeakMap<device, dmam_devres[]>();

/** `dmam_alloc_coherent()`: dma_alloc_coherent() freed when the driver is unbound. */
export function dmam_alloc_coherent(
  dev: device,
  size: number,
  dma_handle: dma_handle_ref,
  gfp: gfp_t,
): number {
  const cpu_addr = dma_alloc_coherent(dev, size, dma_handle, gfp);
  if (cpu_addr === 0) return 0;
  const dr: dmam_devres = { dev, size, cpu_addr, dma_handle: dma_handle.value };
  const list = dmam_allocs.get(dev) ?? [];
  list.push(dr);
  dmam_allocs.set(dev, list);
  if (devm_add_action_or_reset(dev, dmam_release, dr)) return 0;
  return cpu_addr;
}

/** `dmam_free_coherent()`: frees a dmam_alloc_coherent() buffer now. */
export function dmam_free_coherent(
  dev: device,
  _size: number,
  cpu_addr: number,
  dma_handle: dma_addr_t,
): void {
  const list = dmam_allocs.get(dev) ?? [];
  const i = list.findIndex((d) => d.cpu_addr === cpu_addr && d.dma_handle === dma_handle);
  if (WARN_ON(i < 0)) return;
  const [dr] = list.splice(i, 1);
  devm_release_action(dev, dmam_release, dr!);
}
