/**
 * `include/linux/err.h`: returning an errno through a pointer-valued result.
 *
 * The kernel reserves the top 4095 addresses of the address space for error
 * pointers. Kernel addresses in this simulation are positive numbers, so an
 * error pointer is simply the negative errno itself: `ERR_PTR(-ENOMEM) === -12`.
 *
 * @example
 * ```ts
 * import { ENOMEM, ERR_PTR, IS_ERR, PTR_ERR } from '@rfl/kernel';
 * const p = ERR_PTR(-ENOMEM);
 * IS_ERR(p) // => true
 * PTR_ERR(p) // => -12
 * IS_ERR(0x888000001000) // => false
 * ```
 *
 * @module
 */

import { MAX_ERRNO } from './errno.js';

/** Encodes a negative errno (`-MAX_ERRNO..-1`) as an error pointer. */
export function ERR_PTR(error: number): number {
  return error;
}

/** The negative errno an error pointer carries. */
export function PTR_ERR(ptr: number): number {
  return ptr;
}

/** Whether `ptr` is an error pointer. */
export function IS_ERR(ptr: number): boolean {
  return ptr < 0 && ptr >= -MAX_ERRNO;
}

/** Whether `ptr` is `NULL` (0) or an error pointer. */
export function IS_ERR_OR_NULL(ptr: number): boolean {
  return ptr === 0 || IS_ERR(ptr);
}

/** The negative errno if `ptr` is an error pointer, else 0. */
export function PTR_ERR_OR_ZERO(ptr: number): number {
  return IS_ERR(ptr) ? ptr : 0;
}

/** Passes an error pointer on as a pointer of another type (a no-op here). */
export function ERR_CAST(ptr: number): number {
  return ptr;
}
