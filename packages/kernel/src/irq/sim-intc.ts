/**
 * The simulated machine's root interrupt controller, `SIMINTC`: 64 input lines
 * that device models drive, and the CPU's interrupt entry.
 *
 * A device model asserts a level line with `sim_raise_irq(hwirq)` and
 * deasserts it with `sim_lower_irq(hwirq)` (an edge is `sim_pulse_irq`, which
 * the controller latches until acked). Whenever an unmasked line is asserted
 * and the CPU may take an interrupt, the controller runs the line's flow
 * handler in hardirq context — on the task that was running, as an interrupt
 * borrows whatever the CPU was doing. Level lines are re-checked after each
 * handler, so a device that keeps its line up is interrupted again at once
 * (and a line nobody handles ends in `nobody cared`).
 *
 * When interrupts are disabled (`local_irq_save`, a spinlock taken with
 * `_irqsave`, a hardirq already running) the interrupt stays pending and is
 * taken from the idle task once the current code yields, the way a CPU takes
 * it after `local_irq_restore`. A storm that never ends is cut into batches so
 * the simulator keeps running other work.
 *
 * Drivers find the Linux irq of a line with `sim_irq(hwirq)`, which maps it in
 * the controller's linear domain (what `platform_get_irq` does from firmware).
 *
 * @example
 * ```ts
 * import { IRQ_HANDLED, free_irq, request_irq, sim_irq, sim_lower_irq, sim_raise_irq } from '@rfl/kernel';
 * # import { irq_init } from '@rfl/kernel';
 * # irq_init();
 * const irq = sim_irq(7);
 * const seen: boolean[] = [];
 * request_irq(irq, (_irq, dev) => { seen.push(true); sim_lower_irq(7); return IRQ_HANDLED; }, 0, 'demo', null);
 * sim_raise_irq(7);
 * seen // => [true]
 * free_irq(irq, null);
 * ```
 *
 * @module
 */

import { call_site } from '../locking/call-site.js';
import { pr_emerg } from '../printk.js';
import { oops_exception } from '../sched/core.js';
import {
  HARDIRQ_OFFSET,
  irqs_disabled,
  local_irq_restore,
  local_irq_save,
  preempt_count_add,
  preempt_count_sub,
} from '../sched/preempt.js';
import { init_task, run_as } from '../sched/task.js';
import { type StackCapture, stack_capture } from '../stacktrace.js';
import {
  handle_edge_irq,
  handle_level_irq,
  irq_set_chip_and_handler,
  mask_irq,
  set_irq_resend_hook,
} from './chip.js';
import {
  IRQ_LEVEL,
  IRQ_SET_MASK_OK,
  IRQ_TYPE_LEVEL_HIGH,
  IRQ_TYPE_LEVEL_MASK,
  type irq_chip,
  type irq_desc,
  irq_desc_lock_held,
  irq_to_desc,
  set_irq_desc_unlock_hook,
} from './irqdesc.js';
import { irq_create_mapping, type irq_domain, irq_domain_create_linear } from './irqdomain.js';

/** Input lines of the root controller. */
export const SIM_NR_IRQS = 64;

/** Interrupts taken in one go before the rest waits for the next macrotask. */
const STORM_BATCH = 250_000;

const intc = {
  level: new Uint8Array(SIM_NR_IRQS),
  latched: new Uint8Array(SIM_NR_IRQS),
  masked: new Uint8Array(SIM_NR_IRQS).fill(1),
  domain: undefined as irq_domain | undefined,
  delivering: false,
  deferred: false,
  /** Descriptors whose pending edge is replayed in software (`irq_sw_resend`). */
  resend: [] as irq_desc[],
};

const sim_intc_chip: irq_chip = {
  name: 'SIMINTC',
  irq_mask(d) {
    intc.masked[d.hwirq] = 1;
  },
  irq_unmask(d) {
    intc.masked[d.hwirq] = 0;
    sim_intc_kick();
  },
  irq_ack(d) {
    intc.latched[d.hwirq] = 0;
  },
  irq_set_type(d, type) {
    const desc = irq_to_desc(d.irq);
    if (desc !== undefined)
      desc.handle_irq = type & IRQ_TYPE_LEVEL_MASK ? handle_level_irq : handle_edge_irq;
    return IRQ_SET_MASK_OK;
  },
  irq_set_wake() {
    return 0;
  },
};

/** Resets the controller: every line low, masked and unmapped (a reboot). */
export function sim_intc_init(): void {
  intc.level.fill(0);
  intc.latched.fill(0);
  intc.masked.fill(1);
  intc.delivering = false;
  intc.resend = [];
  intc.domain = irq_domain_create_linear('sim-intc', SIM_NR_IRQS, {
    map(_d, virq) {
      irq_set_chip_and_handler(virq, sim_intc_chip, handle_level_irq);
      const desc = irq_to_desc(virq)!;
      desc.status |= IRQ_LEVEL;
      desc.irq_data.trigger = IRQ_TYPE_LEVEL_HIGH;
      return 0;
    },
  });
  set_irq_desc_unlock_hook(sim_intc_kick);
  set_irq_resend_hook((desc) => {
    intc.resend.push(desc);
    sim_intc_kick();
  });
}

/** The root controller's irq domain. */
export function sim_intc_domain(): irq_domain {
  if (intc.domain === undefined) sim_intc_init();
  return intc.domain!;
}

/** The Linux irq of root line `hwirq`, mapping it on first use (0 if out of range). */
export function sim_irq(hwirq: number): number {
  return irq_create_mapping(sim_intc_domain(), hwirq);
}

function check_line(hwirq: number): void {
  if (!Number.isInteger(hwirq) || hwirq < 0 || hwirq >= SIM_NR_IRQS) {
    throw new RangeError(`no interrupt line ${hwirq} on SIMINTC (0..${SIM_NR_IRQS - 1})`);
  }
}

/** Asserts level line `hwirq`: it interrupts until lowered. */
export function sim_raise_irq(hwirq: number): void {
  check_line(hwirq);
  if (intc.level[hwirq]) return;
  intc.level[hwirq] = 1;
  sim_intc_kick();
}

/** Deasserts level line `hwirq`. */
export function sim_lower_irq(hwirq: number): void {
  check_line(hwirq);
  intc.level[hwirq] = 0;
}

/** Drives line `hwirq` to `level`. */
export function sim_set_irq_level(hwirq: number, level: boolean): void {
  if (level) sim_raise_irq(hwirq);
  else sim_lower_irq(hwirq);
}

/** Signals an edge on line `hwirq`; the controller latches it until acked. */
export function sim_pulse_irq(hwirq: number): void {
  check_line(hwirq);
  intc.latched[hwirq] = 1;
  sim_intc_kick();
}

/** The state of a line, for tests: asserted, latched edge, masked. */
export function sim_irq_line(hwirq: number): { level: boolean; latched: boolean; masked: boolean } {
  check_line(hwirq);
  return {
    level: intc.level[hwirq] === 1,
    latched: intc.latched[hwirq] === 1,
    masked: intc.masked[hwirq] === 1,
  };
}

function next_pending(): number {
  for (let h = 0; h < SIM_NR_IRQS; h++) {
    if (intc.level[h]! | intc.latched[h]! && !intc.masked[h]) return h;
  }
  return -1;
}

/**
 * Where lockdep sees interrupts disabled by the interrupt entry. One capture for
 * all interrupts: a stack capture per interrupt would cost more than the rest of
 * the entry, and a storm of 100,000 interrupts is a normal test.
 */
let entry_capture: StackCapture | undefined;
class irq_entry_call_site extends call_site {
  override full(): StackCapture {
    entry_capture ??= stack_capture(take);
    return entry_capture;
  }
  override short(): StackCapture {
    return this.full();
  }
}
const irq_entry_site: call_site = new irq_entry_call_site(take);

/**
 * Runs a flow handler as the CPU's interrupt entry does (`sim_hardirq`). An
 * exception in it is an Oops in interrupt context: reported, and the line
 * masked so that a level line does not storm into the same Oops.
 */
function take(desc: irq_desc): void {
  const flags = local_irq_save(irq_entry_site);
  preempt_count_add(HARDIRQ_OFFSET, irq_entry_site);
  try {
    desc.handle_irq(desc);
  } catch (err) {
    oops_exception(err);
    mask_irq(desc);
  } finally {
    preempt_count_sub(HARDIRQ_OFFSET);
    local_irq_restore(flags, irq_entry_site);
  }
}

function take_line(hwirq: number): void {
  const virq = intc.domain === undefined ? 0 : (intc.domain.revmap[hwirq] ?? 0);
  const desc = virq === 0 ? undefined : irq_to_desc(virq);
  if (desc === undefined) {
    pr_emerg('%s: %d.%u No irq handler for vector\n', '__common_interrupt', 0, hwirq);
    intc.masked[hwirq] = 1;
    intc.latched[hwirq] = 0;
    return;
  }
  take(desc);
}

function defer(): void {
  if (intc.deferred) return;
  intc.deferred = true;
  setImmediate(() => {
    intc.deferred = false;
    run_as(init_task, sim_intc_kick);
  });
}

/**
 * Takes every pending interrupt the CPU may take now; called whenever a line
 * rises or is unmasked, and when a descriptor-locked section ends.
 */
export function sim_intc_kick(): void {
  if (intc.delivering) return;
  if (irq_desc_lock_held() || irqs_disabled()) {
    if (intc.resend.length > 0 || next_pending() >= 0) defer();
    return;
  }
  intc.delivering = true;
  try {
    for (let n = 0; ; n++) {
      if (n === STORM_BATCH) {
        defer();
        break;
      }
      const desc = intc.resend.shift();
      if (desc !== undefined) {
        take(desc);
        continue;
      }
      const h = next_pending();
      if (h < 0) break;
      take_line(h);
    }
  } finally {
    intc.delivering = false;
  }
}
