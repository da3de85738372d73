/**
 * lockdep's reports (kernel/locking/lockdep.c `print_*_bug`): the text printed when a
 * check in lockdep.ts fails, laid out line for line like the kernel's.
 *
 * @module
 */

import { dump_stack } from '../panic.js';
import { pr_warn, printk } from '../printk.js';
import { in_hardirq, in_serving_softirq, softirqs_enabled } from '../sched/preempt.js';
import type { task_struct } from '../sched/task.js';
import type { StackCapture } from '../stacktrace.js';
import {
  acquire_trace,
  lock_class_name,
  lockdep_print_held_locks,
  print_irqtrace_events,
  print_kernel_ident,
  print_lock,
  print_lock_name,
  print_lock_trace,
  sym,
} from './lockdep-print.js';
import { type held_lock, type lock_class, type lockdep_map, usage_str } from './lockdep-types.js';

/** A step of the path the circular-dependency search found, back to where it started. */
export interface bfs_entry {
  readonly class: lock_class;
  readonly trace: StackCapture | undefined;
  readonly parent: bfs_entry | undefined;
  readonly depth: number;
}

export function report_header(rule: string, title: string): void {
  pr_warn('\n');
  pr_warn('%s\n', '='.repeat(rule.length));
  pr_warn('%s\n', title);
  print_kernel_ident();
  pr_warn('%s\n', '-'.repeat(rule.length));
}

export function report_footer(curr: task_struct, trace: StackCapture): void {
  lockdep_print_held_locks(curr);
  pr_warn('\n');
  pr_warn('stack backtrace:\n');
  dump_stack(trace);
}

/** The two locks of a deadlock report: the one being taken and the one already held. */
function print_acquire_while_holding(
  curr: task_struct,
  acquiring: held_lock,
  holding: held_lock,
): void {
  pr_warn('%s/%d is trying to acquire lock:\n', curr.comm, curr.pid);
  printk('%s\n', print_lock(acquiring));
  pr_warn('\n');
  pr_warn('but task is already holding lock:\n');
  printk('%s\n', print_lock(holding));
  pr_warn('\n');
}

/** `WARNING: possible recursive locking detected`. */
export function print_deadlock_bug(curr: task_struct, prev: held_lock, next: held_lock): void {
  const title = 'WARNING: possible recursive locking detected';
  report_header('============================================', title);
  print_acquire_while_holding(curr, next, prev);
  pr_warn('other info that might help us debug this:\n');
  printk(' Possible unsafe locking scenario:\n\n');
  printk('       CPU0\n');
  printk('       ----\n');
  printk('  lock(%s);\n', lock_class_name(prev.class));
  printk('  lock(%s);\n', lock_class_name(next.class));
  printk('\n *** DEADLOCK ***\n\n');
  printk(' May be due to missing lock nesting notation\n\n');
  report_footer(curr, acquire_trace(next));
}

function print_circular_bug_entry(entry: bfs_entry, depth: number, trace: StackCapture): void {
  printk('\n-> #%u%s:\n', depth, print_lock_name(entry.class));
  print_lock_trace(entry.trace ?? trace, 6);
}

/** `WARNING: possible circular locking dependency detected`, with the existing chain. */
export function print_circular_bug(
  curr: task_struct,
  target: bfs_entry,
  src: held_lock,
  tgt: held_lock,
): void {
  const title = 'WARNING: possible circular locking dependency detected';
  report_header('======================================================', title);
  print_acquire_while_holding(curr, src, tgt);
  pr_warn('which lock already depends on the new lock.\n\n');
  pr_warn('\n');
  pr_warn('the existing dependency chain (in reverse order) is:\n');
  let depth = target.depth;
  print_circular_bug_entry(target, depth, acquire_trace(src));
  const first_parent = target.parent!;
  for (let parent = target.parent; parent !== undefined; parent = parent.parent) {
    depth -= 1;
    print_circular_bug_entry(parent, depth, acquire_trace(src));
  }
  printk('\nother info that might help us debug this:\n\n');
  const source = lock_class_name(src.class);
  const tname = lock_class_name(tgt.class);
  const pname = lock_class_name(first_parent.class);
  if (first_parent.class !== src.class) {
    printk('Chain exists of:\n');
    printk('  %s --> %s --> %s\n\n', source, pname, tname);
  }
  printk(' Possible unsafe locking scenario:\n\n');
  printk('       CPU0                    CPU1\n');
  printk('       ----                    ----\n');
  printk('  %s(%s);\n', tgt.read ? 'rlock' : 'lock', tname);
  printk('                               lock(%s);\n', pname);
  printk('                               lock(%s);\n', tname);
  printk('  %s(%s);\n', src.read ? 'rlock' : 'lock', source);
  printk('\n *** DEADLOCK ***\n\n');
  report_footer(curr, acquire_trace(src));
}

/**
 * The task and its irq state as lockdep's usage reports print them:
 * `comm/pid [HC<in hardirq>[<hardirq count>]:SC<in softirq>[<softirq count>]:HE<hardirqs
 * enabled>:SE<softirqs enabled>] <what>:`.
 */
export function print_irq_context(curr: task_struct, what: string): void {
  const pc = curr.preempt_count;
  pr_warn(
    '%s/%d [HC%u[%u]:SC%u[%u]:HE%u:SE%u] %s:\n',
    curr.comm,
    curr.pid,
    in_hardirq() ? 1 : 0,
    (pc & 0xf0000) >> 16,
    in_serving_softirq() ? 1 : 0,
    (pc & 0xff00) >> 8,
    curr.hardirqs_disabled ? 0 : 1,
    softirqs_enabled(curr) ? 1 : 0,
    what,
  );
}

/** `WARNING: inconsistent lock state`. */
export function print_usage_bug(
  curr: task_struct,
  cls_lock: held_lock,
  prev_bit: number,
  new_bit: number,
): void {
  report_header('================================', 'WARNING: inconsistent lock state');
  pr_warn('inconsistent {%s} -> {%s} usage.\n', usage_str[prev_bit], usage_str[new_bit]);
  print_irq_context(curr, 'takes');
  printk('%s\n', print_lock(cls_lock));
  pr_warn('{%s} state was registered at:\n', usage_str[prev_bit]);
  print_lock_trace(cls_lock.class.usage_traces[prev_bit], 1);
  print_irqtrace_events(curr);
  pr_warn('\n');
  pr_warn('other info that might help us debug this:\n');
  const name = lock_class_name(cls_lock.class);
  printk(' Possible unsafe locking scenario:\n\n');
  printk('       CPU0\n');
  printk('       ----\n');
  printk('  lock(%s);\n', name);
  printk('  <Interrupt>\n');
  printk('    lock(%s);\n', name);
  printk('\n *** DEADLOCK ***\n\n');
  report_footer(curr, acquire_trace(cls_lock));
}

/** `WARNING: bad unlock balance detected!`. */
export function print_unlock_imbalance_bug(
  curr: task_struct,
  map: lockdep_map,
  ip: StackCapture,
): void {
  report_header('=====================================', 'WARNING: bad unlock balance detected!');
  pr_warn('%s/%d is trying to release lock (%s) at:\n', curr.comm, curr.pid, map.name);
  printk('%s\n', sym(ip));
  pr_warn('but there are no more locks to release!\n');
  pr_warn('\n');
  pr_warn('other info that might help us debug this:\n');
  report_footer(curr, ip);
}
