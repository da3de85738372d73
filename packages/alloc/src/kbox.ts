import {
  is_vmalloc_addr,
  kasan_enabled,
  kasan_report_count,
  Oops,
  pr_err,
  readb,
} from '@rfl/kernel';
import {
  drop,
  type ForeignOwnable,
  ForeignTable,
  type Movable,
  move,
  useOfMovedValue,
} from '@rfl/types';
import type { Allocator, AllocatorName } from './allocator.js';
import { Kmalloc, KVmalloc, Vmalloc } from './allocator.js';
import type { Flags } from './flags.js';

declare const uninit: unique symbol;

/**
 * Memory that holds no value yet (`MaybeUninit<T>`): a box of it can only be written.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, KBox, type MaybeUninit } from '@rfl/alloc';
 * const b: KBox<MaybeUninit<number>> = KBox.newUninit<number>(GFP_KERNEL);
 * using w = b.write(5);
 * w.value // => 5
 * ```
 *
 * ```ts compile_fail=TS2365
 * import { GFP_KERNEL, KBox } from '@rfl/alloc';
 * const b = KBox.newUninit<number>(GFP_KERNEL);
 * b.value + 1;
 * ```
 */
export type MaybeUninit<T> = { readonly [uninit]: T };

/**
 * How much memory a box charges to its allocator; one machine word unless said otherwise.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, KBox, type BoxLayout } from '@rfl/alloc';
 * import { ksize } from '@rfl/kernel';
 * const layout: BoxLayout = { size: 200 };
 * using b = KBox.new(null, GFP_KERNEL, layout);
 * ksize(b.addr) // => 256
 * ```
 */
export interface BoxLayout {
  readonly size?: number;
  readonly align?: number;
}

const WORD = 8;

interface Slot {
  value: unknown;
  size: number;
  align: number;
}

/**
 * A value owned through memory from allocator `A` (`Box<T, A>`): creating one allocates,
 * disposing drops the value (disposing it if it is disposable) and frees the memory. The
 * value lives in JavaScript; the allocation charges the simulated kernel for it, so fault
 * injection, memory pressure, KASAN and kmemleak see every box.
 *
 * # Invariants
 *
 * A live box owns one allocation of `size` bytes at `addr` and a value. Once moved out
 * (`intoRaw`, `intoForeign`, `intoInner`, `leak`, `write`, `move`) or disposed it owns nothing:
 * a use after a move is reported as `use of moved value`, a use after dispose as a
 * use-after-free (KASAN's report when KASAN is on).
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, KBox } from '@rfl/alloc';
 * {
 *   using b = KBox.new({ name: 'vixen', legs: 4 }, GFP_KERNEL);
 *   b.value.legs // => 4
 *   b.value = { name: 'kit', legs: 4 };
 *   b.value.name // => 'kit'
 * }
 * ```
 */
export class Box<T, A extends AllocatorName = AllocatorName>
  implements Disposable, ForeignOwnable, Movable
{
  readonly #allocator: Allocator<A>;
  readonly #table: ForeignTable<Slot>;
  #addr: number;
  #slot: Slot | null;
  #freed = false;

  /** @internal */
  constructor(allocator: Allocator<A>, table: ForeignTable<Slot>, addr: number, slot: Slot) {
    this.#allocator = allocator;
    this.#table = table;
    this.#addr = addr;
    this.#slot = slot;
  }

  /**
   * Which allocator owns the memory; part of the type, so a `KVBox` is not a `KBox`.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, VBox } from '@rfl/alloc';
   * using b = VBox.new(1, GFP_KERNEL);
   * b.allocator // => 'Vmalloc'
   * ```
   */
  get allocator(): A {
    return this.#allocator.name;
  }

  /**
   * The value (`Deref`/`DerefMut`).
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KBox } from '@rfl/alloc';
   * using b = KBox.new(1, GFP_KERNEL);
   * b.value += 1;
   * b.value // => 2
   * ```
   */
  get value(): T {
    return this.#live('value').value as T;
  }

  set value(v: T) {
    this.#live('value').value = v;
  }

  /**
   * The kernel address of the allocation.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KBox } from '@rfl/alloc';
   * import { ksize } from '@rfl/kernel';
   * using b = KBox.new(0, GFP_KERNEL, { size: 40 });
   * ksize(b.addr) // => 64
   * ```
   */
  get addr(): number {
    this.#live('addr');
    return this.#addr;
  }

  /**
   * Writes the value of an uninitialised box and returns it as initialised; this handle is
   * moved into the result.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KBox } from '@rfl/alloc';
   * using b = KBox.newUninit<string>(GFP_KERNEL).write('ready');
   * b.value // => 'ready'
   * ```
   */
  write<U>(this: Box<MaybeUninit<U>, A>, value: U): Box<U, A> {
    const slot = this.#take('write');
    slot.value = value;
    return new Box<U, A>(this.#allocator, this.#table, this.#addr, slot);
  }

  /**
   * Gives up ownership and returns the address (`Box::into_raw`); {@link KBox.fromRaw} takes
   * it back. This handle is poisoned.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KBox } from '@rfl/alloc';
   * const ptr = KBox.new('kit', GFP_KERNEL).intoRaw();
   * using back = KBox.fromRaw<string>(ptr);
   * back.value // => 'kit'
   * ```
   */
  intoRaw(): number {
    const slot = this.#take('into_raw');
    return this.#table.insert(this.#addr, slot);
  }

  /**
   * `ForeignOwnable::into_foreign`: the same as {@link Box.intoRaw}.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KBox } from '@rfl/alloc';
   * const ptr = KBox.new([1, 2], GFP_KERNEL).intoForeign();
   * KBox.borrow<number[]>(ptr) // => [1, 2]
   * KBox.fromForeign<number[]>(ptr).intoInner() // => [1, 2]
   * ```
   *
   * A borrow is read-only; `borrowMut` is the exclusive one:
   * ```ts compile_fail=TS2542
   * import { GFP_KERNEL, KBox } from '@rfl/alloc';
   * const ptr = KBox.new([1, 2], GFP_KERNEL).intoForeign();
   * KBox.borrow<number[]>(ptr)[0] = 5;
   * ```
   *
   * Borrowing after the pointer was taken back is reported:
   * ```ts should_throw="KBox::borrow"
   * import { GFP_KERNEL, KBox } from '@rfl/alloc';
   * # import { dmesg_clear } from '@rfl/kernel';
   * # dmesg_clear();
   * const ptr = KBox.new([1, 2], GFP_KERNEL).intoForeign();
   * KBox.fromForeign<number[]>(ptr)[Symbol.dispose]();
   * KBox.borrow<number[]>(ptr);
   * ```
   */
  intoForeign(): number {
    return this.intoRaw();
  }

  /**
   * Leaks the box: the memory stays allocated forever and the value is returned
   * (`Box::leak`). kmemleak will report the allocation if nothing else refers to it.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KBox } from '@rfl/alloc';
   * KBox.new('forever', GFP_KERNEL).leak() // => 'forever'
   * ```
   */
  leak(): T {
    return this.#take('leak').value as T;
  }

  /**
   * Moves the value out and frees the memory (`Box::into_inner`).
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KBox } from '@rfl/alloc';
   * KBox.new(42, GFP_KERNEL).intoInner() // => 42
   * ```
   *
   * ```ts should_throw="use of moved value: `KBox` in value"
   * import { GFP_KERNEL, KBox } from '@rfl/alloc';
   * # import { dmesg_clear } from '@rfl/kernel';
   * # dmesg_clear();
   * const b = KBox.new(42, GFP_KERNEL);
   * b.intoInner();
   * b.value;
   * ```
   */
  intoInner(): T {
    const slot = this.#take('into_inner');
    this.#allocator.free(this.#addr, slot.size);
    return slot.value as T;
  }

  /**
   * Drops the value but keeps the memory, returning it as uninitialised
   * (`Box::drop_contents`).
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KBox } from '@rfl/alloc';
   * const log: string[] = [];
   * const b = KBox.new({ [Symbol.dispose]: () => log.push('dropped') }, GFP_KERNEL);
   * const addr = b.addr;
   * using empty = b.dropContents();
   * log // => ['dropped']
   * using again = empty.write({ [Symbol.dispose]() {} });
   * again.addr === addr // => true
   * ```
   */
  dropContents(): Box<MaybeUninit<T>, A> {
    const slot = this.#take('drop_contents');
    drop(slot.value);
    slot.value = undefined;
    return new Box<MaybeUninit<T>, A>(this.#allocator, this.#table, this.#addr, slot);
  }

  /**
   * Moves the box into a new handle; this one is poisoned.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KBox } from '@rfl/alloc';
   * const a = KBox.new(1, GFP_KERNEL);
   * using b = a.move();
   * b.value // => 1
   * ```
   */
  move(): this {
    const slot = this.#take('move');
    return new Box<T, A>(this.#allocator, this.#table, this.#addr, slot) as this;
  }

  /**
   * Drops the value and frees the memory; a moved-out box has nothing to drop.
   *
   * @example
   * ```ts should_throw="use-after-free"
   * import { GFP_KERNEL, KBox } from '@rfl/alloc';
   * import { mm_init, panic_reset } from '@rfl/kernel';
   * mm_init({ quiet: true, kasan: true });
   * try {
   *   const b = KBox.new(7, GFP_KERNEL);
   *   b[Symbol.dispose]();
   *   b.value;
   * } finally {
   *   mm_init({ quiet: true });
   *   panic_reset();
   * }
   * ```
   */
  [Symbol.dispose](): void {
    const slot = this.#slot;
    if (slot === null) return;
    this.#slot = null;
    this.#freed = true;
    drop(slot.value);
    this.#allocator.free(this.#addr, slot.size);
  }

  #typeName(): string {
    return { Kmalloc: 'KBox', Vmalloc: 'VBox', KVmalloc: 'KVBox' }[this.#allocator.name];
  }

  #live(use: string): Slot {
    if (this.#slot !== null) return this.#slot;
    if (this.#freed) throw this.#useAfterFree(use);
    throw useOfMovedValue(this.#typeName(), use);
  }

  #take(use: string): Slot {
    const slot = this.#live(use);
    this.#slot = null;
    return slot;
  }

  #useAfterFree(use: string): Oops {
    const message = `use-after-free: \`${this.#typeName()}\` in ${use}`;
    const before = kasan_report_count();
    // The access a C caller would make: KASAN reports it as the kernel would.
    if (kasan_enabled() && !is_vmalloc_addr(this.#addr)) readb(this.#addr);
    if (kasan_report_count() === before) pr_err('BUG: %s\n', message);
    return new Oops(message);
  }
}

/**
 * The constructors of a box type (`KBox`, `VBox`, `KVBox`) and its `ForeignOwnableType`.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, KBox, type BoxType } from '@rfl/alloc';
 * const kind: BoxType<'Kmalloc'> = KBox;
 * using b = kind.new('x', GFP_KERNEL);
 * b.value // => 'x'
 * ```
 */
export interface BoxType<A extends AllocatorName> {
  /** Allocates memory and moves `value` into it. */
  'new'<T>(value: T, flags: Flags, layout?: BoxLayout): Box<T, A>;
  /** Allocates memory for a value to be written later. */
  newUninit<T>(flags: Flags, layout?: BoxLayout): Box<MaybeUninit<T>, A>;
  /** Allocates and pins: the value can no longer be moved out or replaced. */
  pin<T>(value: T, flags: Flags, layout?: BoxLayout): Pin<Box<T, A>>;
  /** Takes back a box given up by `intoRaw()`. */
  fromRaw<T>(ptr: number): Box<T, A>;
  fromForeign<T>(ptr: number): Box<T, A>;
  tryFromForeign<T>(ptr: number): Box<T, A> | null;
  borrow<T>(ptr: number): T extends object ? Readonly<T> : T;
  borrowMut<T>(ptr: number): T;
}

/**
 * A pinned pointer (`Pin<P>`): the value stays where it is, so its address may be handed to C
 * (a list head, a wait queue entry); nothing can move it out or replace it.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, KBox } from '@rfl/alloc';
 * using p = KBox.pin({ waiters: 0 }, GFP_KERNEL);
 * p.value.waiters++;
 * p.value.waiters // => 1
 * ```
 *
 * ```ts compile_fail=TS2339
 * import { GFP_KERNEL, KBox } from '@rfl/alloc';
 * const p = KBox.pin({ waiters: 0 }, GFP_KERNEL);
 * p.intoInner();
 * ```
 *
 * ```ts compile_fail=TS2540
 * import { GFP_KERNEL, KBox } from '@rfl/alloc';
 * const p = KBox.pin({ waiters: 0 }, GFP_KERNEL);
 * p.value = { waiters: 1 };
 * ```
 */
export type Pin<P> = Readonly<Omit<P, 'intoInner' | 'intoRaw' | 'leak' | 'dropContents' | 'move'>> &
  Disposable;

function boxType<A extends AllocatorName>(allocator: Allocator<A>, name: string): BoxType<A> {
  const table = new ForeignTable<Slot>(name);
  function make<T>(value: T, flags: Flags, layout: BoxLayout = {}): Box<T, A> {
    const size = layout.size ?? WORD;
    const align = layout.align ?? WORD;
    const addr = allocator.alloc(size, align, flags);
    return new Box<T, A>(allocator, table, addr, { value: move(value), size, align });
  }
  const fromForeign = <T>(ptr: number): Box<T, A> =>
    new Box<T, A>(allocator, table, ptr, table.take(ptr, 'from_foreign'));
  return {
    new: make,
    newUninit: <T>(flags: Flags, layout?: BoxLayout) =>
      make<MaybeUninit<T>>(undefined as unknown as MaybeUninit<T>, flags, layout),
    pin: make,
    fromRaw: <T>(ptr: number) => new Box<T, A>(allocator, table, ptr, table.take(ptr, 'from_raw')),
    fromForeign,
    tryFromForeign: <T>(ptr: number) => (ptr === 0 ? null : fromForeign<T>(ptr)),
    borrow: <T>(ptr: number) => table.get(ptr, 'borrow').value as T,
    borrowMut: <T>(ptr: number) => table.get(ptr, 'borrow_mut').value as T,
  } as unknown as BoxType<A>;
}

/**
 * A box in kmalloc memory (`KBox<T>`).
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, KBox } from '@rfl/alloc';
 * using b = KBox.new('fox', GFP_KERNEL);
 * b.value // => 'fox'
 * ```
 *
 * Allocations above `KMALLOC_MAX_SIZE` fail with kmalloc, but succeed with kvmalloc:
 * ```ts
 * import { GFP_KERNEL, KBox, KVBox, __GFP_NOWARN } from '@rfl/alloc';
 * import { KMALLOC_MAX_SIZE } from '@rfl/kernel';
 * const huge = { size: KMALLOC_MAX_SIZE + 1 };
 * let code = '';
 * try {
 *   KBox.newUninit<Uint8Array>(GFP_KERNEL.or(__GFP_NOWARN), huge);
 * } catch (e) {
 *   code = (e as { code: string }).code;
 * }
 * code // => 'ENOMEM'
 * using b = KVBox.newUninit<Uint8Array>(GFP_KERNEL, huge);
 * ```
 *
 * Handing a box to C code and taking it back exactly once:
 * ```ts should_throw="pointer was already taken back by from_foreign()"
 * import { GFP_KERNEL, KBox } from '@rfl/alloc';
 * # import { dmesg_clear } from '@rfl/kernel';
 * # dmesg_clear();
 * const ptr = KBox.new(1, GFP_KERNEL).intoForeign();
 * KBox.fromForeign<number>(ptr)[Symbol.dispose]();
 * KBox.fromForeign<number>(ptr);
 * ```
 */
export const KBox: BoxType<'Kmalloc'> = boxType(Kmalloc, 'KBox');
export type KBox<T> = Box<T, 'Kmalloc'>;

/**
 * A box in vmalloc memory (`VBox<T>`), for large values.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, VBox } from '@rfl/alloc';
 * import { is_vmalloc_addr } from '@rfl/kernel';
 * using b = VBox.new('big', GFP_KERNEL, { size: 1 << 20 });
 * is_vmalloc_addr(b.addr) // => true
 * ```
 */
export const VBox: BoxType<'Vmalloc'> = boxType(Vmalloc, 'VBox');
export type VBox<T> = Box<T, 'Vmalloc'>;

/**
 * A box in kvmalloc memory (`KVBox<T>`): kmalloc when it can, vmalloc when it must.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, KVBox } from '@rfl/alloc';
 * import { is_vmalloc_addr } from '@rfl/kernel';
 * using small = KVBox.new(1, GFP_KERNEL);
 * is_vmalloc_addr(small.addr) // => false
 * ```
 *
 * A `KVBox` is not a `KBox`: the allocator is part of the type.
 * ```ts compile_fail=TS2322
 * import { GFP_KERNEL, type KBox, KVBox } from '@rfl/alloc';
 * const b: KBox<number> = KVBox.new(1, GFP_KERNEL);
 * ```
 */
export const KVBox: BoxType<'KVmalloc'> = boxType(KVmalloc, 'KVBox');
export type KVBox<T> = Box<T, 'KVmalloc'>;
