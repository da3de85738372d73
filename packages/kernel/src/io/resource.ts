/**
 * Claims on physical address ranges (kernel/resource.c, `iomem_resource`): a
 * driver calls `request_mem_region()` before it `ioremap()`s a device's
 * registers so that two drivers never drive the same device. A range that
 * overlaps a claimed one is refused (NULL; drivers return `-EBUSY`).
 *
 * @example
 * ```ts
 * import { release_mem_region, request_mem_region } from '@rfl/kernel';
 * const res = request_mem_region(0xfe200000, 0x1000, 'edu');
 * res?.name // => 'edu'
 * request_mem_region(0xfe200800, 0x100, 'rogue') // => null
 * release_mem_region(0xfe200000, 0x1000);
 * ```
 *
 * @module
 */

import { pr_warn } from '../printk.js';

/** `IORESOURCE_MEM`: the resource is memory-mapped I/O. */
export const IORESOURCE_MEM = 0x00000200;
/** `IORESOURCE_BUSY`: a driver claimed the range. */
export const IORESOURCE_BUSY = 0x80000000;

/** `struct resource`: the inclusive range `[start, end]`. */
export interface resource {
  readonly start: number;
  readonly end: number;
  readonly name: string;
  readonly flags: number;
}

let claimed: resource[] = [];

/** Forgets every claim (a reboot). */
export function resource_init(): void {
  claimed = [];
}

/** `resource_size()`. */
export function resource_size(res: resource): number {
  return res.end - res.start + 1;
}

/** `%pa` of a physical address: `0x` and 16 hex digits. */
function pa(addr: number): string {
  return `0x${addr.toString(16).padStart(16, '0')}`;
}

/**
 * Claims `[start, start+n)` for `name`; returns the resource, or null when part of
 * it is already claimed.
 */
export function request_mem_region(start: number, n: number, name: string): resource | null {
  const end = start + n - 1;
  if (n <= 0) return null;
  for (const r of claimed) if (start <= r.end && r.start <= end) return null;
  const res: resource = { start, end, name, flags: IORESOURCE_MEM | IORESOURCE_BUSY };
  claimed.push(res);
  return res;
}

/** Releases a claim made with exactly this range, or warns as the kernel does. */
export function release_mem_region(start: number, n: number): void {
  const end = start + n - 1;
  const i = claimed.findIndex((r) => r.start === start && r.end === end);
  if (i < 0) {
    pr_warn('Trying to free nonexistent resource <%s-%s>\n', pa(start), pa(end));
    return;
  }
  claimed.splice(i, 1);
}

/** The claimed ranges, lowest first, as `/proc/iomem` lists them. */
export function iomem_resources(): resource[] {
  return [...claimed].sort((a, b) => a.start - b.start);
}
