/**
 * Spurious-interrupt detection (kernel/irq/spurious.c): a line that keeps
 * firing with nobody handling it is stuck, and would lock the machine up.
 * Out of each 100,000 interrupts of a line, if more than 99,900 were
 * unhandled, the kernel reports
 *
 * ```text
 * irq 5: nobody cared (try booting with the "irqpoll" option)
 * CPU: 0 PID: ... Comm: ...
 * Call Trace: ...
 * handlers:
 * [<000000008e4c2e4d>] edu_irq
 * Disabling IRQ #5
 * ```
 *
 * and disables the line. An unhandled interrupt more than HZ/10 after the
 * previous one restarts the count, so the odd spurious interrupt never adds up.
 * A handler returning anything but IRQ_NONE/IRQ_HANDLED/IRQ_WAKE_THREAD is
 * reported as `irq event N: bogus return value X` (at most 100 times).
 *
 * The kernel defers the accounting of threaded handlers to the thread's
 * result; the simulation counts IRQ_WAKE_THREAD as handled.
 *
 * @module
 */

import { dump_stack } from '../panic.js';
import { pr_cont, pr_emerg, pr_err } from '../printk.js';
import { stack_capture } from '../stacktrace.js';
import { HZ, jiffies, time_after } from '../time/jiffies.js';
import { irq_disable } from './chip.js';
import {
  IRQ_HANDLED,
  IRQ_NONE,
  IRQ_WAKE_THREAD,
  IRQS_POLL_INPROGRESS,
  IRQS_SPURIOUS_DISABLED,
  type irq_desc,
  type irqreturn_t,
} from './irqdesc.js';

const state = { noirqdebug: false, bad_reports: 100 };

/** Whether the detector is off (`noirqdebug` on the command line). */
export function noirqdebug(): boolean {
  return state.noirqdebug;
}

/** Switches the detector off or on (`noirqdebug`). */
export function irq_set_noirqdebug(off: boolean): void {
  state.noirqdebug = off;
}

/** Resets the detector's global state (a reboot). */
export function spurious_init(): void {
  state.noirqdebug = false;
  state.bad_reports = 100;
}

function bad_action_ret(ret: irqreturn_t): boolean {
  return ret >>> 0 > (IRQ_HANDLED | IRQ_WAKE_THREAD);
}

/**
 * A function's "address" as the kernel's hashed `%p` shows it: 8 hex digits of
 * a hash, zero-padded to 16. Stable per name, meaningless otherwise.
 */
function hashed_ptr(fn: unknown): string {
  const name = typeof fn === 'function' ? fn.name : String(fn);
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(16, '0');
}

function __report_bad_irq(desc: irq_desc, action_ret: irqreturn_t): void {
  if (bad_action_ret(action_ret)) {
    pr_err('irq event %d: bogus return value %x\n', desc.irq, action_ret);
  } else {
    pr_err('irq %d: nobody cared (try booting with the "irqpoll" option)\n', desc.irq);
  }
  dump_stack(stack_capture(__report_bad_irq));
  pr_err('handlers:\n');
  for (const action of desc.actions) {
    pr_err('[<%s>] %ps', hashed_ptr(action.handler), action.handler);
    if (action.thread_fn !== undefined) {
      pr_cont(' threaded [<%s>] %ps', hashed_ptr(action.thread_fn), action.thread_fn);
    }
    pr_cont('\n');
  }
}

function report_bad_irq(desc: irq_desc, action_ret: irqreturn_t): void {
  if (state.bad_reports > 0) {
    state.bad_reports -= 1;
    __report_bad_irq(desc, action_ret);
  }
}

/** `note_interrupt()`: the detector's look at each interrupt's combined result. */
export function note_interrupt(desc: irq_desc, action_ret: irqreturn_t): void {
  if (desc.istate & IRQS_POLL_INPROGRESS) return;
  if (bad_action_ret(action_ret)) {
    report_bad_irq(desc, action_ret);
    return;
  }
  if (action_ret === IRQ_NONE) {
    const now = jiffies();
    if (time_after(now, desc.last_unhandled + HZ / 10)) desc.irqs_unhandled = 1;
    else desc.irqs_unhandled += 1;
    desc.last_unhandled = now;
  }
  desc.irq_count += 1;
  if (desc.irq_count < 100000) return;
  desc.irq_count = 0;
  if (desc.irqs_unhandled > 99900) {
    __report_bad_irq(desc, action_ret);
    pr_emerg('Disabling IRQ #%d\n', desc.irq);
    desc.istate |= IRQS_SPURIOUS_DISABLED;
    desc.depth += 1;
    irq_disable(desc, true);
  }
  desc.irqs_unhandled = 0;
}
