/**
 * Spinlocks: `spinlock_t` and `raw_spinlock_t` (include/linux/spinlock.h) with
 * CONFIG_DEBUG_SPINLOCK and lockdep.
 *
 * Taking a spinlock disables preemption (and, for the `_irq`/`_irqsave` forms, interrupts;
 * for `_bh`, softirqs) until it is released: the holder must not sleep, and
 * `might_sleep()` reports if it tries. On the one simulated CPU a spinlock is never
 * contended by a running task: a lock found held means its holder slept with it (already
 * reported as `scheduling while atomic`) or was interrupted by the caller. The real
 * kernel would spin forever; the simulation prints the soft-lockup report the watchdog
 * would print and throws an {@link Oops}, killing the spinning task.
 *
 * @example
 * ```ts
 * import { DEFINE_SPINLOCK, spin_lock, spin_unlock, in_atomic } from '@rfl/kernel';
 * const foxes_lock = DEFINE_SPINLOCK('foxes_lock');
 * spin_lock(foxes_lock);
 * in_atomic() // => true
 * spin_unlock(foxes_lock);
 * in_atomic() // => false
 * ```
 *
 * @module
 */

import { add_taint, dump_stack, Oops, TAINT_SOFTLOCKUP } from '../panic.js';
import { pr_emerg, printk } from '../printk.js';
import {
  local_bh_disable,
  local_bh_enable,
  local_irq_disable,
  local_irq_enable,
  local_irq_restore,
  local_irq_save,
  PREEMPT_OFFSET,
  preempt_count_add,
  preempt_count_sub,
} from '../sched/preempt.js';
import { current, current_cached, type task_struct } from '../sched/task.js';
import { stack_capture } from '../stacktrace.js';
import { type call_site, call_site_of } from './call-site.js';
import { debug_locks_enabled, debug_locks_off } from './debug-locks.js';
import { lock_acquire, lock_release, lockdep_init_map, lockdep_site_key } from './lockdep.js';
import { LD_WAIT_CONFIG, LD_WAIT_SPIN, lock_class_key, type lockdep_map } from './lockdep-types.js';

/** `SPINLOCK_MAGIC`: set by initialisation, checked by every operation. */
export const SPINLOCK_MAGIC = 0xdead4ead;

/**
 * A spinning lock. Initialise it with spin_lock_init() (or make it with
 * DEFINE_SPINLOCK()) before use.
 *
 * # Invariants
 *
 * `owner` is the task that holds the lock, `undefined` when it is free.
 */
export class raw_spinlock_t {
  magic = 0;
  owner: task_struct | undefined;
  dep_map: lockdep_map | undefined;
  /** LD_WAIT_SPIN: a true spinning lock even on PREEMPT_RT. */
  protected readonly wait_type: number = LD_WAIT_SPIN;

  /** Sets up the lock as `*_lock_init` does (internal; use spin_lock_init). */
  __init(name: string, key: lock_class_key): void {
    this.magic = SPINLOCK_MAGIC;
    this.owner = undefined;
    this.dep_map = lockdep_init_map(name, key, this.wait_type);
  }
}

/** The common spinlock (LD_WAIT_CONFIG: it would sleep on PREEMPT_RT). */
export class spinlock_t extends raw_spinlock_t {
  protected override readonly wait_type: number = LD_WAIT_CONFIG;
}

/**
 * Initialises `lock`. Its lockdep class is this call site; `name` is how reports print it
 * (the kernel prints the stringified argument, e.g. `&priv->lock`).
 */
export function spin_lock_init(lock: raw_spinlock_t, name = '&lock', key?: lock_class_key): void {
  lock.__init(name, key ?? lockdep_site_key(stack_capture(spin_lock_init)));
}

export const raw_spin_lock_init = spin_lock_init;

/**
 * A statically initialised spinlock named `name`. Like a static lock in C, whose address
 * is its lockdep key, each one is a class of its own.
 */
export function DEFINE_SPINLOCK(name: string): spinlock_t {
  const lock = new spinlock_t();
  lock.__init(name, new lock_class_key(name));
  return lock;
}

export function DEFINE_RAW_SPINLOCK(name: string): raw_spinlock_t {
  const lock = new raw_spinlock_t();
  lock.__init(name, new lock_class_key(name));
  return lock;
}

/** `spin_bug()`: the DEBUG_SPINLOCK report, printed only while lock debugging is on. */
function spin_bug(lock: raw_spinlock_t, msg: string, site: call_site): void {
  if (!debug_locks_off()) return;
  const task = current();
  printk('\x013BUG: spinlock %s on CPU#0, %s/%d\n', msg, task.comm, task.pid);
  const owner = lock.owner;
  printk(
    '\x013 lock: %s, .magic: %08x, .owner: %s/%d, .owner_cpu: %d\n',
    lock.dep_map?.name ?? '(uninitialised)',
    lock.magic,
    owner ? owner.comm : '<none>',
    owner ? owner.pid : -1,
    owner ? 0 : -1,
  );
  dump_stack(site.full());
}

function check_magic(lock: raw_spinlock_t, site: call_site): void {
  if (lock.magic !== SPINLOCK_MAGIC) {
    spin_bug(lock, 'bad magic', site);
    lock.__init('&lock', lockdep_site_key(site.full()));
  }
}

/** The watchdog's view of a CPU that spins on a lock nobody will release. */
function soft_lockup(lock: raw_spinlock_t, site: call_site): never {
  const task = current();
  if (lock.owner === task) spin_bug(lock, 'recursion', site);
  else spin_bug(lock, 'lockup suspected', site);
  pr_emerg('watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [%s:%d]\n', task.comm, task.pid);
  dump_stack(site.full());
  add_taint(TAINT_SOFTLOCKUP);
  throw new Oops(`soft lockup spinning on ${lock.dep_map?.name ?? 'a spinlock'}`);
}

function do_raw_spin_lock(lock: raw_spinlock_t, subclass: number, site: call_site): void {
  check_magic(lock, site);
  preempt_count_add(PREEMPT_OFFSET, site);
  lock_acquire(lock.dep_map!, subclass, false, 0, true, site);
  if (lock.owner !== undefined) {
    lock_release(lock.dep_map!, site);
    preempt_count_sub(PREEMPT_OFFSET);
    soft_lockup(lock, site);
  }
  lock.owner = current();
}

function do_raw_spin_unlock(lock: raw_spinlock_t, site: call_site): void {
  check_magic(lock, site);
  lock_release(lock.dep_map!, site);
  if (lock.owner === undefined) spin_bug(lock, 'already unlocked', site);
  else if (lock.owner !== current()) spin_bug(lock, 'wrong owner', site);
  lock.owner = undefined;
  preempt_count_sub(PREEMPT_OFFSET);
}

function do_raw_spin_trylock(lock: raw_spinlock_t, site: call_site): number {
  check_magic(lock, site);
  if (lock.owner !== undefined) return 0;
  preempt_count_add(PREEMPT_OFFSET, site);
  lock_acquire(lock.dep_map!, 0, true, 0, true, site);
  lock.owner = current();
  return 1;
}

/*
 * The fast paths. With lock debugging off (`debug_locks_off()`: after the first report, or
 * set so to stand for a kernel built without lock debugging) nothing on the way reads a call
 * site: lockdep's lock_acquire()/lock_release() return at once, `preempt_disable_ip` is not
 * recorded, spin_bug() prints nothing. What remains is the lock word (`owner`) and the
 * preempt count, which these do directly, with one current() and no call_site. Anything
 * unusual - bad magic, a held lock, an unlock by another task or with a zero preempt count -
 * takes the full path, which handles it exactly as before.
 */

// What the fast paths read, as module-private constants. V8 checks on every read of an
// imported or exported binding that it is initialised, and the throwing path of that check
// keeps it from optimising away a short-lived object live across the call - the guard of
// `SpinLock` in @rfl/sync, whose dispose calls spin_unlock().
const fast_current = current;
const fast_current_cached = current_cached;
const fast_debug_locks_enabled = debug_locks_enabled;
const MAGIC = SPINLOCK_MAGIC;
/** PREEMPT_OFFSET (a copy: an imported constant could still be uninitialised here). */
const OFFSET = 0x1;

/** Takes a free, healthy lock while debugging is off; false if the full path must run. */
function fast_spin_lock(lock: raw_spinlock_t): boolean {
  if (fast_debug_locks_enabled() || lock.magic !== MAGIC || lock.owner !== undefined) {
    return false;
  }
  const task = fast_current();
  task.preempt_count += OFFSET;
  lock.owner = task;
  return true;
}

/** Releases a lock the current task holds while debugging is off; false otherwise. */
function fast_spin_unlock(lock: raw_spinlock_t): boolean {
  if (fast_debug_locks_enabled() || lock.magic !== MAGIC) return false;
  const task = fast_current_cached();
  if (task === undefined || lock.owner !== task || task.preempt_count < OFFSET) return false;
  lock.owner = undefined;
  task.preempt_count -= OFFSET;
  return true;
}

export function spin_lock(lock: raw_spinlock_t): void {
  if (!fast_spin_lock(lock)) slow_spin_lock(lock);
}

// The full paths in functions of their own, for the same reason as the constants above: they
// read exported and imported bindings.
function slow_spin_lock(lock: raw_spinlock_t): void {
  do_raw_spin_lock(lock, 0, call_site_of(spin_lock));
}

function slow_spin_unlock(lock: raw_spinlock_t): void {
  do_raw_spin_unlock(lock, call_site_of(spin_unlock));
}

/** spin_lock() with a lockdep subclass, for nesting two locks of one class in order. */
export function spin_lock_nested(lock: raw_spinlock_t, subclass: number): void {
  do_raw_spin_lock(lock, subclass, call_site_of(spin_lock_nested));
}

export function spin_unlock(lock: raw_spinlock_t): void {
  if (!fast_spin_unlock(lock)) slow_spin_unlock(lock);
}

/** Takes the lock if it is free; returns 1 if it did, 0 if not. */
export function spin_trylock(lock: raw_spinlock_t): number {
  return do_raw_spin_trylock(lock, call_site_of(spin_trylock));
}

/** Disables interrupts, then takes the lock. For code that runs with interrupts on. */
export function spin_lock_irq(lock: raw_spinlock_t): void {
  const site = call_site_of(spin_lock_irq);
  local_irq_disable(site);
  do_raw_spin_lock(lock, 0, site);
}

export function spin_unlock_irq(lock: raw_spinlock_t): void {
  const site = call_site_of(spin_unlock_irq);
  do_raw_spin_unlock(lock, site);
  local_irq_enable(site);
}

/** Saves the interrupt state, disables interrupts and takes the lock; returns the flags. */
export function spin_lock_irqsave(lock: raw_spinlock_t): number {
  const site = call_site_of(spin_lock_irqsave);
  const flags = local_irq_save(site);
  do_raw_spin_lock(lock, 0, site);
  return flags;
}

export function spin_unlock_irqrestore(lock: raw_spinlock_t, flags: number): void {
  const site = call_site_of(spin_unlock_irqrestore);
  do_raw_spin_unlock(lock, site);
  local_irq_restore(flags, site);
}

/** Disables softirqs, then takes the lock: for data shared with a timer or tasklet. */
export function spin_lock_bh(lock: raw_spinlock_t): void {
  const site = call_site_of(spin_lock_bh);
  local_bh_disable(site);
  do_raw_spin_lock(lock, 0, site);
}

export function spin_unlock_bh(lock: raw_spinlock_t): void {
  const site = call_site_of(spin_unlock_bh);
  do_raw_spin_unlock(lock, site);
  local_bh_enable(site);
}

export function spin_trylock_irqsave(lock: raw_spinlock_t): { locked: number; flags: number } {
  const site = call_site_of(spin_trylock_irqsave);
  const flags = local_irq_save(site);
  const locked = do_raw_spin_trylock(lock, site);
  if (!locked) local_irq_restore(flags, site);
  return { locked, flags };
}

export function spin_trylock_bh(lock: raw_spinlock_t): number {
  const site = call_site_of(spin_trylock_bh);
  local_bh_disable(site);
  const locked = do_raw_spin_trylock(lock, site);
  if (!locked) local_bh_enable(site);
  return locked;
}

export function spin_is_locked(lock: raw_spinlock_t): boolean {
  return lock.owner !== undefined;
}

export const raw_spin_lock = spin_lock;
export const raw_spin_unlock = spin_unlock;
export const raw_spin_trylock = spin_trylock;
export const raw_spin_lock_irq = spin_lock_irq;
export const raw_spin_unlock_irq = spin_unlock_irq;
export const raw_spin_lock_irqsave = spin_lock_irqsave;
export const raw_spin_unlock_irqrestore = spin_unlock_irqrestore;
export const raw_spin_is_locked = spin_is_locked;
