/**
 * `struct kref` (include/linux/kref.h): the reference count embedded in an
 * object whose last put calls a release function. It is a `refcount_t`, so a
 * get on a dead object or a put too many saturates and warns instead of
 * resurrecting or double-freeing the object.
 *
 * @example
 * ```ts
 * import { kref, kref_get, kref_init, kref_put, kref_read } from '@rfl/kernel';
 * const fox = { ref: new kref(), freed: false };
 * kref_init(fox.ref);
 * kref_get(fox.ref);
 * kref_put(fox.ref, () => { fox.freed = true; }) // => 0
 * kref_put(fox.ref, () => { fox.freed = true; }) // => 1
 * fox.freed // => true
 * kref_read(fox.ref) // => 0
 * ```
 *
 * @module
 */

import {
  refcount_dec_and_test,
  refcount_inc,
  refcount_inc_not_zero,
  refcount_read,
  refcount_set,
  refcount_t,
} from '../refcount.js';

/** `struct kref`: zero until {@link kref_init}. */
export class kref {
  readonly refcount = new refcount_t();
}

/** Sets the count to 1: the reference of whoever initialised the object. */
export function kref_init(k: kref): void {
  refcount_set(k.refcount, 1);
}

export function kref_read(k: kref): number {
  return refcount_read(k.refcount);
}

/** Takes a reference; on a count of zero it warns `refcount_t: addition on 0; use-after-free.` */
export function kref_get(k: kref): void {
  refcount_inc(k.refcount);
}

/** Takes a reference unless the object is already on its way out; returns whether it did. */
export function kref_get_unless_zero(k: kref): boolean {
  return refcount_inc_not_zero(k.refcount);
}

/**
 * Drops a reference; the last one calls `release(k)`. Returns 1 when it released
 * the object, 0 otherwise, as the C function does.
 */
export function kref_put(k: kref, release: (k: kref) => void): number {
  if (refcount_dec_and_test(k.refcount)) {
    release(k);
    return 1;
  }
  return 0;
}
