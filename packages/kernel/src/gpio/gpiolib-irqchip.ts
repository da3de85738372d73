/**
 * The interrupt side of gpiolib (the `gpiochip_irqchip_*` part of
 * drivers/gpio/gpiolib.c): a GPIO controller that is also an interrupt
 * controller fills in `gc.irq` and gpiolib does the rest — a linear irq domain
 * of `ngpio` lines whose irqs get the driver's `irq_chip` and flow handler,
 * `gc.to_irq`, and the chained handler on each parent irq. An irq_chip marked
 * IRQCHIP_IMMUTABLE spreads {@link GPIOCHIP_IRQ_RESOURCE_HELPERS} into itself and
 * calls {@link gpiochip_enable_irq}/{@link gpiochip_disable_irq} from its
 * unmask/mask, so that requesting a line's irq locks the line as an input.
 *
 * @module
 */

import { dev_name } from '../base/device.js';
import { EINVAL, EIO, ENODEV, ENXIO } from '../errno.js';
import {
  irq_set_chained_handler_and_data,
  irq_set_chip_and_handler,
  irq_set_chip_data,
  irq_set_irq_type,
  irq_set_status_flags,
} from '../irq/chip.js';
import {
  handle_bad_irq,
  IRQ_NOPROBE,
  IRQ_TYPE_NONE,
  IRQCHIP_IMMUTABLE,
  type irq_chip,
  type irq_data,
  irq_data_get_irq_chip_data,
  no_irq_chip,
} from '../irq/irqdesc.js';
import {
  irq_create_mapping,
  irq_dispose_mapping,
  type irq_domain,
  irq_domain_create_linear,
  irq_domain_remove,
  irq_find_mapping,
} from '../irq/irqdomain.js';
import { type module, module_put, try_module_get } from '../module/module.js';
import { WARN_ON } from '../panic.js';
import { dev_warn } from '../printk.js';
import { gpiod_get_direction } from './consumer.js';
import type { gpio_bitmap, gpio_chip } from './driver.js';
import { FLAG_IRQ_IS_ENABLED, FLAG_IS_OUT, FLAG_OPEN_DRAIN, FLAG_USED_AS_IRQ } from './driver.js';
import { chip_err } from './gpiolib.js';

/** Whether line `offset` may be an interrupt (`gpiochip_irqchip_irq_valid()`). */
export function gpiochip_irqchip_irq_valid(gc: gpio_chip, offset: number): boolean {
  if (offset < 0 || offset >= gc.ngpio) return false;
  const mask = gc.irq.valid_mask;
  if (!mask) return true;
  return ((mask[offset >> 5]! >>> (offset & 31)) & 1) === 1;
}

/** `gpiochip_to_irq()`: maps line `offset` in the chip's domain; -ENXIO for an invalid line. */
function gpiochip_to_irq(gc: gpio_chip, offset: number): number {
  const domain = gc.irq.domain;
  if (!domain || !gpiochip_irqchip_irq_valid(gc, offset)) return -ENXIO;
  return irq_create_mapping(domain, offset);
}

/** `gpiochip_irq_map()`: a line's irq gets the chip, its data and the flow handler. */
function gpiochip_irq_map(d: irq_domain, irq: number, _hwirq: number): number {
  const gc = d.host_data as gpio_chip;
  irq_set_chip_data(irq, gc);
  irq_set_chip_and_handler(irq, gc.irq.chip ?? no_irq_chip, gc.irq.handler ?? handle_bad_irq);
  irq_set_status_flags(irq, IRQ_NOPROBE);
  if (gc.irq.default_type !== IRQ_TYPE_NONE) irq_set_irq_type(irq, gc.irq.default_type);
  return 0;
}

function gpiochip_irq_unmap(_d: irq_domain, irq: number): void {
  irq_set_chip_and_handler(irq, no_irq_chip, handle_bad_irq);
  irq_set_chip_data(irq, undefined);
}

/**
 * `gpiochip_irq_reqres()`: the `irq_request_resources` of a GPIO irq chip —
 * pins the driver and locks the line as an interrupt.
 */
export function gpiochip_irq_reqres(d: irq_data): number {
  const gc = irq_data_get_irq_chip_data(d) as gpio_chip;
  return gpiochip_reqres_irq(gc, d.hwirq);
}

/** `gpiochip_irq_relres()`: the matching `irq_release_resources`. */
export function gpiochip_irq_relres(d: irq_data): void {
  const gc = irq_data_get_irq_chip_data(d) as gpio_chip;
  gpiochip_relres_irq(gc, d.hwirq);
}

/** `GPIOCHIP_IRQ_RESOURCE_HELPERS`: spread into an immutable GPIO irq_chip. */
export const GPIOCHIP_IRQ_RESOURCE_HELPERS = {
  irq_request_resources: gpiochip_irq_reqres,
  irq_release_resources: gpiochip_irq_relres,
} as const;

/**
 * `gpiochip_set_irq_hooks()`: a chip that is not immutable gets the resource
 * helpers added behind its back, with the kernel's nag.
 */
function gpiochip_set_irq_hooks(gc: gpio_chip): void {
  const chip = gc.irq.chip!;
  if ((chip.flags ?? 0) & IRQCHIP_IMMUTABLE) return;
  if (gc.parent) dev_warn(gc.parent, 'not an immutable chip, please consider fixing it!\n');
  gc.irq.chip = {
    ...chip,
    irq_request_resources: chip.irq_request_resources ?? gpiochip_irq_reqres,
    irq_release_resources: chip.irq_release_resources ?? gpiochip_irq_relres,
  } satisfies irq_chip;
}

/**
 * `gpiochip_add_irqchip()`: when `gc.irq.chip` is set, runs `init_hw` and
 * `init_valid_mask`, creates the domain, installs `to_irq` and the chained
 * handlers. 0 or a negative errno.
 */
export function gpiochip_add_irqchip(gc: gpio_chip): number {
  const girq = gc.irq;
  if (!girq.chip) return 0;
  if (girq.parent_handler && gc.can_sleep) {
    chip_err(gc, 'you cannot have chained interrupts on a chip that may sleep\n');
    return -EINVAL;
  }
  if (girq.init_valid_mask) {
    const mask = new Uint32Array((gc.ngpio + 31) >> 5);
    for (let i = 0; i < gc.ngpio; i++) mask[i >> 5]! |= 1 << (i & 31);
    girq.init_valid_mask(gc, mask, gc.ngpio);
    girq.valid_mask = mask satisfies gpio_bitmap;
  }
  if (girq.init_hw) {
    const ret = girq.init_hw(gc);
    if (ret < 0) return ret;
  }
  if (gc.to_irq)
    chip_err(
      gc,
      "to_irq is redefined in %s and you shouldn't rely on it\n",
      'gpiochip_add_irqchip',
    );
  const name = gc.parent ? dev_name(gc.parent) : gc.label;
  girq.domain = irq_domain_create_linear(
    { name },
    gc.ngpio,
    { map: gpiochip_irq_map, unmap: gpiochip_irq_unmap },
    gc,
  );
  gc.to_irq = gpiochip_to_irq;
  gpiochip_set_irq_hooks(gc);
  if (girq.parent_handler) {
    const data = girq.parent_handler_data ?? gc;
    for (let i = 0; i < girq.num_parents; i++) {
      irq_set_chained_handler_and_data(girq.parents[i]!, girq.parent_handler, data);
    }
  }
  girq.initialized = true;
  return 0;
}

/**
 * `gpiochip_irqchip_remove()`: takes the chained handlers off the parent irqs,
 * disposes of every line's mapping and removes the domain.
 */
export function gpiochip_irqchip_remove(gc: gpio_chip): void {
  const girq = gc.irq;
  girq.initialized = false;
  if (girq.parent_handler) {
    for (let i = 0; i < girq.num_parents; i++) {
      irq_set_chained_handler_and_data(girq.parents[i]!, null, undefined);
    }
  }
  const domain = girq.domain;
  if (domain) {
    for (let offset = 0; offset < gc.ngpio; offset++) {
      if (!gpiochip_irqchip_irq_valid(gc, offset)) continue;
      const irq = irq_find_mapping(domain, offset);
      if (irq) irq_dispose_mapping(irq);
    }
    irq_domain_remove(domain);
    girq.domain = undefined;
  }
  if (gc.to_irq === gpiochip_to_irq) gc.to_irq = undefined;
  girq.valid_mask = undefined;
}

/**
 * Locks a line as an interrupt (`gpiochip_lock_as_irq()`): an output line
 * cannot be one (-EIO, `tried to flag a GPIO set as output for IRQ`).
 */
export function gpiochip_lock_as_irq(gc: gpio_chip, offset: number): number {
  const desc = gc.gpiodev?.descs[offset];
  if (!desc) return -EINVAL;
  if (!gc.can_sleep && gc.get_direction) {
    const dir = gpiod_get_direction(desc);
    if (dir < 0) {
      chip_err(gc, '%s: cannot get GPIO direction\n', 'gpiochip_lock_as_irq');
      return dir;
    }
  }
  if (desc.flags & FLAG_IS_OUT && !(desc.flags & FLAG_OPEN_DRAIN)) {
    chip_err(gc, '%s: tried to flag a GPIO set as output for IRQ\n', 'gpiochip_lock_as_irq');
    return -EIO;
  }
  desc.flags |= FLAG_USED_AS_IRQ | FLAG_IRQ_IS_ENABLED;
  desc.label ??= 'interrupt';
  return 0;
}

/** Undoes gpiochip_lock_as_irq() (`gpiochip_unlock_as_irq()`). */
export function gpiochip_unlock_as_irq(gc: gpio_chip, offset: number): void {
  const desc = gc.gpiodev?.descs[offset];
  if (!desc) return;
  desc.flags &= ~(FLAG_USED_AS_IRQ | FLAG_IRQ_IS_ENABLED);
  if (desc.label === 'interrupt') desc.label = undefined;
}

/**
 * Pins the driver's module and locks the line as an interrupt when an irq of it
 * is requested (`gpiochip_reqres_irq()`): 0, -ENODEV or the lock's error.
 */
export function gpiochip_reqres_irq(gc: gpio_chip, offset: number): number {
  const owner = gc.gpiodev?.owner as module | undefined;
  if (!try_module_get(owner)) return -ENODEV;
  const ret = gpiochip_lock_as_irq(gc, offset);
  if (ret) {
    chip_err(gc, 'unable to lock HW IRQ %d for IRQ\n', offset);
    module_put(owner);
    return ret;
  }
  return 0;
}

/** Undoes gpiochip_reqres_irq() (`gpiochip_relres_irq()`). */
export function gpiochip_relres_irq(gc: gpio_chip, offset: number): void {
  gpiochip_unlock_as_irq(gc, offset);
  module_put(gc.gpiodev?.owner as module | undefined);
}

/** An irq of the line was enabled (`gpiochip_enable_irq()`), called from the chip's unmask. */
export function gpiochip_enable_irq(gc: gpio_chip, offset: number): void {
  const desc = gc.gpiodev?.descs[offset];
  if (!desc) return;
  WARN_ON(!(desc.flags & FLAG_USED_AS_IRQ));
  if (!(desc.flags & FLAG_IS_OUT) || desc.flags & FLAG_OPEN_DRAIN)
    desc.flags |= FLAG_IRQ_IS_ENABLED;
}

/** An irq of the line was disabled (`gpiochip_disable_irq()`), called from the chip's mask. */
export function gpiochip_disable_irq(gc: gpio_chip, offset: number): void {
  const desc = gc.gpiodev?.descs[offset];
  if (desc) desc.flags &= ~FLAG_IRQ_IS_ENABLED;
}
