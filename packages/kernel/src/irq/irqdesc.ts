/**
 * Interrupt descriptors (kernel/irq/irqdesc.c, include/linux/irqdesc.h): one
 * {@link irq_desc} per Linux irq number, holding the chip that controls the line,
 * the flow handler that runs when it fires, and the actions drivers requested.
 *
 * Linux irq numbers are virtual: they are handed out from 1 up as irq domains
 * map their hardware lines (`irq_create_mapping`). 0 is never a valid irq.
 *
 * @module
 */

import { call_site } from '../locking/call-site.js';
import { pr_crit } from '../printk.js';
import { local_irq_restore, local_irq_save } from '../sched/preempt.js';
import type { task_struct } from '../sched/task.js';
import type { irq_domain } from './irqdomain.js';

/** `irqreturn_t`: what an interrupt handler returns. */
export type irqreturn_t = number;
/** The interrupt was not from this device or was not handled. */
export const IRQ_NONE = 0;
/** The interrupt was handled by this device. */
export const IRQ_HANDLED = 1 << 0;
/** The handler requests to wake the handler thread. */
export const IRQ_WAKE_THREAD = 1 << 1;

/** `IRQ_RETVAL(x)`: IRQ_HANDLED when `x`, IRQ_NONE otherwise. */
export function IRQ_RETVAL(x: unknown): irqreturn_t {
  return x ? IRQ_HANDLED : IRQ_NONE;
}

/** `irq_handler_t`: a primary handler, run in hardirq context; must not sleep. */
export type irq_handler_t = (irq: number, dev_id: unknown) => irqreturn_t;
/** A threaded handler, run in its `irq/N-name` kthread; may sleep (await). */
export type irq_thread_fn_t = (irq: number, dev_id: unknown) => irqreturn_t | Promise<irqreturn_t>;
/** `irq_flow_handler_t`: the flow handler of a descriptor (handle_level_irq, ...). */
export type irq_flow_handler_t = (desc: irq_desc) => void;

// request_irq() flags (include/linux/interrupt.h).
export const IRQF_TRIGGER_NONE = 0x00000000;
export const IRQF_TRIGGER_RISING = 0x00000001;
export const IRQF_TRIGGER_FALLING = 0x00000002;
export const IRQF_TRIGGER_HIGH = 0x00000004;
export const IRQF_TRIGGER_LOW = 0x00000008;
export const IRQF_TRIGGER_MASK =
  IRQF_TRIGGER_HIGH | IRQF_TRIGGER_LOW | IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING;
export const IRQF_SHARED = 0x00000080;
export const IRQF_PROBE_SHARED = 0x00000100;
export const IRQF_TIMER = 0x00000200;
export const IRQF_PERCPU = 0x00000400;
export const IRQF_NOBALANCING = 0x00000800;
export const IRQF_IRQPOLL = 0x00001000;
export const IRQF_ONESHOT = 0x00002000;
export const IRQF_NO_SUSPEND = 0x00004000;
export const IRQF_FORCE_RESUME = 0x00008000;
export const IRQF_NO_THREAD = 0x00010000;
export const IRQF_EARLY_RESUME = 0x00020000;
export const IRQF_COND_SUSPEND = 0x00040000;
export const IRQF_NO_AUTOEN = 0x00080000;
export const IRQF_NO_DEBUG = 0x00100000;

// Trigger types (include/linux/irq.h); the IRQF_TRIGGER_* bits have the same values.
export const IRQ_TYPE_NONE = 0x00000000;
export const IRQ_TYPE_EDGE_RISING = 0x00000001;
export const IRQ_TYPE_EDGE_FALLING = 0x00000002;
export const IRQ_TYPE_EDGE_BOTH = IRQ_TYPE_EDGE_FALLING | IRQ_TYPE_EDGE_RISING;
export const IRQ_TYPE_LEVEL_HIGH = 0x00000004;
export const IRQ_TYPE_LEVEL_LOW = 0x00000008;
export const IRQ_TYPE_LEVEL_MASK = IRQ_TYPE_LEVEL_LOW | IRQ_TYPE_LEVEL_HIGH;
export const IRQ_TYPE_SENSE_MASK = 0x0000000f;

// Descriptor settings (include/linux/irq.h `IRQ_*` status bits used here).
export const IRQ_LEVEL = 1 << 8;
export const IRQ_NOPROBE = 1 << 10;
export const IRQ_NOREQUEST = 1 << 11;
export const IRQ_NOAUTOEN = 1 << 12;
export const IRQ_NOTHREAD = 1 << 16;
export const IRQ_DISABLE_UNLAZY = 1 << 19;

// Internal state (kernel/irq/internals.h `IRQS_*`).
export const IRQS_AUTODETECT = 0x00000001;
export const IRQS_SPURIOUS_DISABLED = 0x00000002;
export const IRQS_POLL_INPROGRESS = 0x00000008;
export const IRQS_ONESHOT = 0x00000020;
export const IRQS_REPLAY = 0x00000040;
export const IRQS_WAITING = 0x00000080;
export const IRQS_PENDING = 0x00000200;

/** `struct irq_chip` flags. */
export const IRQCHIP_SET_TYPE_MASKED = 1 << 0;
export const IRQCHIP_SKIP_SET_WAKE = 1 << 4;
export const IRQCHIP_ONESHOT_SAFE = 1 << 5;
/** The chip is const: gpiolib must not patch hooks into it (`IRQCHIP_IMMUTABLE`). */
export const IRQCHIP_IMMUTABLE = 1 << 11;

/** `IRQ_SET_MASK_OK`: irq_set_type succeeded; the core updates the trigger bits. */
export const IRQ_SET_MASK_OK = 0;
/** `IRQ_SET_MASK_OK_NOCOPY`: succeeded and the chip updated the trigger bits itself. */
export const IRQ_SET_MASK_OK_NOCOPY = 1;
/** `IRQ_SET_MASK_OK_DONE`: succeeded, nothing more to do. */
export const IRQ_SET_MASK_OK_DONE = 2;

/**
 * `struct irq_chip`: the operations of an interrupt controller on one of its lines.
 * Every operation is optional; the core falls back as the kernel does (no
 * `irq_mask_ack` means `irq_mask` then `irq_ack`, no `irq_enable` means unmask).
 */
export interface irq_chip {
  readonly name: string;
  readonly flags?: number;
  irq_startup?(d: irq_data): number;
  irq_shutdown?(d: irq_data): void;
  irq_enable?(d: irq_data): void;
  irq_disable?(d: irq_data): void;
  irq_ack?(d: irq_data): void;
  irq_mask?(d: irq_data): void;
  irq_mask_ack?(d: irq_data): void;
  irq_unmask?(d: irq_data): void;
  irq_eoi?(d: irq_data): void;
  irq_set_type?(d: irq_data, flow_type: number): number;
  irq_set_wake?(d: irq_data, on: number): number;
  /** Called when the first handler is requested on the line; 0 or -errno refuses it. */
  irq_request_resources?(d: irq_data): number;
  /** Called when the last handler of the line is freed. */
  irq_release_resources?(d: irq_data): void;
}

/** `no_irq_chip`: the chip of a descriptor nobody set up; requesting its irq fails. */
export const no_irq_chip: irq_chip = { name: 'none' };

/** `dummy_irq_chip`: a chip with nothing to program (chained demultiplexers' children). */
export const dummy_irq_chip: irq_chip = { name: 'dummy', flags: IRQCHIP_SKIP_SET_WAKE };

/**
 * `struct irq_data`: what a chip sees of a line: the Linux irq number, the hardware
 * line number in its domain, the chip and the chip's private data, and the line state.
 */
export class irq_data {
  readonly irq: number;
  hwirq = 0;
  chip: irq_chip = no_irq_chip;
  chip_data: unknown;
  domain: irq_domain | undefined;
  /** The line is masked at the chip (IRQD_IRQ_MASKED). */
  masked = true;
  /** The line is logically disabled (IRQD_IRQ_DISABLED). */
  disabled = true;
  /** A flow handler is running for the line (IRQD_IRQ_INPROGRESS). */
  inprogress = false;
  /** The line is armed as a wake-up source (IRQD_WAKEUP_STATE). */
  wakeup = false;
  /** IRQ_TYPE_* of the line (IRQD_TRIGGER_MASK); `trigger_set` once programmed. */
  trigger = IRQ_TYPE_NONE;
  trigger_set = false;

  constructor(irq: number) {
    this.irq = irq;
  }
}

/** `struct irqaction`: one handler requested on a line. */
export interface irqaction {
  readonly handler: irq_handler_t;
  readonly thread_fn: irq_thread_fn_t | undefined;
  readonly flags: number;
  readonly name: string;
  readonly dev_id: unknown;
  readonly irq: number;
  /** The `irq/N-name` kthread of a threaded handler. */
  thread: task_struct | undefined;
  /** IRQTF_RUNTHREAD: the primary handler asked the thread to run. */
  runthread: boolean;
  /** This action's bit in `desc.threads_oneshot`. */
  thread_mask: number;
}

/** `struct irq_desc`. */
export class irq_desc {
  readonly irq_data: irq_data;
  handle_irq: irq_flow_handler_t;
  readonly actions: irqaction[] = [];
  /** Nested disable_irq() count; a fresh line starts disabled (1). */
  depth = 1;
  /** Nested enable_irq_wake() count. */
  wake_depth = 0;
  /** IRQ_* settings. */
  status = 0;
  /** IRQS_* state. */
  istate = 0;
  /** Interrupts seen and not handled, for the spurious detector (kernel/irq/spurious.c). */
  irq_count = 0;
  irqs_unhandled = 0;
  last_unhandled = 0;
  /** Interrupts that reached a handler (`kstat_irqs`). */
  tot_count = 0;
  /** Bits of oneshot threads still running; the line stays masked until 0. */
  threads_oneshot = 0;
  /** The chained handler's data (`irq_desc_get_handler_data`). */
  handler_data: unknown;
  name: string | undefined;

  constructor(irq: number, handle: irq_flow_handler_t) {
    this.irq_data = new irq_data(irq);
    this.handle_irq = handle;
  }

  get irq(): number {
    return this.irq_data.irq;
  }
}

/**
 * The flow handler of a descriptor that nobody set up (`handle_bad_irq`): counts
 * the interrupt and reports it as x86's `ack_bad_irq()` does.
 */
export function handle_bad_irq(desc: irq_desc): void {
  desc.tot_count += 1;
  pr_crit('unexpected IRQ trap at vector %02x\n', desc.irq);
}

/**
 * Nesting of sections that hold a descriptor lock with interrupts off
 * (`raw_spin_lock_irqsave(&desc->lock)` in the kernel): an interrupt that a chip
 * operation unmasks inside one is taken when the outermost section ends.
 */
let desc_lock_depth = 0;
let desc_unlock_hook: () => void = () => {};

/**
 * Runs `fn` as a descriptor-locked section (see above), with interrupts off as
 * the kernel's `raw_spin_lock_irqsave(&desc->lock)` has them: a chip callback
 * that takes its own raw spinlock (a GPIO controller's mask/unmask) does so with
 * interrupts disabled wherever it is called from, as lockdep expects.
 */
export function irq_desc_locked<T>(fn: () => T): T {
  const site = new call_site(irq_desc_locked);
  const flags = local_irq_save(site);
  desc_lock_depth += 1;
  try {
    return fn();
  } finally {
    desc_lock_depth -= 1;
    local_irq_restore(flags, site);
    if (desc_lock_depth === 0) desc_unlock_hook();
  }
}

/** Whether a descriptor-locked section is running. */
export function irq_desc_lock_held(): boolean {
  return desc_lock_depth > 0;
}

/** Installs what runs when the outermost locked section ends (the controller's delivery). */
export function set_irq_desc_unlock_hook(hook: () => void): void {
  desc_unlock_hook = hook;
}

const descs = new Map<number, irq_desc>();
let next_irq = 1;

/** Forgets every descriptor (a reboot); irq numbers restart at 1. */
export function irq_desc_init(): void {
  descs.clear();
  next_irq = 1;
}

/** `irq_to_desc()`: the descriptor of a Linux irq, or undefined. */
export function irq_to_desc(irq: number): irq_desc | undefined {
  return descs.get(irq);
}

/** Allocates a descriptor with a new irq number (`irq_alloc_desc`). */
export function irq_alloc_desc(): number {
  const irq = next_irq++;
  descs.set(irq, new irq_desc(irq, handle_bad_irq));
  return irq;
}

/** Frees a descriptor (`irq_free_desc`). */
export function irq_free_desc(irq: number): void {
  descs.delete(irq);
}

/** Every descriptor, in irq order (`for_each_irq_desc`). */
export function irq_descs(): irq_desc[] {
  return [...descs.values()].sort((a, b) => a.irq - b.irq);
}

/** `irq_get_irq_data()`. */
export function irq_get_irq_data(irq: number): irq_data | undefined {
  return descs.get(irq)?.irq_data;
}

/** `irq_desc_get_chip()`. */
export function irq_desc_get_chip(desc: irq_desc): irq_chip {
  return desc.irq_data.chip;
}

/** `irq_desc_get_handler_data()`: the data given to irq_set_chained_handler_and_data(). */
export function irq_desc_get_handler_data(desc: irq_desc): unknown {
  return desc.handler_data;
}

/** `irq_data_get_irq_chip_data()`. */
export function irq_data_get_irq_chip_data(d: irq_data): unknown {
  return d.chip_data;
}

/** `irqd_to_hwirq()`. */
export function irqd_to_hwirq(d: irq_data): number {
  return d.hwirq;
}

/** `kstat_irqs()`: interrupts of this line that reached a handler. */
export function kstat_irqs(irq: number): number {
  return descs.get(irq)?.tot_count ?? 0;
}
