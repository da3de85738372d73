/**
 * lockdep, the runtime locking correctness validator (kernel/locking/lockdep.c).
 *
 * Every lock belongs to a class: all locks initialised at one site. lockdep records, per
 * task, the locks held, and, globally, every "class B was taken while class A was held"
 * dependency with the stack that first did it. It reports, before any deadlock happens:
 *
 * - `WARNING: possible recursive locking detected`: taking a class already held;
 * - `WARNING: possible circular locking dependency detected`: a new dependency that
 *   closes a cycle in the graph, with the chain that already existed;
 * - `WARNING: inconsistent lock state`: a class taken in hard (or soft) interrupt
 *   context and also with interrupts enabled (`{HARDIRQ-ON-W} -> {IN-HARDIRQ-W}`);
 * - `WARNING: bad unlock balance detected!`: releasing a lock that is not held.
 *
 * Like the kernel, the first report turns lock debugging off (`debug_locks`), so the log
 * shows the first bug. `lockdep_reset()` forgets every class and turns it back on.
 *
 * Lockdep runs only with `CONFIG_PROVE_LOCKING` (see `kconfig.ts`): without it locks are
 * not tracked, nothing is reported, and `lockdep_assert_held()` holds. Switch it between
 * tests, not while a lock is held.
 *
 * The graph has no lock-chain cache: each acquisition walks the held locks again, which
 * costs time but changes no report.
 *
 * @module
 */

import { kconfig_watch } from '../kconfig.js';
import { dump_stack, WARN } from '../panic.js';
import { pr_warn, printk } from '../printk.js';
import { in_hardirq, in_serving_softirq, softirqs_enabled } from '../sched/preempt.js';
import { current, type task_struct } from '../sched/task.js';
import { type StackCapture, stack_frames } from '../stacktrace.js';
import type { call_site } from './call-site.js';
import { debug_locks_enabled, debug_locks_off, debug_locks_on } from './debug-locks.js';
import { check_irq_usage, check_usage_inversion } from './lockdep-irq.js';
import { acquire_trace, lockdep_print_held_locks } from './lockdep-print.js';
import {
  type bfs_entry,
  print_circular_bug,
  print_deadlock_bug,
  print_unlock_imbalance_bug,
  print_usage_bug,
  report_header,
} from './lockdep-report.js';
import {
  type held_lock,
  LOCK_ENABLED_HARDIRQ,
  LOCK_ENABLED_HARDIRQ_READ,
  LOCK_ENABLED_SOFTIRQ,
  LOCK_ENABLED_SOFTIRQ_READ,
  LOCK_USAGE_DIR_MASK,
  LOCK_USAGE_READ_MASK,
  LOCK_USED,
  LOCK_USED_IN_HARDIRQ,
  LOCK_USED_IN_HARDIRQ_READ,
  LOCK_USED_IN_SOFTIRQ,
  LOCK_USED_IN_SOFTIRQ_READ,
  type lock_class,
  lock_class_key,
  type lockdep_map,
} from './lockdep-types.js';

/** Subclasses a class may have (`MAX_LOCKDEP_SUBCLASSES`). */
export const MAX_LOCKDEP_SUBCLASSES = 8;
/** Usage bits with a saved trace (the irq states); LOCK_USED has none. */
const LOCK_TRACE_STATES = 8;

/** Bumped by lockdep_reset(): maps re-register their classes. */
let generation = 1;
let classes = new Map<lock_class_key, (lock_class | undefined)[]>();
let name_versions = new Map<string, number>();
const site_keys = new Map<string, lock_class_key>();
let next_addr = 0xffff888004000000n;
/** CONFIG_PROVE_LOCKING, cached for the lock fast paths. */
let prove_locking = true;
kconfig_watch('CONFIG_PROVE_LOCKING', (on) => {
  prove_locking = on;
});

/**
 * The class key of an initialisation site: the first frame of `site` (the caller of
 * `spin_lock_init()` and friends). The same line always gives the same key.
 */
export function lockdep_site_key(site: StackCapture): lock_class_key {
  const f = stack_frames(site)[0];
  const where = f ? `${f.file}:${f.line}:${f.column}` : '(unknown)';
  let key = site_keys.get(where);
  if (key === undefined) {
    key = new lock_class_key(where);
    site_keys.set(where, key);
  }
  return key;
}

/** Initialises the lockdep part of a lock (`lockdep_init_map_type`). */
export function lockdep_init_map(
  name: string,
  key: lock_class_key,
  wait_type_inner: number,
  wait_type_outer = 0,
): lockdep_map {
  const addr = next_addr.toString(16).padStart(16, '0');
  next_addr += 0x40n;
  return { key, name, wait_type_inner, wait_type_outer, addr, class_cache: [], cache_gen: 0 };
}

/** Puts a lock in another class (`lockdep_set_class_and_name`). */
export function lockdep_set_class(map: lockdep_map, key: lock_class_key, name = map.name): void {
  map.key = key;
  map.name = name;
  map.class_cache = [];
}

function register_lock_class(map: lockdep_map, subclass: number): lock_class {
  if (map.cache_gen !== generation) {
    map.class_cache = [];
    map.cache_gen = generation;
  }
  const cached = map.class_cache[subclass];
  if (cached) return cached;
  let per_key = classes.get(map.key);
  if (per_key === undefined) {
    per_key = [];
    classes.set(map.key, per_key);
  }
  let cls = per_key[subclass];
  if (cls === undefined) {
    // A class whose name another class already has is printed with a #N suffix.
    const version = (name_versions.get(map.name) ?? 0) + 1;
    name_versions.set(map.name, version);
    cls = {
      key: map.key,
      subclass,
      name: map.name,
      name_version: version,
      wait_type_inner: map.wait_type_inner,
      wait_type_outer: map.wait_type_outer,
      usage_mask: 0,
      usage_traces: [],
      locks_after: new Map(),
      locks_before: new Map(),
    };
    per_key[subclass] = cls;
  }
  map.class_cache[subclass] = cls;
  return cls;
}

/* Recursive locking. */

function check_deadlock(curr: task_struct, next: held_lock): boolean {
  for (const prev of curr.held_locks) {
    if (prev.class !== next.class) continue;
    // Read-after-read recursion of one class is allowed for recursive readers.
    if (next.read === 2 && prev.read) continue;
    if (!debug_locks_off()) return false;
    print_deadlock_bug(curr, prev, next);
    return false;
  }
  return true;
}

/* Circular dependencies. */

/** Breadth-first search of the classes taken after `from`, for `target`. */
function find_path(from: lock_class, target: lock_class): bfs_entry | undefined {
  const root: bfs_entry = { class: from, trace: undefined, parent: undefined, depth: 0 };
  const seen = new Set<lock_class>([from]);
  const queue: bfs_entry[] = [root];
  for (let i = 0; i < queue.length; i++) {
    const entry = queue[i]!;
    for (const edge of entry.class.locks_after.values()) {
      if (seen.has(edge.class)) continue;
      seen.add(edge.class);
      const next: bfs_entry = {
        class: edge.class,
        trace: edge.trace,
        parent: entry,
        depth: entry.depth + 1,
      };
      if (edge.class === target) return next;
      queue.push(next);
    }
  }
  return undefined;
}

/** Adds the dependency prev -> next unless it closes a cycle (then reports it). */
function check_prev_add(curr: task_struct, prev: held_lock, next: held_lock): boolean {
  const after = prev.class.locks_after;
  // The graph is acyclic, so an edge that exists cannot close a cycle.
  if (after.has(next.class)) return true;
  const path = find_path(next.class, prev.class);
  if (path !== undefined) {
    if (debug_locks_off()) print_circular_bug(curr, path, next, prev);
    return false;
  }
  if (!check_irq_usage(curr, prev, next)) return false;
  const trace = acquire_trace(next);
  after.set(next.class, { class: next.class, trace });
  next.class.locks_before.set(prev.class, { class: prev.class, trace });
  return true;
}

/** Adds a dependency from each lock held in this context down to the first non-trylock. */
function check_prevs_add(curr: task_struct, next: held_lock): boolean {
  const held = curr.held_locks;
  for (let depth = held.length - 1; depth >= 0; depth--) {
    const hlock = held[depth]!;
    if (hlock.irq_context !== next.irq_context) break;
    if (hlock.check) {
      if (!check_prev_add(curr, hlock, next)) return false;
      if (!hlock.trylock) break;
    }
  }
  return true;
}

/* Irq usage. */

function valid_state(curr: task_struct, hlock: held_lock, new_bit: number, bad: number): boolean {
  if ((hlock.class.usage_mask & (1 << bad)) === 0) return true;
  if (debug_locks_off()) print_usage_bug(curr, hlock, bad, new_bit);
  return false;
}

function mark_lock(curr: task_struct, hlock: held_lock, new_bit: number): boolean {
  const cls = hlock.class;
  const mask = 1 << new_bit;
  if (cls.usage_mask & mask) return true;
  cls.usage_mask |= mask;
  if (new_bit >= LOCK_TRACE_STATES) return true;
  cls.usage_traces[new_bit] = acquire_trace(hlock);
  // The opposite direction of the same irq state, for the write and the read form.
  const excl =
    (new_bit & ~(LOCK_USAGE_READ_MASK | LOCK_USAGE_DIR_MASK)) |
    ((new_bit & LOCK_USAGE_DIR_MASK) ^ LOCK_USAGE_DIR_MASK);
  if (!valid_state(curr, hlock, new_bit, excl)) return false;
  if ((new_bit & LOCK_USAGE_READ_MASK) === 0) {
    if (!valid_state(curr, hlock, new_bit, excl + LOCK_USAGE_READ_MASK)) return false;
  }
  // A new ENABLED usage must not meet an irq-safe class before it in the graph, a new
  // USED_IN usage an irq-unsafe class after it.
  return check_usage_inversion(curr, hlock, new_bit, excl);
}

function mark_usage(curr: task_struct, hlock: held_lock): boolean {
  if (hlock.check) {
    const read = hlock.read !== 0;
    if (!hlock.trylock) {
      if (in_hardirq()) {
        const bit = read ? LOCK_USED_IN_HARDIRQ_READ : LOCK_USED_IN_HARDIRQ;
        if (!mark_lock(curr, hlock, bit)) return false;
      }
      if (in_serving_softirq()) {
        const bit = read ? LOCK_USED_IN_SOFTIRQ_READ : LOCK_USED_IN_SOFTIRQ;
        if (!mark_lock(curr, hlock, bit)) return false;
      }
    }
    if (!hlock.hardirqs_off) {
      const hbit = read ? LOCK_ENABLED_HARDIRQ_READ : LOCK_ENABLED_HARDIRQ;
      if (!mark_lock(curr, hlock, hbit)) return false;
      if (softirqs_enabled(curr)) {
        const sbit = read ? LOCK_ENABLED_SOFTIRQ_READ : LOCK_ENABLED_SOFTIRQ;
        if (!mark_lock(curr, hlock, sbit)) return false;
      }
    }
  }
  return mark_lock(curr, hlock, LOCK_USED);
}

/**
 * Records that the current task takes `map` (`lock_acquire`). `read` is 0 for exclusive,
 * 1 for shared, 2 for shared-recursive; `check` 0 tracks the lock without validating it.
 * `ip` is where the caller took it. Reports run before the lock is taken, as in the kernel.
 */
export function lock_acquire(
  map: lockdep_map,
  subclass: number,
  trylock: boolean,
  read: number,
  check: boolean,
  site: call_site,
): void {
  if (!prove_locking || !debug_locks_enabled()) return;
  const curr = current();
  if (curr.lockdep_recursion) return;
  if (subclass >= MAX_LOCKDEP_SUBCLASSES) {
    if (debug_locks_off()) {
      printk('BUG: looking up invalid subclass: %u\n', subclass);
      dump_stack(site.full());
    }
    return;
  }
  const cls = register_lock_class(map, subclass);
  const hlock: held_lock = {
    instance: map,
    class: cls,
    acquire_ip: site.short(),
    site,
    read,
    trylock,
    check,
    hardirqs_off: curr.hardirqs_disabled,
    irq_context: (in_hardirq() ? 2 : 0) + (in_serving_softirq() ? 1 : 0),
  };
  const ok =
    mark_usage(curr, hlock) &&
    (trylock || !check || (check_deadlock(curr, hlock) && check_prevs_add(curr, hlock)));
  // The site is only valid while the primitive that took the lock runs.
  hlock.site = undefined;
  if (ok) curr.held_locks.push(hlock);
}

/** Records that the current task releases `map` (`lock_release`). */
export function lock_release(map: lockdep_map, site: call_site): void {
  if (!prove_locking || !debug_locks_enabled()) return;
  const curr = current();
  if (curr.lockdep_recursion) return;
  const held = curr.held_locks;
  for (let i = held.length - 1; i >= 0; i--) {
    if (held[i]!.instance === map) {
      held.splice(i, 1);
      return;
    }
  }
  if (debug_locks_off()) print_unlock_imbalance_bug(curr, map, site.full());
}

/** Whether the current task holds `map` (`lock_is_held`); true while lockdep is off. */
export function lock_is_held(map: lockdep_map): boolean {
  if (!prove_locking || !debug_locks_enabled() || current().lockdep_recursion) return true;
  return current().held_locks.some((h) => h.instance === map);
}

/**
 * The check at the end of every system call (`lockdep_sys_exit`): a task must not return
 * to user space holding a kernel lock. The system-call layer calls it.
 */
export function lockdep_sys_exit(): void {
  const curr = current();
  if (!prove_locking || curr.held_locks.length === 0 || !debug_locks_off()) return;
  report_header(
    '================================================',
    'WARNING: lock held when returning to user space!',
  );
  pr_warn('%s/%d is leaving the kernel with locks still held!\n', curr.comm, curr.pid);
  lockdep_print_held_locks(curr);
}

/**
 * Stops lockdep from tracking the current task until lockdep_on(); the lock debugging
 * checks of the primitives themselves (DEBUG_SPINLOCK, DEBUG_MUTEXES) stay on.
 */
export function lockdep_off(): void {
  current().lockdep_recursion += 1;
}

export function lockdep_on(): void {
  const task = current();
  if (task.lockdep_recursion > 0) task.lockdep_recursion -= 1;
}

/**
 * Forgets every class and dependency, clears the current task's held locks and turns lock
 * debugging back on, as the kernel's locking self-tests do between cases.
 */
export function lockdep_reset(): void {
  generation += 1;
  classes = new Map();
  name_versions = new Map();
  current().held_locks.length = 0;
  debug_locks_on();
}

/** Whether the current task holds `lock`, per lockdep (true while lockdep is off). */
export function lockdep_is_held(lock: { dep_map: lockdep_map | undefined }): boolean {
  return lock.dep_map === undefined ? false : lock_is_held(lock.dep_map);
}

/** Warns when the current task does not hold `lock` (`lockdep_assert_held`). */
export function lockdep_assert_held(lock: { dep_map: lockdep_map | undefined }): void {
  if (prove_locking && debug_locks_enabled() && !lockdep_is_held(lock)) {
    WARN(true, 'lockdep_assert_held(%s) failed\n', lock.dep_map?.name ?? 'lock');
  }
}
