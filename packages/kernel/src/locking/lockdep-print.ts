/**
 * The pieces every lockdep report is printed from (kernel/locking/lockdep.c):
 * lock names with their usage and wait types, held-lock lists, irq event stamps.
 *
 * Where the kernel prints a code address (`at: foo+0x1c/0x30`, `[<ffffffff...>]`), the
 * simulation prints the JavaScript frame decoded: `foo file:line`.
 *
 * @module
 */

import { print_tainted, UTS_RELEASE } from '../panic.js';
import { printk } from '../printk.js';
import { task_irqtrace } from '../sched/preempt.js';
import type { task_struct } from '../sched/task.js';
import { type StackCapture, stack_frames, stack_lines } from '../stacktrace.js';
import { debug_locks_enabled } from './debug-locks.js';
import {
  type held_lock,
  LOCK_USAGE_DIR_MASK,
  LOCK_USED_IN_HARDIRQ,
  LOCK_USED_IN_HARDIRQ_READ,
  LOCK_USED_IN_SOFTIRQ,
  LOCK_USED_IN_SOFTIRQ_READ,
  type lock_class,
} from './lockdep-types.js';

/** `%pS` of a captured instruction pointer: the first frame, decoded. */
export function sym(ip: StackCapture | undefined): string {
  if (ip === undefined) return '0x0';
  const f = stack_frames(ip)[0];
  return f ? `${f.function} ${f.file}:${f.line}` : '0x0';
}

/** `print_kernel_ident()`: release, build number and taint, under each report's title. */
export function print_kernel_ident(): void {
  printk('%s #1 %s\n', UTS_RELEASE, print_tainted());
}

/** A class's name as `__print_lock_name` writes it: `name`, `name#2`, `name/1`. */
export function lock_class_name(cls: lock_class): string {
  let name = cls.name;
  if (cls.name_version > 1) name += `#${cls.name_version}`;
  if (cls.subclass) name += `/${cls.subclass}`;
  return name;
}

function usage_char(cls: lock_class, bit: number): string {
  const enabled = (cls.usage_mask & (1 << (bit + LOCK_USAGE_DIR_MASK))) !== 0;
  const used_in = (cls.usage_mask & (1 << bit)) !== 0;
  if (used_in) return enabled ? '?' : '-';
  return enabled ? '+' : '.';
}

/** `{+.+.}`: for hardirq then softirq, the write and read usage of the class. */
export function usage_chars(cls: lock_class): string {
  return (
    usage_char(cls, LOCK_USED_IN_HARDIRQ) +
    usage_char(cls, LOCK_USED_IN_HARDIRQ_READ) +
    usage_char(cls, LOCK_USED_IN_SOFTIRQ) +
    usage_char(cls, LOCK_USED_IN_SOFTIRQ_READ)
  );
}

/** `(&dev->lock){+.+.}-{2:2}` as print_lock_name writes it. */
export function print_lock_name(cls: lock_class): string {
  const outer = cls.wait_type_outer || cls.wait_type_inner;
  return ` (${lock_class_name(cls)}){${usage_chars(cls)}}-{${outer}:${cls.wait_type_inner}}`;
}

/** The full stack of an acquisition in progress (its caller's frame once it is over). */
export function acquire_trace(hlock: held_lock): StackCapture {
  return hlock.site ? hlock.site.full() : hlock.acquire_ip;
}

/** One held lock: address, name, and where it was taken. */
export function print_lock(hlock: held_lock): string {
  return `${hlock.instance.addr}${print_lock_name(hlock.class)}, at: ${sym(hlock.acquire_ip)}`;
}

/** `lockdep_print_held_locks()`. */
export function lockdep_print_held_locks(task: task_struct): void {
  const depth = task.held_locks.length;
  if (depth === 0) {
    printk('no locks held by %s/%d.\n', task.comm, task.pid);
    return;
  }
  printk('%d lock%s held by %s/%d:\n', depth, depth > 1 ? 's' : '', task.comm, task.pid);
  task.held_locks.forEach((hlock, i) => {
    printk(' #%d: %s\n', i, print_lock(hlock));
  });
}

/** `debug_show_held_locks()`, as might_sleep and hung-task reports call it. */
export function debug_show_held_locks(task: task_struct): void {
  if (!debug_locks_enabled()) {
    printk('INFO: lockdep is turned off.\n');
    return;
  }
  lockdep_print_held_locks(task);
}

/** The indented stack of a dependency or usage trace (`print_lock_trace`). */
export function print_lock_trace(trace: StackCapture | undefined, spaces: number): void {
  if (trace === undefined) return;
  const pad = ' '.repeat(spaces);
  for (const line of stack_lines(trace)) printk('%s%s\n', pad, line);
}

/** `print_irqtrace_events()`: the last irq and softirq enable/disable of the task. */
export function print_irqtrace_events(task: task_struct): void {
  const t = task_irqtrace(task);
  printk('irq event stamp: %u\n', t.irq_events);
  printk('hardirqs last  enabled at (%u): %s\n', t.hardirq_enable_event, sym(t.hardirq_enable_ip));
  printk(
    'hardirqs last disabled at (%u): %s\n',
    t.hardirq_disable_event,
    sym(t.hardirq_disable_ip),
  );
  printk('softirqs last  enabled at (%u): %s\n', t.softirq_enable_event, sym(t.softirq_enable_ip));
  printk(
    'softirqs last disabled at (%u): %s\n',
    t.softirq_disable_event,
    sym(t.softirq_disable_ip),
  );
}
