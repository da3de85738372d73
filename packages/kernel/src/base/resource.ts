/**
 * Hardware resources of a device (`struct resource`, include/linux/ioport.h): an MMIO
 * window or an interrupt number, as a board file or a device tree gives them. The
 * type and `request_mem_region()` claims live in `io/resource.ts`; this adds the
 * other kinds and the helpers board code and drivers use.
 *
 * @module
 */

import { IORESOURCE_MEM, type resource } from '../io/resource.js';

/** The kind of a resource: port I/O, MMIO, registers, interrupt, DMA channel, bus numbers. */
export const IORESOURCE_IO = 0x00000100;
export const IORESOURCE_REG = 0x00000300;
export const IORESOURCE_IRQ = 0x00000400;
export const IORESOURCE_DMA = 0x00000800;
export const IORESOURCE_BUS = 0x00001000;
/** The bits that say which kind a resource is (`IORESOURCE_TYPE_BITS`). */
export const IORESOURCE_TYPE_BITS = 0x00001f00;

/** `DEFINE_RES_MEM(start, size)`; an empty name is C's NULL, filled in when the device is added. */
export function DEFINE_RES_MEM(start: number, size: number, name = ''): resource {
  return { start, end: start + size - 1, name, flags: IORESOURCE_MEM };
}

/** `DEFINE_RES_IRQ(irq)`. */
export function DEFINE_RES_IRQ(irq: number, name = ''): resource {
  return { start: irq, end: irq, name, flags: IORESOURCE_IRQ };
}

/** `resource_type()`: the `IORESOURCE_TYPE_BITS` of its flags. */
export function resource_type(res: resource): number {
  return res.flags & IORESOURCE_TYPE_BITS;
}

/** Whether two resources of the same kind share an address (`resource_overlaps()`). */
export function resource_overlaps(a: resource, b: resource): boolean {
  return a.start <= b.end && a.end >= b.start;
}

/**
 * `%pR`: `[mem 0x09030000-0x09030fff]`, `[irq 33]`; the kernel prints the end of a
 * memory range with at least as many digits as its start.
 */
export function resource_string(res: resource): string {
  const type = resource_type(res);
  if (type === IORESOURCE_IRQ) {
    return res.start === res.end ? `[irq ${res.start}]` : `[irq ${res.start}-${res.end}]`;
  }
  const kind = type === IORESOURCE_IO ? 'io' : type === IORESOURCE_MEM ? 'mem' : 'bus';
  const width = type === IORESOURCE_IO ? 4 : 8;
  const hex = (n: number) => `0x${n.toString(16).padStart(width, '0')}`;
  return `[${kind} ${hex(res.start)}-${hex(res.end)}]`;
}
