import type { Flags } from '@rfl/alloc';
import { Kmalloc } from '@rfl/alloc';
import {
  __pa,
  atomic_t,
  phys_mem,
  refcount_dec_and_test,
  refcount_set,
  refcount_t,
} from '@rfl/kernel';
import { drop, move } from '@rfl/types';

/** Size of `ArcInner`: the strong count, the weak count and one word standing for the value. */
export const ARC_INNER_SIZE = 16;

/**
 * The shared part of an `Arc`: two `refcount_t`s in kmalloc memory — so a saturated or
 * underflowed count is the kernel's own report — and the value, kept on the JavaScript side.
 *
 * # Invariants
 *
 * `weak` counts the `Weak` handles plus one for all strong references together; the memory is
 * freed when it reaches zero. `value` is dropped when `strong` reaches zero.
 */
export interface ArcInner<T> {
  readonly addr: number;
  readonly strong: refcount_t;
  readonly weak: refcount_t;
  value: T;
  dropped: boolean;
}

function counter(addr: number, offset: number, n: number): refcount_t {
  // SAFETY: `addr` is a live, 8-aligned kmalloc object of ARC_INNER_SIZE bytes, so the word at
  // `offset` is inside it and 4-aligned.
  const r = new refcount_t(atomic_t.at(phys_mem, __pa(addr) + offset));
  refcount_set(r, n);
  return r;
}

export function innerNew<T>(value: T, flags: Flags): ArcInner<T> {
  const addr = Kmalloc.alloc(ARC_INNER_SIZE, 8, flags);
  return {
    addr,
    strong: counter(addr, 0, 1),
    weak: counter(addr, 4, 1),
    value: move(value),
    dropped: false,
  };
}

/** Drops one strong reference: the value goes with the last one, the memory with the last weak. */
export function innerDropStrong<T>(inner: ArcInner<T>): void {
  if (!refcount_dec_and_test(inner.strong)) return;
  innerDropValue(inner);
}

export function innerDropValue<T>(inner: ArcInner<T>): void {
  inner.dropped = true;
  const value = inner.value;
  inner.value = undefined as T;
  drop(value);
  innerDropWeak(inner);
}

export function innerDropWeak<T>(inner: ArcInner<T>): void {
  if (refcount_dec_and_test(inner.weak)) Kmalloc.free(inner.addr, ARC_INNER_SIZE);
}
