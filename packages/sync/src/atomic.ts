import {
  ATOMIC_INIT,
  ATOMIC64_INIT,
  atomic_add,
  atomic_cmpxchg,
  atomic_fetch_add,
  atomic_read,
  atomic_set,
  type atomic_t,
  atomic_xchg,
  atomic64_add,
  atomic64_cmpxchg,
  atomic64_fetch_add,
  atomic64_read,
  atomic64_set,
  type atomic64_t,
  atomic64_xchg,
} from '@rfl/kernel';
import { InteriorMutable } from './shared.js';

declare const ordering: unique symbol;

/**
 * A memory ordering (`kernel::sync::atomic::ordering`). Each operation states the orderings
 * it accepts in its type: a load cannot be `Release`, a store cannot be `Acquire`.
 *
 * @example
 * ```ts
 * import { Acquire, type Ordering } from '@rfl/sync';
 * const o: Ordering<'Acquire'> = Acquire;
 * o.name // => 'Acquire'
 * ```
 */
export type Ordering<N extends string> = { readonly name: N; readonly [ordering]: N };

function ord<N extends string>(name: N): Ordering<N> {
  return Object.freeze({ name }) as Ordering<N>;
}

/**
 * No ordering beyond the atomicity of the access itself.
 *
 * @example
 * ```ts
 * import { Relaxed } from '@rfl/sync';
 * Relaxed.name // => 'Relaxed'
 * ```
 */
export const Relaxed: Ordering<'Relaxed'> = ord('Relaxed');
/**
 * Later accesses stay after this load (`smp_load_acquire`).
 *
 * @example
 * ```ts
 * import { Acquire } from '@rfl/sync';
 * Acquire.name // => 'Acquire'
 * ```
 */
export const Acquire: Ordering<'Acquire'> = ord('Acquire');
/**
 * Earlier accesses stay before this store (`smp_store_release`).
 *
 * @example
 * ```ts
 * import { Release } from '@rfl/sync';
 * Release.name // => 'Release'
 * ```
 */
export const Release: Ordering<'Release'> = ord('Release');
/**
 * Fully ordered, as the kernel's value-returning atomics are.
 *
 * @example
 * ```ts
 * import { Full } from '@rfl/sync';
 * Full.name // => 'Full'
 * ```
 */
export const Full: Ordering<'Full'> = ord('Full');

type LoadOrdering = Ordering<'Relaxed'> | Ordering<'Acquire'>;
type StoreOrdering = Ordering<'Relaxed'> | Ordering<'Release'>;
type AnyOrdering = Ordering<'Relaxed' | 'Acquire' | 'Release' | 'Full'>;

/**
 * An atomic integer (`Atomic<T>`) over `atomic_t` (32-bit, `number`) or `atomic64_t` (64-bit,
 * `bigint`). The simulation runs one CPU, so every ordering behaves as `Full`; the orderings
 * are still required, and checked by type, so code states what it relies on.
 *
 * @example
 * ```ts
 * import { Acquire, Atomic, Full, Relaxed, Release } from '@rfl/sync';
 * const a = Atomic.new(10);
 * a.store(20, Release);
 * a.load(Acquire) // => 20
 * a.fetchAdd(5, Full) // => 20
 * a.xchg(1, Relaxed) // => 25
 * a.cmpxchg(1, 2, Full) // => { ok: true, value: 1 }
 * a.cmpxchg(1, 3, Full) // => { ok: false, value: 2 }
 * const b = Atomic.new64(1n << 40n);
 * b.add(1n, Relaxed);
 * b.load(Relaxed) // => (1n << 40n) + 1n
 * ```
 *
 * ```ts compile_fail=TS2345
 * import { Atomic, Release } from '@rfl/sync';
 * Atomic.new(0).load(Release);
 * ```
 *
 * ```ts compile_fail=TS2345
 * import { Acquire, Atomic } from '@rfl/sync';
 * Atomic.new(0).store(1, Acquire);
 * ```
 */
export class Atomic<T extends number | bigint> extends InteriorMutable {
  readonly #v32: atomic_t | null;
  readonly #v64: atomic64_t | null;

  private constructor(v32: atomic_t | null, v64: atomic64_t | null) {
    super();
    this.#v32 = v32;
    this.#v64 = v64;
  }

  /**
   * A 32-bit atomic holding `v` (wrapping as `atomic_t` does).
   *
   * @example
   * ```ts
   * import { Atomic, Relaxed } from '@rfl/sync';
   * const a = Atomic.new(0x7fffffff);
   * a.add(1, Relaxed);
   * a.load(Relaxed) // => -0x80000000
   * ```
   */
  static new(v: number): Atomic<number> {
    return new Atomic<number>(ATOMIC_INIT(v), null);
  }

  /**
   * A 64-bit atomic holding `v`.
   *
   * @example
   * ```ts
   * import { Atomic, Relaxed } from '@rfl/sync';
   * Atomic.new64(-1n).load(Relaxed) // => -1n
   * ```
   */
  static new64(v: bigint): Atomic<bigint> {
    return new Atomic<bigint>(null, ATOMIC64_INIT(v));
  }

  /**
   * Reads the value.
   *
   * @example
   * ```ts
   * import { Atomic, Relaxed } from '@rfl/sync';
   * Atomic.new(3).load(Relaxed) // => 3
   * ```
   */
  load(_o: LoadOrdering): T {
    return (this.#v32 ? atomic_read(this.#v32) : atomic64_read(this.#v64!)) as T;
  }

  /**
   * Writes the value.
   *
   * @example
   * ```ts
   * import { Atomic, Relaxed } from '@rfl/sync';
   * const a = Atomic.new(3);
   * a.store(4, Relaxed);
   * a.load(Relaxed) // => 4
   * ```
   */
  store(v: T, _o: StoreOrdering): void {
    if (this.#v32) atomic_set(this.#v32, v as number);
    else atomic64_set(this.#v64!, v as bigint);
  }

  /**
   * Writes `v` and returns the old value.
   *
   * @example
   * ```ts
   * import { Atomic, Full } from '@rfl/sync';
   * Atomic.new(3).xchg(9, Full) // => 3
   * ```
   */
  xchg(v: T, _o: AnyOrdering): T {
    return (
      this.#v32 ? atomic_xchg(this.#v32, v as number) : atomic64_xchg(this.#v64!, v as bigint)
    ) as T;
  }

  /**
   * Writes `next` if the value is `old`: `{ ok: true, value: old }` if it did,
   * `{ ok: false, value: current }` if not (Rust's `Ok(old)` / `Err(current)`).
   *
   * @example
   * ```ts
   * import { Atomic, Full } from '@rfl/sync';
   * Atomic.new(0).cmpxchg(0, 1, Full) // => { ok: true, value: 0 }
   * ```
   */
  cmpxchg(old: T, next: T, _o: AnyOrdering): { ok: boolean; value: T } {
    const found = (
      this.#v32
        ? atomic_cmpxchg(this.#v32, old as number, next as number)
        : atomic64_cmpxchg(this.#v64!, old as bigint, next as bigint)
    ) as T;
    return { ok: found === old, value: found };
  }

  /**
   * Adds `v` and returns the old value.
   *
   * @example
   * ```ts
   * import { Atomic, Full } from '@rfl/sync';
   * const a = Atomic.new64(5n);
   * a.fetchAdd(2n, Full) // => 5n
   * ```
   */
  fetchAdd(v: T, _o: AnyOrdering): T {
    return (
      this.#v32
        ? atomic_fetch_add(v as number, this.#v32)
        : atomic64_fetch_add(v as bigint, this.#v64!)
    ) as T;
  }

  /**
   * Adds `v`.
   *
   * @example
   * ```ts
   * import { Atomic, Relaxed } from '@rfl/sync';
   * const a = Atomic.new(1);
   * a.add(2, Relaxed);
   * a.load(Relaxed) // => 3
   * ```
   */
  add(v: T, _o: Ordering<'Relaxed'>): void {
    if (this.#v32) atomic_add(v as number, this.#v32);
    else atomic64_add(v as bigint, this.#v64!);
  }
}
