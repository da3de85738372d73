/**
 * The chip layer and flow handlers (kernel/irq/chip.c): how the core drives a
 * line's controller around each interrupt.
 *
 * - `handle_level_irq`: mask and ack, run the handlers, unmask, so a level line
 *   that is still asserted fires again at once;
 * - `handle_edge_irq`: ack (the edge is latched), run the handlers, and run them
 *   again for an edge that came in meanwhile;
 * - `handle_simple_irq`: just run the handlers (demultiplexed lines whose parent
 *   did the controller work);
 * - `handle_fasteoi_irq`: run the handlers and signal end-of-interrupt.
 *
 * Disabling is lazy as in the kernel: `disable_irq()` only marks the line; the
 * flow handler masks it when an interrupt actually arrives and records it pending.
 *
 * @module
 */

import { EINVAL } from '../errno.js';
import { pr_err } from '../printk.js';
import { handle_irq_event } from './handle.js';
import {
  handle_bad_irq,
  IRQ_LEVEL,
  IRQ_NOAUTOEN,
  IRQ_NOPROBE,
  IRQ_NOREQUEST,
  IRQ_NOTHREAD,
  IRQ_SET_MASK_OK,
  IRQ_SET_MASK_OK_DONE,
  IRQ_SET_MASK_OK_NOCOPY,
  IRQ_TYPE_LEVEL_MASK,
  IRQ_TYPE_SENSE_MASK,
  IRQCHIP_SET_TYPE_MASKED,
  IRQS_PENDING,
  IRQS_REPLAY,
  type irq_chip,
  type irq_data,
  type irq_desc,
  type irq_flow_handler_t,
  irq_to_desc,
  no_irq_chip,
} from './irqdesc.js';

export function mask_irq(desc: irq_desc): void {
  const d = desc.irq_data;
  if (d.masked) return;
  d.chip.irq_mask?.(d);
  d.masked = true;
}

export function unmask_irq(desc: irq_desc): void {
  const d = desc.irq_data;
  if (!d.masked) return;
  d.masked = false;
  d.chip.irq_unmask?.(d);
}

/** `mask_ack_irq()`: `irq_mask_ack` when the chip has it, else mask then ack. */
export function mask_ack_irq(desc: irq_desc): void {
  const d = desc.irq_data;
  if (d.chip.irq_mask_ack) {
    d.chip.irq_mask_ack(d);
    d.masked = true;
  } else {
    mask_irq(desc);
    d.chip.irq_ack?.(d);
  }
}

/** `irq_enable()`: clears the disabled state and unmasks (or calls `irq_enable`). */
export function irq_enable(desc: irq_desc): void {
  const d = desc.irq_data;
  d.disabled = false;
  if (d.chip.irq_enable) {
    d.chip.irq_enable(d);
    d.masked = false;
  } else {
    unmask_irq(desc);
  }
}

/**
 * `irq_disable()`: marks the line disabled. Lazy unless the chip has
 * `irq_disable` or the line is IRQ_DISABLE_UNLAZY: then it is masked at once.
 */
export function irq_disable(desc: irq_desc, unlazy = false): void {
  const d = desc.irq_data;
  d.disabled = true;
  if (d.chip.irq_disable) {
    d.chip.irq_disable(d);
    d.masked = true;
  } else if (unlazy) {
    mask_irq(desc);
  }
}

/** `irq_startup()`: enables a line when its first handler is installed. */
export function irq_startup(desc: irq_desc, resend: boolean): void {
  const d = desc.irq_data;
  desc.depth = 0;
  if (d.chip.irq_startup) {
    d.disabled = false;
    d.chip.irq_startup(d);
    d.masked = false;
  } else {
    irq_enable(desc);
  }
  if (resend) check_irq_resend(desc);
}

/** `irq_shutdown()`: disables and masks a line when its last handler goes. */
export function irq_shutdown(desc: irq_desc): void {
  const d = desc.irq_data;
  desc.depth = 1;
  if (d.chip.irq_shutdown) {
    d.chip.irq_shutdown(d);
    d.disabled = true;
    d.masked = true;
  } else {
    irq_disable(desc, true);
  }
}

let resend_hook: (desc: irq_desc) => void = () => {};

/** Installs the software resend (set by the machine's interrupt controller). */
export function set_irq_resend_hook(hook: (desc: irq_desc) => void): void {
  resend_hook = hook;
}

/**
 * `check_irq_resend()`: an edge that arrived while the line was disabled is
 * replayed in software when it is enabled again; a level line needs no replay,
 * the hardware still asserts it.
 */
export function check_irq_resend(desc: irq_desc): void {
  if ((desc.istate & IRQS_PENDING) === 0) return;
  if (desc.status & IRQ_LEVEL) {
    desc.istate &= ~IRQS_PENDING;
    return;
  }
  if (desc.istate & IRQS_REPLAY) return;
  desc.istate &= ~IRQS_PENDING;
  desc.istate |= IRQS_REPLAY;
  resend_hook(desc);
}

/** Whether the flow handler may run the actions; records a pending interrupt if not. */
function irq_may_run(desc: irq_desc): boolean {
  if (desc.actions.length === 0 || desc.irq_data.disabled) {
    desc.istate |= IRQS_PENDING;
    return false;
  }
  return true;
}

/** Unmasks after the handlers, unless disabled meanwhile or a oneshot thread still runs. */
function cond_unmask_irq(desc: irq_desc): void {
  const d = desc.irq_data;
  if (!d.disabled && d.masked && desc.threads_oneshot === 0) unmask_irq(desc);
}

/** Flow handler of level-triggered lines. */
export function handle_level_irq(desc: irq_desc): void {
  mask_ack_irq(desc);
  desc.istate &= ~IRQS_REPLAY;
  if (!irq_may_run(desc)) return;
  desc.tot_count += 1;
  handle_irq_event(desc);
  cond_unmask_irq(desc);
}

/** Flow handler of edge-triggered lines. */
export function handle_edge_irq(desc: irq_desc): void {
  const d = desc.irq_data;
  desc.istate &= ~IRQS_REPLAY;
  if (d.disabled || desc.actions.length === 0) {
    desc.istate |= IRQS_PENDING;
    mask_ack_irq(desc);
    return;
  }
  desc.tot_count += 1;
  d.chip.irq_ack?.(d);
  do {
    if (desc.actions.length === 0) {
      mask_irq(desc);
      return;
    }
    // An edge while the handlers ran left the line masked: reenable it and go again.
    if (desc.istate & IRQS_PENDING && !d.disabled && d.masked) unmask_irq(desc);
    handle_irq_event(desc);
  } while (desc.istate & IRQS_PENDING && !d.disabled);
}

/** Flow handler that only runs the handlers (no controller work). */
export function handle_simple_irq(desc: irq_desc): void {
  desc.istate &= ~IRQS_REPLAY;
  if (!irq_may_run(desc)) return;
  desc.tot_count += 1;
  handle_irq_event(desc);
}

/** Flow handler of controllers with an end-of-interrupt register (GIC, APIC). */
export function handle_fasteoi_irq(desc: irq_desc): void {
  const d = desc.irq_data;
  desc.istate &= ~IRQS_REPLAY;
  if (!irq_may_run(desc)) {
    mask_irq(desc);
    d.chip.irq_eoi?.(d);
    return;
  }
  desc.tot_count += 1;
  handle_irq_event(desc);
  cond_unmask_irq(desc);
  d.chip.irq_eoi?.(d);
}

/** `irq_set_chip()`: returns 0 or -EINVAL for an irq without descriptor. */
export function irq_set_chip(irq: number, chip: irq_chip): number {
  const desc = irq_to_desc(irq);
  if (desc === undefined) return -EINVAL;
  desc.irq_data.chip = chip;
  return 0;
}

/** `irq_set_chip_data()`. */
export function irq_set_chip_data(irq: number, data: unknown): number {
  const desc = irq_to_desc(irq);
  if (desc === undefined) return -EINVAL;
  desc.irq_data.chip_data = data;
  return 0;
}

/** `irq_get_chip_data()`. */
export function irq_get_chip_data(irq: number): unknown {
  return irq_to_desc(irq)?.irq_data.chip_data;
}

/** `irq_set_handler()`: the flow handler of a line. */
export function irq_set_handler(irq: number, handle: irq_flow_handler_t): void {
  const desc = irq_to_desc(irq);
  if (desc !== undefined) desc.handle_irq = handle;
}

/** `irq_set_chip_and_handler_name()`. */
export function irq_set_chip_and_handler_name(
  irq: number,
  chip: irq_chip,
  handle: irq_flow_handler_t,
  name?: string,
): void {
  const desc = irq_to_desc(irq);
  if (desc === undefined) return;
  desc.irq_data.chip = chip;
  desc.handle_irq = handle;
  desc.name = name;
}

/** `irq_set_chip_and_handler()`. */
export function irq_set_chip_and_handler(
  irq: number,
  chip: irq_chip,
  handle: irq_flow_handler_t,
): void {
  irq_set_chip_and_handler_name(irq, chip, handle);
}

/** `irq_set_status_flags()` / `irq_clear_status_flags()` / `irq_modify_status()`. */
export function irq_modify_status(irq: number, clr: number, set: number): void {
  const desc = irq_to_desc(irq);
  if (desc !== undefined) desc.status = (desc.status & ~clr) | set;
}

export function irq_set_status_flags(irq: number, set: number): void {
  irq_modify_status(irq, 0, set);
}

export function irq_clear_status_flags(irq: number, clr: number): void {
  irq_modify_status(irq, clr, 0);
}

/** `irq_set_noprobe()`-style shortcut: the line cannot be requested by drivers. */
export function irq_set_norequest(irq: number): void {
  irq_set_status_flags(irq, IRQ_NOREQUEST);
}

/**
 * `irq_set_chained_handler_and_data()`: makes `handle` the flow handler of a
 * parent line that demultiplexes child lines; the line cannot be requested and
 * is started at once, as the kernel does for chained handlers.
 */
export function irq_set_chained_handler_and_data(
  irq: number,
  handle: irq_flow_handler_t | null,
  data: unknown,
): void {
  const desc = irq_to_desc(irq);
  if (desc === undefined) return;
  if (handle === null) {
    // Taking a chained handler off: the line goes back to handle_bad_irq, masked.
    if (desc.irq_data.chip !== no_irq_chip) mask_ack_irq(desc);
    desc.irq_data.disabled = true;
    desc.depth = 1;
    desc.handle_irq = handle_bad_irq;
    desc.handler_data = undefined;
    return;
  }
  desc.handle_irq = handle;
  desc.handler_data = data;
  desc.status |= IRQ_NOREQUEST | IRQ_NOPROBE | IRQ_NOTHREAD;
  desc.status &= ~IRQ_NOAUTOEN;
  irq_startup(desc, true);
}

/**
 * `chained_irq_enter()`: what a chained handler does to its parent chip first:
 * nothing for an EOI chip, else mask (and ack) the parent line.
 */
export function chained_irq_enter(chip: irq_chip, desc: irq_desc): void {
  const d = desc.irq_data;
  if (chip.irq_eoi) return;
  if (chip.irq_mask_ack) {
    chip.irq_mask_ack(d);
  } else {
    chip.irq_mask?.(d);
    chip.irq_ack?.(d);
  }
}

/** `chained_irq_exit()`: EOI, or unmask the parent line again. */
export function chained_irq_exit(chip: irq_chip, desc: irq_desc): void {
  const d = desc.irq_data;
  if (chip.irq_eoi) chip.irq_eoi(d);
  else chip.irq_unmask?.(d);
}

/**
 * `irq_set_irq_type()`: programs the trigger of a line (IRQ_TYPE_*). Returns 0
 * or the chip's error; a chip without `irq_set_type` accepts anything.
 */
export function irq_set_irq_type(irq: number, type: number): number {
  const desc = irq_to_desc(irq);
  if (desc === undefined) return -EINVAL;
  return __irq_set_trigger(desc, type & IRQ_TYPE_SENSE_MASK);
}

/** `__irq_set_trigger()`. */
export function __irq_set_trigger(desc: irq_desc, flags: number): number {
  const d = desc.irq_data;
  const chip = d.chip;
  if (chip.irq_set_type === undefined) return 0;
  let unmask = false;
  if (chip.flags !== undefined && chip.flags & IRQCHIP_SET_TYPE_MASKED && !d.masked) {
    mask_irq(desc);
    unmask = true;
  }
  const ret = chip.irq_set_type(d, flags);
  switch (ret) {
    case IRQ_SET_MASK_OK:
    case IRQ_SET_MASK_OK_DONE:
      d.trigger = flags;
      d.trigger_set = true;
      if (flags & IRQ_TYPE_LEVEL_MASK) desc.status |= IRQ_LEVEL;
      else desc.status &= ~IRQ_LEVEL;
      break;
    case IRQ_SET_MASK_OK_NOCOPY:
      d.trigger_set = true;
      break;
    default:
      pr_err(
        'Setting trigger mode %u for irq %u failed (%ps)\n',
        flags,
        desc.irq,
        chip.irq_set_type,
      );
  }
  if (unmask) unmask_irq(desc);
  return ret >= IRQ_SET_MASK_OK && ret <= IRQ_SET_MASK_OK_DONE ? 0 : ret;
}

/**
 * `irq_set_handler_locked()`: changes the flow handler of the line of `d` from its
 * chip's `irq_set_type` (which runs with the descriptor locked), as GPIO chips do
 * to switch between handle_edge_irq and handle_level_irq.
 */
export function irq_set_handler_locked(d: irq_data, handle: irq_flow_handler_t): void {
  const desc = irq_to_desc(d.irq);
  if (desc !== undefined) desc.handle_irq = handle;
}
