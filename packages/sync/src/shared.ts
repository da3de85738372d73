/**
 * A type whose methods are meant to be called through a shared reference (Rust's
 * `UnsafeCell` inside: locks, condition variables, atomics, `Revocable`): {@link Shared} leaves
 * it as it is instead of making it read-only.
 *
 * @example
 * ```ts
 * import { InteriorMutable, Mutex } from '@rfl/sync';
 * const m: InteriorMutable = Mutex.new(0);
 * m instanceof InteriorMutable // => true
 * ```
 *
 * A plain object is not, whatever its shape:
 * ```ts compile_fail=TS2741
 * import type { InteriorMutable } from '@rfl/sync';
 * const m: InteriorMutable = {};
 * ```
 */
export abstract class InteriorMutable {
  /** The brand that makes the type nominal. */
  protected readonly interiorMutable = true;
}

/**
 * What a shared reference (`&T`) to a `T` allows: read-only fields, unless `T` is
 * {@link InteriorMutable}. `Arc.value` and `ArcBorrow.value` are `Shared<T>`.
 *
 * @example
 * ```ts
 * import { Arc, type Shared } from '@rfl/sync';
 * import { GFP_KERNEL } from '@rfl/alloc';
 * using a = Arc.new({ speed: 3 }, GFP_KERNEL);
 * const s: Shared<{ speed: number }> = a.value;
 * s.speed // => 3
 * ```
 *
 * ```ts compile_fail=TS2540
 * import { Arc } from '@rfl/sync';
 * import { GFP_KERNEL } from '@rfl/alloc';
 * const a = Arc.new({ speed: 3 }, GFP_KERNEL);
 * a.value.speed = 4;
 * ```
 */
export type Shared<T> = T extends InteriorMutable ? T : T extends object ? Readonly<T> : T;
