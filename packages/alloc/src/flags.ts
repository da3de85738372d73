import * as k from '@rfl/kernel';

/**
 * GFP flags (`gfp_t`): what an allocation may do to succeed — sleep, reclaim, dip into
 * reserves, warn on failure. The bits are the kernel's (`include/linux/gfp_types.h`). A
 * `Flags` can only come from the constants of this module and their combinations, so a raw
 * number cannot be passed where flags are expected.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, __GFP_ZERO } from '@rfl/alloc';
 * const flags = GFP_KERNEL.or(__GFP_ZERO);
 * flags.asRaw() // => 0xdc0
 * flags.contains(__GFP_ZERO) // => true
 * flags.toString() // => 'GFP_KERNEL|__GFP_ZERO'
 * ```
 *
 * ```ts compile_fail=TS2345
 * import { KBox } from '@rfl/alloc';
 * KBox.new(1, 0xcc0);
 * ```
 */
export class Flags {
  readonly #bits: number;

  private constructor(bits: number) {
    this.#bits = bits >>> 0;
  }

  /** @internal */
  static readonly _GFP_KERNEL = new Flags(k.GFP_KERNEL);
  /** @internal */
  static readonly _GFP_ATOMIC = new Flags(k.GFP_ATOMIC);
  /** @internal */
  static readonly _GFP_NOWAIT = new Flags(k.GFP_NOWAIT);
  /** @internal */
  static readonly _GFP_KERNEL_ACCOUNT = new Flags(k.GFP_KERNEL_ACCOUNT);
  /** @internal */
  static readonly ___GFP_ZERO = new Flags(k.__GFP_ZERO);
  /** @internal */
  static readonly ___GFP_HIGHMEM = new Flags(k.__GFP_HIGHMEM);
  /** @internal */
  static readonly ___GFP_NOWARN = new Flags(k.__GFP_NOWARN);

  /**
   * The raw `gfp_t` to pass to C.
   *
   * @example
   * ```ts
   * import { GFP_ATOMIC } from '@rfl/alloc';
   * GFP_ATOMIC.asRaw() // => 0x820
   * ```
   */
  asRaw(): number {
    return this.#bits;
  }

  /**
   * Whether every bit of `other` is set in these flags.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, GFP_KERNEL_ACCOUNT } from '@rfl/alloc';
   * GFP_KERNEL_ACCOUNT.contains(GFP_KERNEL) // => true
   * GFP_KERNEL.contains(GFP_KERNEL_ACCOUNT) // => false
   * ```
   */
  contains(other: Flags): boolean {
    return (this.#bits & other.#bits) === other.#bits;
  }

  /**
   * The union of both sets of flags (`|`).
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, __GFP_NOWARN } from '@rfl/alloc';
   * GFP_KERNEL.or(__GFP_NOWARN).asRaw() // => 0x2cc0
   * ```
   */
  or(other: Flags): Flags {
    return new Flags(this.#bits | other.#bits);
  }

  /**
   * The bits set in both (`&`).
   *
   * @example
   * ```ts
   * import { GFP_ATOMIC, GFP_NOWAIT } from '@rfl/alloc';
   * GFP_ATOMIC.and(GFP_NOWAIT).asRaw() // => 0x800
   * ```
   */
  and(other: Flags): Flags {
    return new Flags(this.#bits & other.#bits);
  }

  /**
   * The complement (`!`), to clear bits with `and`.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, __GFP_ZERO } from '@rfl/alloc';
   * GFP_KERNEL.or(__GFP_ZERO).and(__GFP_ZERO.not()).asRaw() // => 0xcc0
   * ```
   */
  not(): Flags {
    return new Flags(~this.#bits);
  }

  /**
   * Whether both are the same set of bits.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, __GFP_ZERO } from '@rfl/alloc';
   * GFP_KERNEL.or(__GFP_ZERO).equals(__GFP_ZERO.or(GFP_KERNEL)) // => true
   * ```
   */
  equals(other: Flags): boolean {
    return this.#bits === other.#bits;
  }

  /**
   * The flags by name, as the kernel prints them in `mode:0xcc0(GFP_KERNEL)`.
   *
   * @example
   * ```ts
   * import { GFP_NOWAIT } from '@rfl/alloc';
   * `${GFP_NOWAIT}` // => 'GFP_NOWAIT'
   * ```
   */
  toString(): string {
    return k.gfp_names(this.#bits);
  }
}

/**
 * `GFP_KERNEL`: the normal allocation of process context; it may sleep and reclaim.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL } from '@rfl/alloc';
 * GFP_KERNEL.asRaw() // => 0xcc0
 * ```
 */
export const GFP_KERNEL: Flags = Flags._GFP_KERNEL;
/**
 * `GFP_ATOMIC`: never sleeps and may use part of the reserves; for interrupt handlers and
 * spinlocked sections.
 *
 * @example
 * ```ts
 * import { GFP_ATOMIC } from '@rfl/alloc';
 * GFP_ATOMIC.toString() // => 'GFP_ATOMIC'
 * ```
 */
export const GFP_ATOMIC: Flags = Flags._GFP_ATOMIC;
/**
 * `GFP_NOWAIT`: never sleeps, does not touch the reserves, fails quietly.
 *
 * @example
 * ```ts
 * import { GFP_NOWAIT } from '@rfl/alloc';
 * GFP_NOWAIT.asRaw() // => 0x2800
 * ```
 */
export const GFP_NOWAIT: Flags = Flags._GFP_NOWAIT;
/**
 * `GFP_KERNEL_ACCOUNT`: `GFP_KERNEL` charged to the caller's memory cgroup.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL_ACCOUNT } from '@rfl/alloc';
 * GFP_KERNEL_ACCOUNT.asRaw() // => 0x400cc0
 * ```
 */
export const GFP_KERNEL_ACCOUNT: Flags = Flags._GFP_KERNEL_ACCOUNT;
/**
 * `__GFP_ZERO`: return zeroed memory.
 *
 * @example
 * ```ts
 * import { __GFP_ZERO } from '@rfl/alloc';
 * __GFP_ZERO.asRaw() // => 0x100
 * ```
 */
export const __GFP_ZERO: Flags = Flags.___GFP_ZERO;
/**
 * `__GFP_HIGHMEM`: the memory may come from highmem (no effect on a 64-bit machine).
 *
 * @example
 * ```ts
 * import { __GFP_HIGHMEM } from '@rfl/alloc';
 * __GFP_HIGHMEM.asRaw() // => 0x2
 * ```
 */
export const __GFP_HIGHMEM: Flags = Flags.___GFP_HIGHMEM;
/**
 * `__GFP_NOWARN`: no `page allocation failure` report when the allocation fails.
 *
 * @example
 * ```ts
 * import { __GFP_NOWARN } from '@rfl/alloc';
 * __GFP_NOWARN.asRaw() // => 0x2000
 * ```
 */
export const __GFP_NOWARN: Flags = Flags.___GFP_NOWARN;
