/**
 * `struct mutex` (kernel/locking/mutex.c) with CONFIG_DEBUG_MUTEXES and lockdep.
 *
 * A mutex sleeps when it is contended, so taking one is `await mutex_lock(m)` and calls
 * `might_sleep()` first. Only the owner may unlock it. Waiters queue in order and the
 * unlocker hands the mutex to the first of them; the kernel lets a woken waiter race
 * with newcomers (and spin), which changes who wins but no rule a caller may rely on.
 *
 * @example
 * ```ts
 * import { DEFINE_MUTEX, mutex_is_locked, mutex_lock, mutex_unlock } from '@rfl/kernel';
 * const foxes_mutex = DEFINE_MUTEX('foxes_mutex');
 * await mutex_lock(foxes_mutex);
 * mutex_is_locked(foxes_mutex) // => true
 * mutex_unlock(foxes_mutex);
 * mutex_is_locked(foxes_mutex) // => false
 * ```
 *
 * @module
 */

import { EINTR } from '../errno.js';
import {
  __set_current_state,
  schedule,
  set_current_state,
  wake_up_process,
} from '../sched/core.js';
import { might_sleep } from '../sched/might-sleep.js';
import { signal_pending_state } from '../sched/signal.js';
import {
  current,
  TASK_INTERRUPTIBLE,
  TASK_KILLABLE,
  TASK_RUNNING,
  TASK_UNINTERRUPTIBLE,
  type task_struct,
} from '../sched/task.js';
import { stack_capture } from '../stacktrace.js';
import { type call_site, call_site_of } from './call-site.js';
import { DEBUG_LOCKS_WARN_ON } from './debug-locks.js';
import { lock_acquire, lock_release, lockdep_init_map, lockdep_site_key } from './lockdep.js';
import { LD_WAIT_SLEEP, lock_class_key, type lockdep_map } from './lockdep-types.js';

/**
 * A sleeping lock.
 *
 * # Invariants
 *
 * `owner` is the task holding the mutex (undefined when free); every task in `wait_list`
 * sleeps in mutex_lock*() on this mutex.
 */
export class mutex {
  owner: task_struct | undefined;
  readonly wait_list: task_struct[] = [];
  dep_map: lockdep_map | undefined;
  /** Points at the mutex itself once initialised (DEBUG_MUTEXES' `magic`). */
  magic: mutex | undefined;
}

/** Initialises `lock`; its lockdep class is this call site, printed as `name`. */
export function mutex_init(lock: mutex, name = '&mutex', key?: lock_class_key): void {
  lock.owner = undefined;
  lock.wait_list.length = 0;
  lock.magic = lock;
  lock.dep_map = lockdep_init_map(
    name,
    key ?? lockdep_site_key(stack_capture(mutex_init)),
    LD_WAIT_SLEEP,
  );
}

/** A statically initialised mutex named `name`: a lockdep class of its own, as in C. */
export function DEFINE_MUTEX(name: string): mutex {
  const lock = new mutex();
  mutex_init(lock, name, new lock_class_key(name));
  return lock;
}

function check_init(lock: mutex): void {
  if (DEBUG_LOCKS_WARN_ON(lock.magic !== lock, 'lock->magic != lock')) {
    mutex_init(lock, '&mutex', lockdep_site_key(stack_capture(check_init)));
  }
}

async function __mutex_lock_common(
  lock: mutex,
  state: number,
  subclass: number,
  site: call_site,
): Promise<number> {
  might_sleep();
  check_init(lock);
  const task = current();
  lock_acquire(lock.dep_map!, subclass, false, 0, true, site);
  if (lock.owner === undefined) {
    lock.owner = task;
    return 0;
  }
  lock.wait_list.push(task);
  for (;;) {
    // The unlocker hands the mutex over before waking us.
    if (lock.owner === task) break;
    if (signal_pending_state(state, task)) {
      lock.wait_list.splice(lock.wait_list.indexOf(task), 1);
      __set_current_state(TASK_RUNNING);
      lock_release(lock.dep_map!, site);
      return -EINTR;
    }
    set_current_state(state);
    if (lock.owner === task) break;
    await schedule();
  }
  __set_current_state(TASK_RUNNING);
  return 0;
}

/** Takes the mutex, sleeping uninterruptibly until it is free. */
export async function mutex_lock(lock: mutex): Promise<void> {
  await __mutex_lock_common(lock, TASK_UNINTERRUPTIBLE, 0, call_site_of(mutex_lock));
}

/** mutex_lock() with a lockdep subclass, for nesting two mutexes of one class in order. */
export async function mutex_lock_nested(lock: mutex, subclass: number): Promise<void> {
  await __mutex_lock_common(lock, TASK_UNINTERRUPTIBLE, subclass, call_site_of(mutex_lock_nested));
}

/**
 * Takes the mutex, or returns -EINTR if a signal arrives while waiting for it (or is
 * already pending when it would have to wait). Returns 0 when the mutex is held.
 */
export function mutex_lock_interruptible(lock: mutex): Promise<number> {
  return __mutex_lock_common(lock, TASK_INTERRUPTIBLE, 0, call_site_of(mutex_lock_interruptible));
}

/** Like mutex_lock_interruptible() but only a fatal signal (SIGKILL) interrupts. */
export function mutex_lock_killable(lock: mutex): Promise<number> {
  return __mutex_lock_common(lock, TASK_KILLABLE, 0, call_site_of(mutex_lock_killable));
}

/** Takes the mutex if it is free; returns 1 if it did, 0 if not. Never sleeps. */
export function mutex_trylock(lock: mutex): number {
  check_init(lock);
  if (lock.owner !== undefined) return 0;
  lock.owner = current();
  lock_acquire(lock.dep_map!, 0, true, 0, true, call_site_of(mutex_trylock));
  return 1;
}

/**
 * Releases the mutex and hands it to the first waiter. Releasing a mutex the current task
 * does not hold is a bug: lockdep reports the bad unlock balance, DEBUG_MUTEXES the owner.
 */
export function mutex_unlock(lock: mutex): void {
  check_init(lock);
  lock_release(lock.dep_map!, call_site_of(mutex_unlock));
  DEBUG_LOCKS_WARN_ON(lock.owner !== current(), '__owner_task(owner) != current');
  const next = lock.wait_list.shift();
  lock.owner = next;
  if (next !== undefined) wake_up_process(next);
}

export function mutex_is_locked(lock: mutex): boolean {
  return lock.owner !== undefined;
}

/** Marks the mutex unusable; destroying a locked mutex is reported. */
export function mutex_destroy(lock: mutex): void {
  DEBUG_LOCKS_WARN_ON(mutex_is_locked(lock), 'mutex_is_locked(lock)');
  lock.magic = undefined;
}
