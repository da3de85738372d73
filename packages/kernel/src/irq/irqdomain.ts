/**
 * Irq domains (kernel/irq/irqdomain.c): the translation of an interrupt
 * controller's hardware line numbers (`hwirq`) to Linux irq numbers. A linear
 * domain keeps a reverse map of `size` entries; `irq_create_mapping()` allocates
 * a descriptor for a line and lets the domain's `map` operation give it a chip
 * and flow handler. A demultiplexing controller (a GPIO block, a PCI bridge)
 * registers a domain for its children and, from its parent's chained handler,
 * calls `generic_handle_domain_irq()` for each child line that is pending.
 *
 * @example
 * ```ts
 * import { dummy_irq_chip, handle_simple_irq, irq_create_mapping, irq_domain_create_linear, irq_find_mapping, irq_set_chip_and_handler } from '@rfl/kernel';
 * const domain = irq_domain_create_linear('gpio-demo', 8, {
 *   map: (_d, virq, _hw) => { irq_set_chip_and_handler(virq, dummy_irq_chip, handle_simple_irq); return 0; },
 * });
 * const virq = irq_create_mapping(domain, 3);
 * irq_find_mapping(domain, 3) === virq // => true
 * irq_find_mapping(domain, 4) // => 0
 * ```
 *
 * @module
 */

import { EINVAL, EPERM } from '../errno.js';
import { WARN } from '../panic.js';
import { pr_info } from '../printk.js';
import { generic_handle_irq } from './handle.js';
import { irq_alloc_desc, type irq_data, irq_free_desc, irq_to_desc } from './irqdesc.js';

/** `struct irq_domain_ops`: what a controller does when a line is mapped or unmapped. */
export interface irq_domain_ops {
  /** Sets up the descriptor of `virq` for hardware line `hw`; returns 0 or -errno. */
  map?(d: irq_domain, virq: number, hw: number): number;
  unmap?(d: irq_domain, virq: number): void;
}

/** `struct irq_domain` with a linear reverse map. */
export class irq_domain {
  readonly name: string;
  readonly ops: irq_domain_ops;
  readonly host_data: unknown;
  readonly fwnode: unknown;
  /** One more than the largest hardware line number. */
  readonly hwirq_max: number;
  /** Linux irq per hardware line; 0 when unmapped. */
  readonly revmap: Int32Array;

  constructor(fwnode: unknown, size: number, ops: irq_domain_ops, host_data: unknown) {
    this.fwnode = fwnode;
    this.name = domain_name(fwnode);
    this.hwirq_max = size;
    this.ops = ops;
    this.host_data = host_data;
    this.revmap = new Int32Array(size);
  }
}

let unknown_domains = 0;
let domains: irq_domain[] = [];

function domain_name(fwnode: unknown): string {
  if (typeof fwnode === 'string') return fwnode;
  if (typeof fwnode === 'object' && fwnode !== null && 'name' in fwnode) {
    return String((fwnode as { name: unknown }).name);
  }
  unknown_domains += 1;
  return `unknown-${unknown_domains}`;
}

/** Forgets every domain (a reboot). */
export function irq_domain_init(): void {
  domains = [];
  unknown_domains = 0;
}

/**
 * `irq_domain_create_linear()`: a domain of `size` lines named after `fwnode`
 * (a name, or an object with a `name`, standing for the firmware node).
 */
export function irq_domain_create_linear(
  fwnode: unknown,
  size: number,
  ops: irq_domain_ops,
  host_data?: unknown,
): irq_domain {
  const d = new irq_domain(fwnode, size, ops, host_data);
  domains.push(d);
  return d;
}

/** `irq_domain_add_linear()`: the older name, taking the device-tree node. */
export const irq_domain_add_linear = irq_domain_create_linear;

/** `irq_domain_remove()`: disposes of every mapping and forgets the domain. */
export function irq_domain_remove(d: irq_domain): void {
  for (const virq of d.revmap) if (virq !== 0) irq_dispose_mapping(virq);
  domains = domains.filter((x) => x !== d);
}

/** The registered domains, oldest first (`/sys/kernel/debug/irq/domains`). */
export function irq_domains(): readonly irq_domain[] {
  return domains;
}

/** `irq_find_mapping()`: the Linux irq of hardware line `hwirq`, or 0. */
export function irq_find_mapping(d: irq_domain, hwirq: number): number {
  if (hwirq < 0 || hwirq >= d.hwirq_max) return 0;
  return d.revmap[hwirq] ?? 0;
}

/**
 * `irq_create_mapping()`: the Linux irq of hardware line `hwirq`, mapping it
 * first if needed. Returns 0 when the line is out of range or `map` refuses it.
 */
export function irq_create_mapping(d: irq_domain, hwirq: number): number {
  const existing = irq_find_mapping(d, hwirq);
  if (existing !== 0) return existing;
  if (
    WARN(
      hwirq < 0 || hwirq >= d.hwirq_max,
      'error: hwirq 0x%x is too large for %s\n',
      hwirq,
      d.name,
    )
  ) {
    return 0;
  }
  const virq = irq_alloc_desc();
  const desc = irq_to_desc(virq)!;
  desc.irq_data.hwirq = hwirq;
  desc.irq_data.domain = d;
  d.revmap[hwirq] = virq;
  const ret = d.ops.map?.(d, virq, hwirq) ?? 0;
  if (ret !== 0) {
    if (ret !== -EPERM) {
      pr_info("%s didn't like hwirq-0x%x to VIRQ%d mapping (rc=%d)\n", d.name, hwirq, virq, ret);
    }
    d.revmap[hwirq] = 0;
    irq_free_desc(virq);
    return 0;
  }
  return virq;
}

/** `irq_dispose_mapping()`: unmaps a Linux irq and frees its descriptor. */
export function irq_dispose_mapping(virq: number): void {
  const desc = irq_to_desc(virq);
  const d = desc?.irq_data.domain;
  if (desc === undefined || d === undefined) return;
  d.ops.unmap?.(d, virq);
  d.revmap[desc.irq_data.hwirq] = 0;
  irq_free_desc(virq);
}

/** `irq_domain_get_irq_data()`: the irq_data of `virq` if it belongs to `d`. */
export function irq_domain_get_irq_data(d: irq_domain, virq: number): irq_data | undefined {
  const data = irq_to_desc(virq)?.irq_data;
  return data?.domain === d ? data : undefined;
}

/**
 * `generic_handle_domain_irq()`: runs the flow handler of hardware line `hwirq`
 * of `d`, from a chained handler. Returns 0, or -EINVAL for an unmapped line.
 */
export function generic_handle_domain_irq(d: irq_domain, hwirq: number): number {
  const virq = irq_find_mapping(d, hwirq);
  if (virq === 0) return -EINVAL;
  return generic_handle_irq(virq);
}
