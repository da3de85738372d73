/**
 * Read-copy update (kernel/rcu, CONFIG_PREEMPT_RCU with lockdep-RCU checking).
 *
 * Readers bracket their accesses with `rcu_read_lock()`/`rcu_read_unlock()` (which nest
 * and never block) and load pointers with `rcu_dereference()`. Updaters publish a new
 * version with `rcu_assign_pointer()`, then wait with `synchronize_rcu()` (or defer with
 * `call_rcu()`) before freeing the old one.
 *
 * A grace period started at time T waits for every read-side critical section that was
 * running at T, and for no other: readers that begin after T may still see the old
 * pointer only if they loaded it before T, which they cannot have. The simulation keeps
 * that rule exactly: it records which tasks were inside a reader at T and ends the grace
 * period when the last of those sections ends. A grace period with no such reader ends
 * as soon as the caller next yields; callbacks run in softirq context on the idle task.
 *
 * Sleeping inside a reader is reported by might_sleep() (`RCU nest depth: 1`), and
 * lockdep-RCU reports `WARNING: suspicious RCU usage` for rcu_dereference() outside a
 * reader and for synchronize_rcu() inside one, once per call site.
 *
 * @example
 * ```ts
 * import { rcu_pointer, rcu_dereference, rcu_read_lock, rcu_read_unlock, rcu_replace_pointer, synchronize_rcu } from '@rfl/kernel';
 * const config = new rcu_pointer({ speed: 1 });
 * rcu_read_lock();
 * rcu_dereference(config).speed // => 1
 * rcu_read_unlock();
 * const old = rcu_replace_pointer(config, { speed: 2 }, true);
 * await synchronize_rcu();
 * old.speed // => 1
 * ```
 *
 * @module
 */

import { call_site_of } from '../locking/call-site.js';
import { debug_locks_enabled } from '../locking/debug-locks.js';
import { lock_acquire, lock_is_held, lock_release, lockdep_init_map } from '../locking/lockdep.js';
import { lockdep_print_held_locks, print_kernel_ident } from '../locking/lockdep-print.js';
import { LD_WAIT_CONFIG, LD_WAIT_FREE, lock_class_key } from '../locking/lockdep-types.js';
import { DECLARE_WAIT_QUEUE_HEAD, wait_event, wake_up_all } from '../locking/wait.js';
import { dump_stack, WARN_ON_ONCE } from '../panic.js';
import { pr_warn } from '../printk.js';
import { register_exit_hook } from '../sched/core.js';
import { might_sleep } from '../sched/might-sleep.js';
import { sim_softirq } from '../sched/preempt.js';
import { current, init_task, run_as, type task_struct } from '../sched/task.js';
import { type StackCapture, stack_capture, stack_frames } from '../stacktrace.js';

/** The lockdep map every reader "holds": it shows as `(rcu_read_lock){....}-{1:2}`. */
export const rcu_lock_map = lockdep_init_map(
  'rcu_read_lock',
  new lock_class_key('rcu_read_lock'),
  LD_WAIT_CONFIG,
  LD_WAIT_FREE,
);

/** A callback queued by call_rcu() (`struct rcu_head`). */
export interface rcu_head {
  func?: (head: rcu_head) => void;
}

interface grace_period {
  /** Tasks whose read-side section was running when the grace period started. */
  readonly waiting: Set<task_struct>;
  readonly callbacks: rcu_head[];
  done: boolean;
}

/** Tasks inside a read-side critical section now. */
const readers = new Set<task_struct>();
/** Grace periods not yet ended, oldest first. */
const pending_gps: grace_period[] = [];
const gp_wq = DECLARE_WAIT_QUEUE_HEAD();
let callbacks_queued = 0;
let callbacks_invoked = 0;
let advance_queued = false;

/** Where each RCU_LOCKDEP_WARN has fired already (once per call site). */
const warned_sites = new Set<string>();

/**
 * `lockdep_rcu_suspicious()`: the lockdep-RCU report. `site` locates the offending call;
 * it is reported once.
 */
function rcu_lockdep_warn(site: StackCapture, what: string): void {
  if (!debug_locks_enabled()) return;
  const f = stack_frames(site)[0];
  const where = f ? `${f.file}:${f.line}` : '(unknown):0';
  const key = f ? `${where}:${f.column}` : where;
  if (warned_sites.has(key)) return;
  warned_sites.add(key);
  pr_warn('\n');
  pr_warn('=============================\n');
  pr_warn('WARNING: suspicious RCU usage\n');
  print_kernel_ident();
  pr_warn('-----------------------------\n');
  pr_warn('%s %s!\n', where, what);
  pr_warn('\n');
  pr_warn('other info that might help us debug this:\n\n');
  pr_warn('\n');
  pr_warn('rcu_scheduler_active = 2, debug_locks = 1\n');
  lockdep_print_held_locks(current());
  pr_warn('\n');
  pr_warn('stack backtrace:\n');
  dump_stack(site);
}

/** Enters a read-side critical section; sections nest. */
export function rcu_read_lock(): void {
  const task = current();
  task.rcu_read_lock_nesting += 1;
  if (task.rcu_read_lock_nesting === 1) readers.add(task);
  lock_acquire(rcu_lock_map, 0, false, 2, false, call_site_of(rcu_read_lock));
}

/** Leaves a read-side critical section; the outermost unlock ends the reader. */
export function rcu_read_unlock(): void {
  const task = current();
  if (WARN_ON_ONCE(task.rcu_read_lock_nesting === 0)) {
    lock_release(rcu_lock_map, call_site_of(rcu_read_unlock));
    return;
  }
  task.rcu_read_lock_nesting -= 1;
  if (task.rcu_read_lock_nesting === 0) rcu_report_qs(task);
  lock_release(rcu_lock_map, call_site_of(rcu_read_unlock));
}

/** Whether the current task is inside a reader (true while lockdep is off, as in C). */
export function rcu_read_lock_held(): boolean {
  if (!debug_locks_enabled()) return true;
  return lock_is_held(rcu_lock_map);
}

/** The reader of `task` ended: it no longer holds up any grace period. */
function rcu_report_qs(task: task_struct): void {
  readers.delete(task);
  for (const gp of pending_gps) gp.waiting.delete(task);
  queue_advance();
}

/** Ends the reader a task exits inside of (`exit_rcu`); lockdep reports the held lock. */
export function exit_rcu(task: task_struct): void {
  if (task.rcu_read_lock_nesting === 0) return;
  task.rcu_read_lock_nesting = 0;
  rcu_report_qs(task);
}

register_exit_hook(exit_rcu);

function queue_advance(): void {
  if (advance_queued) return;
  advance_queued = true;
  queueMicrotask(rcu_gp_advance);
}

/** Ends the grace periods at the head of the queue that wait for nobody. */
function rcu_gp_advance(): void {
  advance_queued = false;
  let ended = false;
  while (pending_gps.length > 0 && pending_gps[0]!.waiting.size === 0) {
    const gp = pending_gps.shift()!;
    gp.done = true;
    ended = true;
    for (const head of gp.callbacks) rcu_do_callback(head);
  }
  if (ended) wake_up_all(gp_wq);
}

function rcu_do_callback(head: rcu_head): void {
  const func = head.func;
  head.func = undefined;
  try {
    if (func) run_as(init_task, () => sim_softirq(() => func(head)));
  } finally {
    callbacks_invoked += 1;
  }
}

function start_gp(): grace_period {
  const gp: grace_period = { waiting: new Set(readers), callbacks: [], done: false };
  pending_gps.push(gp);
  queue_advance();
  return gp;
}

/**
 * Waits until every read-side critical section that had started when it was called has
 * ended. Calling it inside a reader is reported, then deadlocks as in the kernel.
 */
export async function synchronize_rcu(): Promise<void> {
  if (lock_is_held(rcu_lock_map) && debug_locks_enabled()) {
    rcu_lockdep_warn(
      stack_capture(synchronize_rcu),
      'Illegal synchronize_rcu() in RCU read-side critical section',
    );
  }
  might_sleep();
  const gp = start_gp();
  await wait_event(gp_wq, () => gp.done);
}

export const synchronize_rcu_expedited = synchronize_rcu;

/** Calls `func(head)` after a grace period, in softirq context. */
export function call_rcu(head: rcu_head, func: (head: rcu_head) => void): void {
  head.func = func;
  callbacks_queued += 1;
  start_gp().callbacks.push(head);
}

/** Waits until every callback queued with call_rcu() before it has run. */
export async function rcu_barrier(): Promise<void> {
  might_sleep();
  const target = callbacks_queued;
  await wait_event(gp_wq, () => callbacks_invoked >= target);
}

/** An RCU-protected pointer (a `__rcu`-annotated field). */
export class rcu_pointer<T> {
  p: T;
  constructor(p: T) {
    this.p = p;
  }
}

/** Publishes `v`: readers that load the pointer afterwards see `v` fully initialised. */
export function rcu_assign_pointer<T>(ptr: rcu_pointer<T>, v: T): void {
  ptr.p = v;
}

/** Initialises the pointer before any reader can see it (no ordering needed). */
export function RCU_INIT_POINTER<T>(ptr: rcu_pointer<T>, v: T): void {
  ptr.p = v;
}

/** Loads the pointer inside a reader; outside one, lockdep-RCU reports it. */
export function rcu_dereference<T>(ptr: rcu_pointer<T>): T {
  if (!rcu_read_lock_held()) {
    rcu_lockdep_warn(stack_capture(rcu_dereference), 'suspicious rcu_dereference_check() usage');
  }
  return ptr.p;
}

/** rcu_dereference() that is also fine where `c` holds (e.g. the update-side lock is held). */
export function rcu_dereference_check<T>(ptr: rcu_pointer<T>, c: boolean): T {
  if (!c && !rcu_read_lock_held()) {
    rcu_lockdep_warn(
      stack_capture(rcu_dereference_check),
      'suspicious rcu_dereference_check() usage',
    );
  }
  return ptr.p;
}

/** Loads the pointer on the update side, where `c` (the lock is held) must be true. */
export function rcu_dereference_protected<T>(ptr: rcu_pointer<T>, c: boolean): T {
  if (!c) {
    rcu_lockdep_warn(
      stack_capture(rcu_dereference_protected),
      'suspicious rcu_dereference_protected() usage',
    );
  }
  return ptr.p;
}

/** Reads the pointer's value without dereferencing it (e.g. to test for null). */
export function rcu_access_pointer<T>(ptr: rcu_pointer<T>): T {
  return ptr.p;
}

/** Publishes `v` and returns the old pointer, under the update-side condition `c`. */
export function rcu_replace_pointer<T>(ptr: rcu_pointer<T>, v: T, c: boolean): T {
  const old = rcu_dereference_protected(ptr, c);
  rcu_assign_pointer(ptr, v);
  return old;
}

/** Forgets which call sites have warned (for tests; the kernel only resets on boot). */
export function rcu_lockdep_reset(): void {
  warned_sites.clear();
}
