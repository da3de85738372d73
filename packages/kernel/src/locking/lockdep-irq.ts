/**
 * lockdep's irq-safety of dependencies (`check_irq_usage`).
 *
 * A lock taken in an interrupt handler ("HARDIRQ-safe") must never, directly or through
 * other locks, be held while taking a lock that is also taken with interrupts enabled
 * ("HARDIRQ-unsafe"): the interrupt can arrive while that lock is held, on this CPU or
 * another, and wait on the first one forever. When a new dependency `prev -> next` would
 * connect such a pair, lockdep reports `WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order
 * detected` (and the same for softirqs), with both paths.
 *
 * The other way round, when a class first becomes irq-safe (or irq-unsafe) and its
 * existing dependencies already lead to an irq-unsafe (irq-safe) class, lockdep reports
 * `WARNING: possible irq lock inversion dependency detected`.
 *
 * @module
 */

import { dump_stack } from '../panic.js';
import { pr_warn, printk } from '../printk.js';
import type { task_struct } from '../sched/task.js';
import type { StackCapture } from '../stacktrace.js';
import { debug_locks_off } from './debug-locks.js';
import {
  acquire_trace,
  lock_class_name,
  lockdep_print_held_locks,
  print_kernel_ident,
  print_lock,
  print_lock_name,
  print_lock_trace,
} from './lockdep-print.js';
import { print_irq_context } from './lockdep-report.js';
import {
  type held_lock,
  LOCK_USAGE_DIR_MASK,
  LOCK_USAGE_READ_MASK,
  type lock_class,
  type lock_list,
  usage_str,
} from './lockdep-types.js';

/** USED_IN_{HARDIRQ,SOFTIRQ}{,_READ}: bits 0, 1, 4, 5. */
const USED_IN_IRQ_ALL = 0b00110011;
/** ENABLED_{HARDIRQ,SOFTIRQ}{,_READ}: bits 2, 3, 6, 7. */
const ENABLED_IRQ_ALL = 0b11001100;
/** Usage bits that carry a trace (the irq states). */
const LOCK_TRACE_STATES = 8;

/** A node of a breadth-first search, linked back to where the search started. */
interface irq_entry {
  readonly class: lock_class;
  readonly trace: StackCapture | undefined;
  readonly parent: irq_entry | undefined;
  readonly depth: number;
}

/** Every class reachable from `root` along `edges`, nearest first, root included. */
function bfs(root: lock_class, edges: (c: lock_class) => Map<lock_class, lock_list>): irq_entry[] {
  const out: irq_entry[] = [{ class: root, trace: undefined, parent: undefined, depth: 0 }];
  const seen = new Set<lock_class>([root]);
  for (let i = 0; i < out.length; i++) {
    const entry = out[i]!;
    for (const edge of edges(entry.class).values()) {
      if (seen.has(edge.class)) continue;
      seen.add(edge.class);
      out.push({ class: edge.class, trace: edge.trace, parent: entry, depth: entry.depth + 1 });
    }
  }
  return out;
}

/** Swaps USED_IN and ENABLED, then adds both the read and write forms of each bit. */
function exclusive_mask(mask: number): number {
  let excl = ((mask & ENABLED_IRQ_ALL) >> LOCK_USAGE_DIR_MASK) | ((mask & USED_IN_IRQ_ALL) << 2);
  excl |= (excl & 0b10101010) >> LOCK_USAGE_READ_MASK;
  excl |= (excl & 0b01010101) << LOCK_USAGE_READ_MASK;
  return excl;
}

function exclusive_bit(bit: number): number {
  return (bit & ~(LOCK_USAGE_READ_MASK | LOCK_USAGE_DIR_MASK)) | ((bit & LOCK_USAGE_DIR_MASK) ^ 2);
}

/** `HARDIRQ`, `SOFTIRQ-READ`...: the irq class a usage bit belongs to. */
function state_name(bit: number): string {
  const state = bit >> 2 === 0 ? 'HARDIRQ' : 'SOFTIRQ';
  return bit & LOCK_USAGE_READ_MASK ? `${state}-READ` : state;
}

/**
 * Checks that the new dependency `prev -> next` does not connect an irq-safe lock (at or
 * before `prev`) with an irq-unsafe one (at or after `next`); reports it if it does.
 * Returns false when it reported.
 */
export function check_irq_usage(curr: task_struct, prev: held_lock, next: held_lock): boolean {
  const backward = bfs(prev.class, (c) => c.locks_before);
  let usage_mask = 0;
  for (const e of backward) usage_mask |= e.class.usage_mask;
  usage_mask &= USED_IN_IRQ_ALL;
  if (usage_mask === 0) return true;

  const forward_mask = exclusive_mask(usage_mask);
  const forward = bfs(next.class, (c) => c.locks_after);
  const unsafe = forward.find((e) => (e.class.usage_mask & forward_mask) !== 0);
  if (unsafe === undefined) return true;

  const backward_mask = exclusive_mask(unsafe.class.usage_mask & ENABLED_IRQ_ALL);
  const safe = backward.find((e) => (e.class.usage_mask & backward_mask) !== 0);
  if (safe === undefined) return true;

  for (let bit = 0; bit < LOCK_TRACE_STATES; bit++) {
    if ((safe.class.usage_mask & (1 << bit)) === 0) continue;
    const excl = exclusive_bit(bit);
    for (const forward_bit of [excl, excl | LOCK_USAGE_READ_MASK]) {
      if (unsafe.class.usage_mask & (1 << forward_bit)) {
        if (debug_locks_off()) {
          print_bad_irq_dependency(curr, safe, unsafe, prev, next, bit, forward_bit);
        }
        return false;
      }
    }
  }
  return true;
}

function print_irq_lock_scenario(
  safe: lock_class,
  unsafe: lock_class,
  prev: lock_class,
  next: lock_class,
): void {
  const middle = prev === safe ? next : prev;
  const safe_name = lock_class_name(safe);
  const middle_name = lock_class_name(middle);
  const unsafe_name = lock_class_name(unsafe);
  if (middle !== unsafe) {
    printk('Chain exists of:\n');
    printk('  %s --> %s --> %s\n\n', safe_name, middle_name, unsafe_name);
  }
  printk(' Possible interrupt unsafe locking scenario:\n\n');
  printk('       CPU0                    CPU1\n');
  printk('       ----                    ----\n');
  printk('  lock(%s);\n', unsafe_name);
  printk('                               local_irq_disable();\n');
  printk('                               lock(%s);\n', safe_name);
  printk('                               lock(%s);\n', middle_name);
  printk('  <Interrupt>\n');
  printk('    lock(%s);\n', safe_name);
  printk('\n *** DEADLOCK ***\n\n');
}

/** A class with where it gained each irq usage (`print_lock_class_header`). */
function print_lock_class_header(cls: lock_class, depth: number): void {
  const pad = ' '.repeat(depth);
  printk('%s->%s {\n', pad, print_lock_name(cls));
  for (let bit = 0; bit < LOCK_TRACE_STATES; bit++) {
    if ((cls.usage_mask & (1 << bit)) === 0) continue;
    const head = `${pad}   ${usage_str[bit]}`;
    printk('%s at:\n', head);
    print_lock_trace(cls.usage_traces[bit], head.length + 4);
  }
  printk('%s }\n', pad);
  printk('%s ... key      at: %s\n', pad, cls.key.site);
}

/** The path from the irq-safe class down to the held lock, farthest first. */
function print_dependencies_backwards(leaf: irq_entry): void {
  let trace: StackCapture | undefined;
  for (let e: irq_entry | undefined = leaf; e !== undefined; e = e.parent) {
    print_lock_class_header(e.class, e.depth);
    if (trace) {
      printk('%s ... acquired at:\n', ' '.repeat(e.depth));
      print_lock_trace(trace, 2);
      printk('\n');
    }
    trace = e.trace;
  }
}

/** The path from the lock being taken to the irq-unsafe class, farthest first. */
function print_dependencies_forwards(leaf: irq_entry, now: StackCapture): void {
  for (let e: irq_entry | undefined = leaf; e !== undefined; e = e.parent) {
    print_lock_class_header(e.class, e.depth);
    printk('%s ... acquired at:\n', ' '.repeat(e.depth));
    print_lock_trace(e.trace ?? now, 2);
    printk('\n');
  }
}

function print_bad_irq_dependency(
  curr: task_struct,
  safe: irq_entry,
  unsafe: irq_entry,
  prev: held_lock,
  next: held_lock,
  safe_bit: number,
  unsafe_bit: number,
): void {
  const irqclass = state_name(safe_bit);
  pr_warn('\n');
  pr_warn('=====================================================\n');
  pr_warn('WARNING: %s-safe -> %s-unsafe lock order detected\n', irqclass, irqclass);
  print_kernel_ident();
  pr_warn('-----------------------------------------------------\n');
  print_irq_context(curr, 'is trying to acquire');
  printk('%s\n', print_lock(next));
  pr_warn('\n');
  pr_warn('and this task is already holding:\n');
  printk('%s\n', print_lock(prev));
  pr_warn('which would create a new lock dependency:\n');
  printk('%s ->%s\n', print_lock_name(prev.class), print_lock_name(next.class));
  pr_warn('\n');
  pr_warn('but this new dependency connects a %s-irq-safe lock:\n', irqclass);
  printk('%s\n', print_lock_name(safe.class));
  pr_warn('\n');
  pr_warn('... which became %s-irq-safe at:\n', irqclass);
  print_lock_trace(safe.class.usage_traces[safe_bit], 1);
  pr_warn('\n');
  pr_warn('to a %s-irq-unsafe lock:\n', irqclass);
  printk('%s\n', print_lock_name(unsafe.class));
  pr_warn('\n');
  pr_warn('... which became %s-irq-unsafe at:\n', irqclass);
  pr_warn('...\n');
  print_lock_trace(unsafe.class.usage_traces[unsafe_bit], 1);
  pr_warn('\n');
  pr_warn('other info that might help us debug this:\n\n');
  print_irq_lock_scenario(safe.class, unsafe.class, prev.class, next.class);
  lockdep_print_held_locks(curr);
  pr_warn('\n');
  pr_warn('the dependencies between %s-irq-safe lock and the holding lock:\n', irqclass);
  print_dependencies_backwards(safe);
  pr_warn('\n');
  pr_warn('the dependencies between the lock to be acquired and %s-irq-unsafe lock:\n', irqclass);
  print_dependencies_forwards(unsafe, acquire_trace(next));
  pr_warn('\n');
  pr_warn('stack backtrace:\n');
  dump_stack(acquire_trace(next));
}

function print_irq_inversion_bug(
  curr: task_struct,
  root: irq_entry,
  other: irq_entry,
  hlock: held_lock,
  forwards: boolean,
  irqclass: string,
): void {
  pr_warn('\n');
  pr_warn('========================================================\n');
  pr_warn('WARNING: possible irq lock inversion dependency detected\n');
  print_kernel_ident();
  pr_warn('--------------------------------------------------------\n');
  pr_warn('%s/%d just changed the state of lock:\n', curr.comm, curr.pid);
  printk('%s\n', print_lock(hlock));
  if (forwards) {
    pr_warn('but this lock took another, %s-unsafe lock in the past:\n', irqclass);
  } else {
    pr_warn('but this lock was taken by another, %s-safe lock in the past:\n', irqclass);
  }
  printk('%s\n', print_lock_name(other.class));
  pr_warn('\n');
  pr_warn('\n');
  pr_warn('and interrupts could create inverse lock ordering between them.\n\n');
  pr_warn('\n');
  pr_warn('other info that might help us debug this:\n');
  // The lock next to the root on the path: what the scenario shows taken in between.
  let middle = other;
  while (middle.parent !== undefined && middle.parent !== root) middle = middle.parent;
  if (forwards) {
    print_irq_lock_scenario(root.class, other.class, middle.class, other.class);
  } else {
    print_irq_lock_scenario(other.class, root.class, middle.class, root.class);
  }
  lockdep_print_held_locks(curr);
  pr_warn('\n');
  pr_warn('the shortest dependencies between 2nd lock and 1st lock:\n');
  print_dependencies_forwards(other, acquire_trace(hlock));
  pr_warn('\n');
  pr_warn('stack backtrace:\n');
  dump_stack(acquire_trace(hlock));
}

/**
 * `check_usage_forwards`/`check_usage_backwards`: `hlock`'s class just gained usage
 * `new_bit`, whose opposite is `excl`. Looks for a class with the opposite usage after it
 * (for a new USED_IN) or before it (for a new ENABLED) and reports the inversion.
 * Returns false when it reported.
 */
export function check_usage_inversion(
  curr: task_struct,
  hlock: held_lock,
  new_bit: number,
  excl: number,
): boolean {
  const forwards = (new_bit & LOCK_USAGE_DIR_MASK) === 0;
  const read_bit = excl + LOCK_USAGE_READ_MASK;
  const mask = (1 << excl) | (1 << read_bit);
  const reached = bfs(hlock.class, (c) => (forwards ? c.locks_after : c.locks_before));
  const root = reached[0]!;
  const other = reached.slice(1).find((e) => (e.class.usage_mask & mask) !== 0);
  if (other === undefined) return true;
  const bit = other.class.usage_mask & (1 << excl) ? excl : read_bit;
  if (debug_locks_off()) {
    print_irq_inversion_bug(curr, root, other, hlock, forwards, state_name(bit));
  }
  return false;
}
