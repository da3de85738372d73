/**
 * `might_sleep()`: the annotation every function that may sleep calls first
 * (CONFIG_DEBUG_ATOMIC_SLEEP, kernel/sched/core.c `__might_resched`).
 *
 * Sleeping is only allowed in task context with a preempt count of zero, interrupts
 * enabled and no RCU read-side critical section open. Called anywhere else, might_sleep
 * reports
 *
 * ```text
 * BUG: sleeping function called from invalid context at <file>:<line>
 * in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1, name: swapper/0
 * preempt_count: 1, expected: 0
 * RCU nest depth: 0, expected: 0
 * ```
 *
 * followed by the held locks, where preemption was disabled and a call trace, and taints
 * the kernel with `W`. Like the kernel it reports at most once per second (HZ jiffies),
 * so one bug in a loop does not flood the log. The check is cheap when it passes: the
 * stack is only captured for a report. Without `CONFIG_DEBUG_ATOMIC_SLEEP` (see
 * `kconfig.ts`) it checks nothing, as in the kernel.
 *
 * @example
 * ```ts
 * import { dmesg, dmesg_clear, might_sleep, preempt_disable, preempt_enable } from '@rfl/kernel';
 * # import { sim_advance } from '@rfl/kernel';
 * # await sim_advance(1000);
 * # dmesg_clear();
 * preempt_disable();
 * might_sleep();
 * preempt_enable();
 * dmesg().includes('BUG: sleeping function called from invalid context at ') // => true
 * dmesg().includes('in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1, name: swapper/0') // => true
 * ```
 *
 * @module
 */

import { kconfig_watch } from '../kconfig.js';
import { debug_show_held_locks, print_irqtrace_events, sym } from '../locking/lockdep-print.js';
import { add_taint, dump_stack, TAINT_WARN, WARN_ON, WARN_ONCE } from '../panic.js';
import { pr_err } from '../printk.js';
import { type StackCapture, stack_capture, stack_frames } from '../stacktrace.js';
import { HZ, jiffies, time_before } from '../time/jiffies.js';
import { in_atomic, irqs_disabled, preempt_count } from './preempt.js';
import { current, is_idle_task, TASK_RUNNING } from './task.js';

/** Offsets are `preempt_count + (rcu_nesting << MIGHT_RESCHED_RCU_SHIFT)`. */
export const MIGHT_RESCHED_RCU_SHIFT = 8;
export const MIGHT_RESCHED_PREEMPT_MASK = (1 << MIGHT_RESCHED_RCU_SHIFT) - 1;

/** Ratelimiting timestamp of the report; 0 until the first one. */
let prev_jiffy = 0;
/** CONFIG_DEBUG_ATOMIC_SLEEP, cached: might_sleep() is on every sleeping path. */
let debug_atomic_sleep = true;
kconfig_watch('CONFIG_DEBUG_ATOMIC_SLEEP', (on) => {
  debug_atomic_sleep = on;
});

function resched_offsets_ok(offsets: number): boolean {
  const task = current();
  const nested = task.preempt_count + (task.rcu_read_lock_nesting << MIGHT_RESCHED_RCU_SHIFT);
  return nested === offsets;
}

function where(capture: StackCapture): string {
  const f = stack_frames(capture)[0];
  return f ? `${f.file}:${f.line}` : '(unknown):0';
}

/**
 * The check behind might_sleep(): sleeping is fine when the preempt count and RCU nesting
 * equal `offsets`. `capture` locates the call (its first frame is the `at file:line`).
 */
export function __might_resched(offsets: number, capture: () => StackCapture): void {
  if (!debug_atomic_sleep) return;
  const task = current();
  if (
    resched_offsets_ok(offsets) &&
    !task.hardirqs_disabled &&
    !is_idle_task(task) &&
    task.non_block_count === 0
  ) {
    return;
  }
  const now = jiffies();
  if (prev_jiffy !== 0 && time_before(now, prev_jiffy + HZ)) return;
  prev_jiffy = now;

  const trace = capture();
  const preempt_disable_ip = task.preempt_disable_ip;
  pr_err('BUG: sleeping function called from invalid context at %s\n', where(trace));
  pr_err(
    'in_atomic(): %d, irqs_disabled(): %d, non_block: %d, pid: %d, name: %s\n',
    in_atomic() ? 1 : 0,
    irqs_disabled() ? 1 : 0,
    task.non_block_count,
    task.pid,
    task.comm,
  );
  pr_err(
    'preempt_count: %x, expected: %x\n',
    preempt_count(),
    offsets & MIGHT_RESCHED_PREEMPT_MASK,
  );
  pr_err(
    'RCU nest depth: %d, expected: %u\n',
    task.rcu_read_lock_nesting,
    offsets >> MIGHT_RESCHED_RCU_SHIFT,
  );
  debug_show_held_locks(task);
  if (irqs_disabled()) print_irqtrace_events(task);
  if (preempt_count() !== (offsets & MIGHT_RESCHED_PREEMPT_MASK)) {
    pr_err('Preemption disabled at:\n');
    pr_err('%s\n', sym(preempt_disable_ip));
  }
  dump_stack(trace);
  add_taint(TAINT_WARN);
}

/**
 * Annotates a function that may sleep: reports `BUG: sleeping function called from
 * invalid context` when called in atomic context (see the module comment).
 */
export function might_sleep(): void {
  if (!debug_atomic_sleep) return;
  const task = current();
  // A blocking primitive leaves the task running, so it would lose a sleeping state the
  // caller set: the classic bug of sleeping inside a wait loop.
  if (task.__state !== TASK_RUNNING && task.task_state_change !== undefined) {
    WARN_ONCE(
      true,
      'do not call blocking ops when !TASK_RUNNING; state=%x set at %s\n',
      task.__state,
      sym(task.task_state_change),
    );
  }
  __might_resched(0, () => stack_capture(might_sleep));
}

/**
 * The opposite annotation: reports `BUG: assuming atomic context` when called where
 * sleeping would be allowed (kernel/sched/core.c `__cant_sleep`).
 */
export function cant_sleep(): void {
  const task = current();
  if (task.hardirqs_disabled || task.preempt_count > 0) return;
  const trace = stack_capture(cant_sleep);
  pr_err('BUG: assuming atomic context at %s\n', where(trace));
  pr_err(
    'in_atomic(): %d, irqs_disabled(): %d, pid: %d, name: %s\n',
    in_atomic() ? 1 : 0,
    irqs_disabled() ? 1 : 0,
    task.pid,
    task.comm,
  );
  debug_show_held_locks(task);
  dump_stack(trace);
  add_taint(TAINT_WARN);
}

/** Opens a section in which sleeping is a bug even in task context (`non_block_start`). */
export function non_block_start(): void {
  current().non_block_count += 1;
}

export function non_block_end(): void {
  const task = current();
  if (WARN_ON(task.non_block_count === 0)) return;
  task.non_block_count -= 1;
}
