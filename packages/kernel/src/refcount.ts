/**
 * `refcount_t` (include/linux/refcount.h, lib/refcount.c): a reference counter that
 * refuses to overflow or to be used after it reached zero.
 *
 * The counter is an `atomic_t` read as unsigned. Any operation that would take it past
 * `INT_MAX`, increment it from zero, or take it below zero instead *saturates* it at
 * `REFCOUNT_SATURATED` (0xc0000000, half-way through the negative range so that racing
 * operations cannot bring it back to a valid value) and warns once per kind:
 *
 * - `refcount_t: addition on 0; use-after-free.` — refcount_inc()/add() on a dead object;
 * - `refcount_t: saturated; leaking memory.` — an increment past INT_MAX;
 * - `refcount_t: underflow; use-after-free.` — a decrement below zero;
 * - `refcount_t: decrement hit 0; leaking memory.` — refcount_dec() (which may not free)
 *   dropping the last reference.
 *
 * A saturated counter stays saturated: the object leaks, which is safe, instead of being
 * freed while still in use.
 *
 * @example
 * ```ts
 * import { REFCOUNT_INIT, refcount_dec_and_test, refcount_inc, refcount_read } from '@rfl/kernel';
 * const ref = REFCOUNT_INIT(1);
 * refcount_inc(ref);
 * refcount_read(ref) // => 2
 * refcount_dec_and_test(ref) // => false
 * refcount_dec_and_test(ref) // => true
 * ```
 *
 * @module
 */

import {
  atomic_cmpxchg,
  atomic_fetch_add,
  atomic_fetch_sub,
  atomic_read,
  atomic_set,
  atomic_t,
} from './atomic.js';
import { type mutex, mutex_lock, mutex_unlock } from './locking/mutex.js';
import {
  type raw_spinlock_t,
  spin_lock,
  spin_lock_irqsave,
  spin_unlock,
  spin_unlock_irqrestore,
} from './locking/spinlock.js';
import { WARN_ONCE } from './panic.js';
import { might_sleep } from './sched/might-sleep.js';

/** `INT_MAX`: the largest valid count. */
export const REFCOUNT_MAX = 0x7fffffff;
/** `INT_MIN / 2`, read as unsigned: 0xc0000000. */
export const REFCOUNT_SATURATED = 0xc0000000;

/** What went wrong, for refcount_warn_saturate(). */
export enum refcount_saturation_type {
  REFCOUNT_ADD_NOT_ZERO_OVF = 0,
  REFCOUNT_ADD_OVF = 1,
  REFCOUNT_ADD_UAF = 2,
  REFCOUNT_SUB_UAF = 3,
  REFCOUNT_DEC_LEAK = 4,
}

/** A reference count (`refcount_t`). */
export class refcount_t {
  readonly refs: atomic_t;
  constructor(refs: atomic_t = new atomic_t()) {
    this.refs = refs;
  }
}

export function REFCOUNT_INIT(n: number): refcount_t {
  const r = new refcount_t();
  atomic_set(r.refs, n | 0);
  return r;
}

/** The count, as unsigned. A saturated counter reads 0xc0000000. */
export function refcount_read(r: refcount_t): number {
  return atomic_read(r.refs) >>> 0;
}

export function refcount_set(r: refcount_t, n: number): void {
  atomic_set(r.refs, n | 0);
}

/**
 * Saturates the counter and warns (`refcount_warn_saturate`). Each kind of warning is
 * printed once per boot, as the kernel's WARN_ONCE does.
 */
export function refcount_warn_saturate(r: refcount_t, t: refcount_saturation_type): void {
  refcount_set(r, REFCOUNT_SATURATED);
  switch (t) {
    case refcount_saturation_type.REFCOUNT_ADD_NOT_ZERO_OVF:
      WARN_ONCE(true, 'refcount_t: saturated; leaking memory.\n');
      break;
    case refcount_saturation_type.REFCOUNT_ADD_OVF:
      WARN_ONCE(true, 'refcount_t: saturated; leaking memory.\n');
      break;
    case refcount_saturation_type.REFCOUNT_ADD_UAF:
      WARN_ONCE(true, 'refcount_t: addition on 0; use-after-free.\n');
      break;
    case refcount_saturation_type.REFCOUNT_SUB_UAF:
      WARN_ONCE(true, 'refcount_t: underflow; use-after-free.\n');
      break;
    case refcount_saturation_type.REFCOUNT_DEC_LEAK:
      WARN_ONCE(true, 'refcount_t: decrement hit 0; leaking memory.\n');
      break;
  }
}

/**
 * Adds `i` unless the count is zero; returns whether it did. Overflow saturates.
 * (The count of a saturated counter is not zero, so it stays saturated.)
 */
export function refcount_add_not_zero(i: number, r: refcount_t): boolean {
  let old = atomic_read(r.refs);
  for (;;) {
    if (old === 0) break;
    const found = atomic_cmpxchg(r.refs, old, (old + i) | 0);
    if (found === old) break;
    old = found;
  }
  if (old < 0 || old + i > REFCOUNT_MAX) {
    refcount_warn_saturate(r, refcount_saturation_type.REFCOUNT_ADD_NOT_ZERO_OVF);
  }
  return old !== 0;
}

export function refcount_inc_not_zero(r: refcount_t): boolean {
  return refcount_add_not_zero(1, r);
}

/** Adds `i`. Adding to zero is a use-after-free; overflow saturates. */
export function refcount_add(i: number, r: refcount_t): void {
  const old = atomic_fetch_add(i, r.refs);
  if (old === 0) refcount_warn_saturate(r, refcount_saturation_type.REFCOUNT_ADD_UAF);
  else if (old < 0 || old + i > REFCOUNT_MAX) {
    refcount_warn_saturate(r, refcount_saturation_type.REFCOUNT_ADD_OVF);
  }
}

export function refcount_inc(r: refcount_t): void {
  refcount_add(1, r);
}

/**
 * Subtracts `i`; returns true when that dropped the last reference (the caller frees).
 * Going below zero saturates and warns.
 */
export function refcount_sub_and_test(i: number, r: refcount_t): boolean {
  const old = atomic_fetch_sub(i, r.refs);
  if (old === i) return true;
  if (old < 0 || old - i < 0) {
    refcount_warn_saturate(r, refcount_saturation_type.REFCOUNT_SUB_UAF);
  }
  return false;
}

export function refcount_dec_and_test(r: refcount_t): boolean {
  return refcount_sub_and_test(1, r);
}

/** Drops a reference that must not be the last: hitting zero leaks, and warns. */
export function refcount_dec(r: refcount_t): void {
  const old = atomic_fetch_sub(1, r.refs);
  if (old <= 1) refcount_warn_saturate(r, refcount_saturation_type.REFCOUNT_DEC_LEAK);
}

/** Sets the count to 0 if it is exactly 1; returns whether it did. */
export function refcount_dec_if_one(r: refcount_t): boolean {
  return atomic_cmpxchg(r.refs, 1, 0) === 1;
}

/**
 * Decrements unless the count is 1 (so the caller can take a lock before dropping the
 * last reference); returns false when it is 1. A saturated counter stays put.
 */
export function refcount_dec_not_one(r: refcount_t): boolean {
  let val = atomic_read(r.refs) >>> 0;
  for (;;) {
    if (val === REFCOUNT_SATURATED) return true;
    if (val === 1) return false;
    const next = (val - 1) >>> 0;
    if (next > val) {
      WARN_ONCE(true, 'refcount_t: underflow; use-after-free.\n');
      return true;
    }
    const found = atomic_cmpxchg(r.refs, val | 0, next | 0) >>> 0;
    if (found === val) return true;
    val = found;
  }
}

/**
 * Drops a reference and, if it was the last, returns true with `lock` held; otherwise
 * returns false without taking it.
 */
export function refcount_dec_and_lock(r: refcount_t, lock: raw_spinlock_t): boolean {
  if (refcount_dec_not_one(r)) return false;
  spin_lock(lock);
  if (!refcount_dec_and_test(r)) {
    spin_unlock(lock);
    return false;
  }
  return true;
}

/**
 * refcount_dec_and_lock() with interrupts saved and disabled: returns the flags to
 * restore when the lock was taken, `undefined` when it was not.
 */
export function refcount_dec_and_lock_irqsave(
  r: refcount_t,
  lock: raw_spinlock_t,
): number | undefined {
  if (refcount_dec_not_one(r)) return undefined;
  const flags = spin_lock_irqsave(lock);
  if (!refcount_dec_and_test(r)) {
    spin_unlock_irqrestore(lock, flags);
    return undefined;
  }
  return flags;
}

/** refcount_dec_and_lock() with a mutex; may sleep. */
export async function refcount_dec_and_mutex_lock(r: refcount_t, lock: mutex): Promise<boolean> {
  might_sleep();
  if (refcount_dec_not_one(r)) return false;
  await mutex_lock(lock);
  if (!refcount_dec_and_test(r)) {
    mutex_unlock(lock);
    return false;
  }
  return true;
}
