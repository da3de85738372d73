import { type call_site, call_site_of } from '../locking/call-site.js';
import { DEBUG_LOCKS_WARN_ON, debug_locks_enabled } from '../locking/debug-locks.js';
import type { StackCapture } from '../stacktrace.js';
import { current, type task_struct } from './task.js';

/*
 * preempt_count layout, as include/linux/preempt.h:
 *
 *   PREEMPT_MASK: 0x000000ff  (preempt_disable nesting)
 *   SOFTIRQ_MASK: 0x0000ff00  (bit 8 = serving a softirq, the rest = local_bh_disable nesting)
 *   HARDIRQ_MASK: 0x000f0000
 *       NMI_MASK: 0x00f00000
 */
export const PREEMPT_OFFSET = 0x1;
export const SOFTIRQ_OFFSET = 0x100;
export const SOFTIRQ_DISABLE_OFFSET = 0x200;
export const HARDIRQ_OFFSET = 0x10000;
export const NMI_OFFSET = 0x100000;
export const PREEMPT_MASK = 0xff;
export const SOFTIRQ_MASK = 0xff00;
export const HARDIRQ_MASK = 0xf0000;
export const NMI_MASK = 0xf00000;

/** x86's EFLAGS.IF: the bit local_irq_save() returns set when interrupts were enabled. */
export const X86_EFLAGS_IF = 0x200;

/**
 * lockdep's irq-state bookkeeping for one task (`struct irqtrace_events`): a stamp that
 * counts every change of the irq or softirq enable state, and where the last change of
 * each kind happened. The inconsistent-lock-state report prints it.
 */
export interface irqtrace_events {
  irq_events: number;
  hardirq_enable_event: number;
  hardirq_enable_ip: StackCapture | undefined;
  hardirq_disable_event: number;
  hardirq_disable_ip: StackCapture | undefined;
  softirq_enable_event: number;
  softirq_enable_ip: StackCapture | undefined;
  softirq_disable_event: number;
  softirq_disable_ip: StackCapture | undefined;
}

const irqtraces = new WeakMap<task_struct, irqtrace_events>();

/** The irq event history of `task` (lockdep's `task->irqtrace`). */
export function task_irqtrace(task: task_struct): irqtrace_events {
  let trace = irqtraces.get(task);
  if (trace === undefined) {
    trace = {
      irq_events: 0,
      hardirq_enable_event: 0,
      hardirq_enable_ip: undefined,
      hardirq_disable_event: 0,
      hardirq_disable_ip: undefined,
      softirq_enable_event: 0,
      softirq_enable_ip: undefined,
      softirq_disable_event: 0,
      softirq_disable_ip: undefined,
    };
    irqtraces.set(task, trace);
  }
  return trace;
}

/** The current preempt count. */
export function preempt_count(): number {
  return current().preempt_count;
}

export function hardirq_count(): number {
  return preempt_count() & HARDIRQ_MASK;
}

export function softirq_count(): number {
  return preempt_count() & SOFTIRQ_MASK;
}

export function irq_count(): number {
  return preempt_count() & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_MASK);
}

/** In hard interrupt context. */
export function in_hardirq(): boolean {
  return hardirq_count() !== 0;
}

/** In softirq context or with bottom halves disabled. */
export function in_softirq(): boolean {
  return softirq_count() !== 0;
}

/** Actually running a softirq (a timer callback, a tasklet). */
export function in_serving_softirq(): boolean {
  return (softirq_count() & SOFTIRQ_OFFSET) !== 0;
}

export function in_nmi(): boolean {
  return (preempt_count() & NMI_MASK) !== 0;
}

/** In any interrupt context, or with bottom halves disabled. */
export function in_interrupt(): boolean {
  return irq_count() !== 0;
}

/** In task context: not in an NMI, a hardirq or a softirq being served. */
export function in_task(): boolean {
  return (preempt_count() & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_OFFSET)) === 0;
}

/** Anything that forbids sleeping through the preempt count. */
export function in_atomic(): boolean {
  return preempt_count() !== 0;
}

export function irqs_disabled(): boolean {
  return current().hardirqs_disabled;
}

/** The scheduler may preempt the current code. */
export function preemptible(): boolean {
  return preempt_count() === 0 && !irqs_disabled();
}

/**
 * Adds to the preempt count. `ip` is where the caller disabled preemption (DEBUG_PREEMPT's
 * `preempt_disable_ip`), recorded when the count leaves zero.
 */
export function preempt_count_add(val: number, site?: call_site): void {
  const task = current();
  // Recording the location costs a stack capture: only while lock debugging is on.
  if (task.preempt_count === 0 && debug_locks_enabled()) {
    task.preempt_disable_ip = (site ?? call_site_of(preempt_count_add)).short();
  }
  task.preempt_count += val;
}

export function preempt_count_sub(val: number): void {
  const task = current();
  // DEBUG_PREEMPT refuses to underflow the count rather than corrupt it.
  if (DEBUG_LOCKS_WARN_ON(val > task.preempt_count, 'val > preempt_count()')) return;
  task.preempt_count -= val;
}

export function preempt_disable(): void {
  preempt_count_add(PREEMPT_OFFSET, call_site_of(preempt_disable));
}

export function preempt_enable(): void {
  preempt_count_sub(PREEMPT_OFFSET);
}

function trace_hardirqs(task: task_struct, disabled: boolean, site: call_site): void {
  if (task.hardirqs_disabled === disabled) return;
  task.hardirqs_disabled = disabled;
  const trace = task_irqtrace(task);
  trace.irq_events += 1;
  const ip = debug_locks_enabled() ? site.short() : undefined;
  if (disabled) {
    trace.hardirq_disable_event = trace.irq_events;
    trace.hardirq_disable_ip = ip;
  } else {
    trace.hardirq_enable_event = trace.irq_events;
    trace.hardirq_enable_ip = ip;
  }
}

export function local_irq_disable(site: call_site = call_site_of(local_irq_disable)): void {
  trace_hardirqs(current(), true, site);
}

export function local_irq_enable(site: call_site = call_site_of(local_irq_enable)): void {
  trace_hardirqs(current(), false, site);
}

/**
 * Disables interrupts and returns the previous state, to be given back to
 * local_irq_restore(). As on x86 the value is the EFLAGS image: IF (0x200) set means
 * interrupts were enabled.
 */
export function local_irq_save(site: call_site = call_site_of(local_irq_save)): number {
  const task = current();
  const flags = task.hardirqs_disabled ? 0 : X86_EFLAGS_IF;
  trace_hardirqs(task, true, site);
  return flags;
}

export function local_irq_restore(
  flags: number,
  site: call_site = call_site_of(local_irq_restore),
): void {
  trace_hardirqs(current(), irqs_disabled_flags(flags), site);
}

export function irqs_disabled_flags(flags: number): boolean {
  return (flags & X86_EFLAGS_IF) === 0;
}

/** Whether softirqs may run now: lockdep's `softirqs_enabled`. */
export function softirqs_enabled(task: task_struct = current()): boolean {
  return (task.preempt_count & SOFTIRQ_MASK) === 0;
}

export function local_bh_disable(site: call_site = call_site_of(local_bh_disable)): void {
  const task = current();
  if ((task.preempt_count & SOFTIRQ_MASK) === 0) {
    const trace = task_irqtrace(task);
    trace.irq_events += 1;
    trace.softirq_disable_event = trace.irq_events;
    trace.softirq_disable_ip = debug_locks_enabled() ? site.short() : undefined;
  }
  preempt_count_add(SOFTIRQ_DISABLE_OFFSET, site);
}

export function local_bh_enable(site: call_site = call_site_of(local_bh_enable)): void {
  preempt_count_sub(SOFTIRQ_DISABLE_OFFSET);
  const task = current();
  if ((task.preempt_count & SOFTIRQ_MASK) === 0) {
    const trace = task_irqtrace(task);
    trace.irq_events += 1;
    trace.softirq_enable_event = trace.irq_events;
    trace.softirq_enable_ip = debug_locks_enabled() ? site.short() : undefined;
  }
}

/** Enters hard interrupt context on the current task. */
export function irq_enter(): void {
  preempt_count_add(HARDIRQ_OFFSET, call_site_of(irq_enter));
}

export function irq_exit(): void {
  preempt_count_sub(HARDIRQ_OFFSET);
}

/**
 * Runs `fn` as a hard interrupt handler interrupting the current task: in hardirq context,
 * with interrupts disabled, as the kernel's irq entry code does. The handler must not
 * await; whatever it returns is returned.
 */
export function sim_hardirq<T>(fn: () => T): T {
  const site = call_site_of(sim_hardirq);
  const flags = local_irq_save(site);
  irq_enter();
  try {
    return fn();
  } finally {
    irq_exit();
    local_irq_restore(flags, site);
  }
}

/** Runs `fn` as a softirq (a timer callback, a tasklet) on the current task. */
export function sim_softirq<T>(fn: () => T): T {
  preempt_count_add(SOFTIRQ_OFFSET, call_site_of(sim_softirq));
  try {
    return fn();
  } finally {
    preempt_count_sub(SOFTIRQ_OFFSET);
  }
}
