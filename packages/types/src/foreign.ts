import { dump_stack, kaddr_hex, Oops, pr_err, stack_capture } from '@rfl/kernel';

/**
 * A value whose ownership can be handed to C code as an opaque pointer (`void *`) and taken
 * back later: `intoForeign()` moves the value out of this handle (which is poisoned) and
 * returns the pointer; the type's {@link ForeignOwnableType} functions borrow it and take it
 * back. Implemented by `KBox`, `Arc` and {@link Unit}.
 *
 * @example
 * ```ts
 * import type { ForeignOwnable } from '@rfl/types';
 * import { KBox, GFP_KERNEL } from '@rfl/alloc';
 * const owned: ForeignOwnable = KBox.new({ id: 7 }, GFP_KERNEL);
 * const ptr = owned.intoForeign();
 * ptr !== 0 // => true
 * KBox.fromForeign<{ id: number }>(ptr)[Symbol.dispose]();
 * ```
 */
export interface ForeignOwnable {
  /** Moves the value to C code and returns its foreign pointer, never 0. */
  intoForeign(): number;
}

/**
 * The static side of {@link ForeignOwnable}: what C hands back to Rust. Each function checks
 * that the pointer is live — it came from `intoForeign()` and has not been taken back — and
 * reports misuse instead of touching freed memory.
 *
 * - `fromForeign(ptr)` takes ownership back, exactly once;
 * - `tryFromForeign(ptr)` is the same, but a null pointer gives `null`;
 * - `borrow(ptr)` gives shared access while C still owns it (`Borrowed<'a>`);
 * - `borrowMut(ptr)` gives exclusive access (`BorrowedMut<'a>`).
 *
 * @example
 * ```ts
 * import type { ForeignOwnableType } from '@rfl/types';
 * import { KBox, type KBox as KBoxT, GFP_KERNEL } from '@rfl/alloc';
 * const kind: ForeignOwnableType<KBoxT<number>, number, number> = KBox;
 * const ptr = KBox.new(3, GFP_KERNEL).intoForeign();
 * kind.borrow(ptr) // => 3
 * kind.tryFromForeign(0) // => null
 * kind.fromForeign(ptr).intoInner() // => 3
 * ```
 */
export interface ForeignOwnableType<T, B, M = B> {
  fromForeign(ptr: number): T;
  tryFromForeign(ptr: number): T | null;
  borrow(ptr: number): B;
  borrowMut(ptr: number): M;
}

/**
 * The bookkeeping behind a {@link ForeignOwnableType}: which foreign pointers are live and
 * what they own. Implementations insert on `intoForeign()`, take on `fromForeign()` and get on
 * borrows. A pointer that was taken back already, or never handed out, is reported
 * (`BUG: KBox::from_foreign(ffff888000001000): ...`) and an `Oops` is thrown, the way KASAN
 * reports a double free instead of corrupting memory.
 *
 * @example
 * ```ts
 * import { ForeignTable } from '@rfl/types';
 * import { dmesg_clear, dmesg_records } from '@rfl/kernel';
 * const table = new ForeignTable<string>('Fox');
 * table.insert(0x1000, 'vixen');
 * table.get(0x1000, 'borrow') // => 'vixen'
 * table.take(0x1000, 'from_foreign') // => 'vixen'
 * # dmesg_clear();
 * let thrown = '';
 * try { table.take(0x1000, 'from_foreign'); } catch (e) { thrown = (e as Error).message; }
 * thrown // => 'Fox::from_foreign(0000000000001000): pointer was already taken back by from_foreign()'
 * dmesg_records()[0]?.text // => 'BUG: Fox::from_foreign(0000000000001000): pointer was already taken back by from_foreign()'
 * ```
 */
export class ForeignTable<V> {
  readonly #live = new Map<number, V>();
  readonly #retired = new Set<number>();

  constructor(readonly typeName: string) {}

  /**
   * Records that `ptr` now owns `value`; returns `ptr`.
   *
   * @example
   * ```ts
   * import { ForeignTable } from '@rfl/types';
   * new ForeignTable<number>('Counter').insert(0x20, 1) // => 0x20
   * ```
   */
  insert(ptr: number, value: V): number {
    this.#retired.delete(ptr);
    this.#live.set(ptr, value);
    return ptr;
  }

  /**
   * Takes the value of `ptr` back, once.
   *
   * @example
   * ```ts
   * import { ForeignTable } from '@rfl/types';
   * const t = new ForeignTable<number>('Counter');
   * t.insert(0x20, 1);
   * t.take(0x20, 'from_foreign') // => 1
   * t.has(0x20) // => false
   * ```
   */
  take(ptr: number, use: string): V {
    const value = this.get(ptr, use);
    this.#live.delete(ptr);
    this.#retired.add(ptr);
    return value;
  }

  /**
   * The value `ptr` owns, without taking it.
   *
   * @example
   * ```ts
   * import { ForeignTable } from '@rfl/types';
   * const t = new ForeignTable<number>('Counter');
   * t.insert(0x20, 5);
   * t.get(0x20, 'borrow') // => 5
   * ```
   */
  get(ptr: number, use: string): V {
    if (!this.#live.has(ptr)) {
      const why = this.#retired.has(ptr)
        ? 'pointer was already taken back by from_foreign()'
        : 'pointer did not come from into_foreign()';
      throw foreignMisuse(`${this.typeName}::${use}(${kaddr_hex(ptr)}): ${why}`);
    }
    return this.#live.get(ptr) as V;
  }

  /**
   * Whether `ptr` is a live foreign pointer of this type.
   *
   * @example
   * ```ts
   * import { ForeignTable } from '@rfl/types';
   * new ForeignTable<number>('Counter').has(0x20) // => false
   * ```
   */
  has(ptr: number): boolean {
    return this.#live.has(ptr);
  }
}

function foreignMisuse(message: string): Oops {
  pr_err('BUG: %s\n', message);
  dump_stack(stack_capture(foreignMisuse));
  return new Oops(message);
}

/**
 * The unit type `()` as a {@link ForeignOwnable}: for C interfaces that need a pointer when
 * there is no object to own. Its foreign pointer is 1 so it is never mistaken for NULL;
 * borrowing and taking back give `undefined`, and any other pointer is reported.
 *
 * @example
 * ```ts
 * import { Unit } from '@rfl/types';
 * const ptr = Unit.intoForeign();
 * ptr // => 1
 * Unit.borrow(ptr) // => undefined
 * Unit.fromForeign(ptr) // => undefined
 * Unit.tryFromForeign(0) // => null
 * ```
 *
 * ```ts should_throw="did not come from into_foreign"
 * import { Unit } from '@rfl/types';
 * # import { dmesg_clear } from '@rfl/kernel';
 * # dmesg_clear();
 * Unit.fromForeign(0xdead);
 * ```
 */
export const Unit: ForeignOwnable & ForeignOwnableType<undefined, undefined> = {
  intoForeign: () => 1,
  fromForeign: (ptr) => unitCheck(ptr, 'from_foreign'),
  tryFromForeign: (ptr) => (ptr === 0 ? null : unitCheck(ptr, 'from_foreign')),
  borrow: (ptr) => unitCheck(ptr, 'borrow'),
  borrowMut: (ptr) => unitCheck(ptr, 'borrow_mut'),
};

function unitCheck(ptr: number, use: string): undefined {
  if (ptr !== 1) {
    throw foreignMisuse(`()::${use}(${kaddr_hex(ptr)}): pointer did not come from into_foreign()`);
  }
  return undefined;
}
