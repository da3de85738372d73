import { refcount_inc, refcount_inc_not_zero, refcount_read } from '@rfl/kernel';
import { useOfMovedValue } from '@rfl/types';
import { Arc } from './arc.js';
import { type ArcInner, innerDropWeak } from './inner.js';

/**
 * A weak reference to an `Arc`'s value: it keeps the allocation, not the value, alive, and
 * must be upgraded to an `Arc` before use; the upgrade fails once the last strong reference is
 * gone — an increment that never goes from 0 to 1 (`refcount_inc_not_zero`).
 *
 * This is an extension: the kernel crate's `Arc` has no weak references (they cost a second
 * count per object). It follows the idiom described on the kernel-summit list for lookup
 * structures that must not keep their objects alive.
 *
 * @example
 * ```ts
 * import { Arc } from '@rfl/sync';
 * import { GFP_KERNEL } from '@rfl/alloc';
 * const a = Arc.new('fox', GFP_KERNEL);
 * using w = a.downgrade();
 * w.strongCount() // => 1
 * a[Symbol.dispose]();
 * w.upgrade() // => null
 * ```
 */
export class Weak<T> implements Disposable {
  #inner: ArcInner<T> | null;

  /** @internal */
  constructor(inner: ArcInner<T>) {
    this.#inner = inner;
  }

  #live(use: string): ArcInner<T> {
    if (this.#inner === null) throw useOfMovedValue('Weak', use);
    return this.#inner;
  }

  /**
   * A strong reference, or `null` if the value was already dropped.
   *
   * @example
   * ```ts
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * using a = Arc.new(1, GFP_KERNEL);
   * using w = a.downgrade();
   * using b = w.upgrade();
   * b !== null && Arc.ptrEq(a, b) // => true
   * ```
   */
  upgrade(): Arc<T> | null {
    const inner = this.#live('upgrade');
    return refcount_inc_not_zero(inner.strong) ? new Arc(inner) : null;
  }

  /**
   * The number of strong references (0 once the value is gone).
   *
   * @example
   * ```ts
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * using a = Arc.new(1, GFP_KERNEL);
   * using b = a.clone();
   * using w = a.downgrade();
   * w.strongCount() // => 2
   * ```
   */
  strongCount(): number {
    const inner = this.#live('strong_count');
    return inner.dropped ? 0 : refcount_read(inner.strong);
  }

  /**
   * Another weak reference.
   *
   * @example
   * ```ts
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * using a = Arc.new(1, GFP_KERNEL);
   * using w = a.downgrade();
   * using v = w.clone();
   * v.upgrade()?.value // => 1
   * ```
   */
  clone(): Weak<T> {
    const inner = this.#live('clone');
    refcount_inc(inner.weak);
    return new Weak(inner);
  }

  /**
   * Drops the weak reference; the last reference of either kind frees the memory.
   *
   * @example
   * ```ts
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * import { find_kmem_cache } from '@rfl/kernel';
   * const slab = find_kmem_cache('kmalloc-16')!;
   * const a = Arc.new(1, GFP_KERNEL);
   * const w = a.downgrade();
   * const inuse = slab.inuse;
   * a[Symbol.dispose]();
   * slab.inuse - inuse // => 0
   * w[Symbol.dispose]();
   * w[Symbol.dispose]();
   * slab.inuse - inuse // => -1
   * ```
   */
  [Symbol.dispose](): void {
    const inner = this.#inner;
    if (inner === null) return;
    this.#inner = null;
    innerDropWeak(inner);
  }
}
