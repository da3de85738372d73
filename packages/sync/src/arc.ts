import type { Flags } from '@rfl/alloc';
import {
  dump_stack,
  kaddr_hex,
  Oops,
  pr_err,
  refcount_inc,
  refcount_read,
  stack_capture,
} from '@rfl/kernel';
import { type ForeignOwnable, ForeignTable, type Movable, useOfMovedValue } from '@rfl/types';
import { type ArcInner, innerDropStrong, innerNew } from './inner.js';
import type { Shared } from './shared.js';
import { UniqueArc } from './unique-arc.js';
import { Weak } from './weak.js';

const foreign = new ForeignTable<ArcInner<unknown>>('Arc');
/**
 * How many references each foreign pointer stands for: clones given to C share the one
 * address (`into_raw` is the address of the `ArcInner`), and each is taken back once.
 */
const foreignRefs = new Map<number, number>();

/** Takes one reference back from C: the pointer stays live while others are out. */
function foreignTake(ptr: number, use: string): ArcInner<unknown> {
  const refs = foreignRefs.get(ptr) ?? 0;
  if (refs <= 1) {
    foreignRefs.delete(ptr);
    return foreign.take(ptr, use);
  }
  foreignRefs.set(ptr, refs - 1);
  return foreign.get(ptr, use);
}

/**
 * A reference-counted pointer to a value in kmalloc memory (`kernel::sync::Arc`). Cloning
 * increments a `refcount_t`, disposing decrements it, and the value is dropped with the last
 * reference. No lock is needed for that last drop: a new reference can only be made from an
 * existing one, so the count never goes from 0 to 1. The count saturates instead of
 * overflowing, as `refcount_t` does: the object then leaks rather than being freed early.
 *
 * # Invariants
 *
 * A live `Arc` owns one strong reference, so the count is not zero while it exists. After a
 * move (`intoRaw`, `intoForeign`, `intoUniqueOrDrop`, `move`) or dispose it owns none and every
 * use is reported.
 *
 * @example
 * ```ts
 * import { Arc } from '@rfl/sync';
 * import { GFP_KERNEL } from '@rfl/alloc';
 * import { readl } from '@rfl/kernel';
 * using a = Arc.new({ a: 10, b: 20 }, GFP_KERNEL);
 * {
 *   using b = a.clone();
 *   b.value.a // => 10
 *   readl(a.addr) // => 2
 * }
 * readl(a.addr) // => 1
 * ```
 *
 * A saturated count warns once and never frees:
 * ```ts
 * import { Arc } from '@rfl/sync';
 * import { GFP_KERNEL } from '@rfl/alloc';
 * import { REFCOUNT_MAX, REFCOUNT_SATURATED, debug_locks_on, dmesg, dmesg_clear, panic_reset, readl, writel } from '@rfl/kernel';
 * # panic_reset();
 * # dmesg_clear();
 * const a = Arc.new('leaky', GFP_KERNEL);
 * // A C user that took 2^31 references without dropping them:
 * writel(REFCOUNT_MAX, a.addr);
 * const b = a.clone();
 * dmesg().includes('refcount_t: saturated; leaking memory.') // => true
 * readl(a.addr) === REFCOUNT_SATURATED // => true
 * b[Symbol.dispose]();
 * readl(a.addr) === REFCOUNT_SATURATED // => true
 * # panic_reset();
 * # debug_locks_on();
 * ```
 */
export class Arc<T> implements Disposable, ForeignOwnable, Movable {
  #inner: ArcInner<T> | null;

  /** @internal */
  constructor(inner: ArcInner<T>) {
    this.#inner = inner;
  }

  /**
   * Allocates the shared part and moves `value` into it; the count starts at 1.
   *
   * @example
   * ```ts
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * using a = Arc.new(42, GFP_KERNEL);
   * a.value // => 42
   * ```
   *
   * ```ts should_throw=ENOMEM
   * import { Arc } from '@rfl/sync';
   * import { GFP_ATOMIC } from '@rfl/alloc';
   * import { failslab, fault_inject_reset } from '@rfl/kernel';
   * Object.assign(failslab.attr, { probability: 100, times: 1, verbose: 0 });
   * try {
   *   Arc.new(42, GFP_ATOMIC);
   * } finally {
   *   fault_inject_reset();
   * }
   * ```
   */
  static new<T>(value: T, flags: Flags): Arc<T> {
    return new Arc(innerNew(value, flags));
  }

  /**
   * A new `Arc` from a borrow (`From<ArcBorrow<T>>`): takes a reference.
   *
   * @example
   * ```ts
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * using a = Arc.new('x', GFP_KERNEL);
   * using b = Arc.from(a.asArcBorrow());
   * Arc.ptrEq(a, b) // => true
   * ```
   */
  static from<T>(borrow: ArcBorrow<T>): Arc<T> {
    return borrow.toArc();
  }

  /** @internal */
  _inner(use: string): ArcInner<T> {
    if (this.#inner === null) throw useOfMovedValue('Arc', use);
    return this.#inner;
  }

  #take(use: string): ArcInner<T> {
    const inner = this._inner(use);
    this.#inner = null;
    return inner;
  }

  /**
   * The shared value (`Deref`): read-only unless it manages its own mutability (a lock, an
   * atomic).
   *
   * @example
   * ```ts
   * import { Arc, Mutex } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * using a = Arc.new(Mutex.new(0), GFP_KERNEL);
   * {
   *   using g = await a.value.lock();
   *   g.value += 1;
   * }
   * using g = await a.value.lock();
   * g.value // => 1
   * ```
   */
  get value(): Shared<T> {
    return this._inner('value').value as Shared<T>;
  }

  /**
   * The kernel address of the shared part; its first word is the `refcount_t`.
   *
   * @example
   * ```ts
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * import { ksize } from '@rfl/kernel';
   * using a = Arc.new(0, GFP_KERNEL);
   * ksize(a.addr) // => 16
   * ```
   */
  get addr(): number {
    return this._inner('addr').addr;
  }

  /**
   * Another reference to the same value.
   *
   * @example
   * ```ts
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * using a = Arc.new([1], GFP_KERNEL);
   * using b = a.clone();
   * b.value === a.value // => true
   * ```
   */
  clone(): Arc<T> {
    const inner = this._inner('clone');
    refcount_inc(inner.strong);
    return new Arc(inner);
  }

  /**
   * A borrow that costs no reference (`ArcBorrow<'_, T>`). It must not outlive this `Arc`: a
   * use after the `Arc` is gone is reported, where Rust would not have compiled it.
   *
   * @example
   * ```ts
   * import { Arc, type ArcBorrow } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * import { readl } from '@rfl/kernel';
   * function speed(fox: ArcBorrow<{ speed: number }>): number {
   *   return fox.value.speed;
   * }
   * using a = Arc.new({ speed: 9 }, GFP_KERNEL);
   * speed(a.asArcBorrow()) // => 9
   * readl(a.addr) // => 1
   * ```
   */
  asArcBorrow(): ArcBorrow<T> {
    const inner = this._inner('as_arc_borrow');
    return new ArcBorrow(inner, () => this.#inner === inner, 'Arc');
  }

  /**
   * Whether both point to the same allocation.
   *
   * @example
   * ```ts
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * using a = Arc.new(1, GFP_KERNEL);
   * using b = a.clone();
   * using c = Arc.new(1, GFP_KERNEL);
   * [Arc.ptrEq(a, b), Arc.ptrEq(a, c)] // => [true, false]
   * ```
   */
  static ptrEq<T>(a: Arc<T>, b: Arc<T>): boolean {
    return a._inner('ptr_eq') === b._inner('ptr_eq');
  }

  /**
   * Drops this reference; if it was the last one, returns the value as a {@link UniqueArc}
   * instead of dropping it. Outstanding `Weak` references keep it from becoming unique.
   *
   * @example
   * ```ts
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * const a = Arc.new(5, GFP_KERNEL);
   * const b = a.clone();
   * a.intoUniqueOrDrop() // => null
   * using u = b.intoUniqueOrDrop();
   * u?.value // => 5
   * ```
   */
  intoUniqueOrDrop(): UniqueArc<T> | null {
    const inner = this.#take('into_unique_or_drop');
    if (refcount_read(inner.strong) === 1 && refcount_read(inner.weak) === 1) {
      // INVARIANT: this was the only reference and no `Weak` can upgrade, so the new
      // `UniqueArc` is the only way to the value and keeps the count of 1.
      return new UniqueArc(inner);
    }
    innerDropStrong(inner);
    return null;
  }

  /**
   * Gives the reference up as an address (`Arc::into_raw`); {@link Arc.fromRaw} takes it back.
   *
   * @example
   * ```ts
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * const ptr = Arc.new('kit', GFP_KERNEL).intoRaw();
   * using back = Arc.fromRaw<string>(ptr);
   * back.value // => 'kit'
   * ```
   */
  intoRaw(): number {
    const inner = this.#take('into_raw');
    foreignRefs.set(inner.addr, (foreign.has(inner.addr) ? foreignRefs.get(inner.addr)! : 0) + 1);
    return foreign.insert(inner.addr, inner);
  }

  /**
   * Takes back a reference given up with {@link Arc.intoRaw} or {@link Arc.intoForeign}.
   *
   * @example
   * ```ts should_throw="did not come from into_foreign"
   * import { Arc } from '@rfl/sync';
   * # import { dmesg_clear } from '@rfl/kernel';
   * # dmesg_clear();
   * Arc.fromRaw(0x1234);
   * ```
   */
  static fromRaw<T>(ptr: number): Arc<T> {
    return new Arc(foreignTake(ptr, 'from_raw') as ArcInner<T>);
  }

  /**
   * `ForeignOwnable::into_foreign`: the reference goes to C with the pointer.
   *
   * @example
   * ```ts
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * import { readl } from '@rfl/kernel';
   * const a = Arc.new({ id: 3 }, GFP_KERNEL);
   * const keep = a.clone();
   * const ptr = a.intoForeign();
   * readl(ptr) // => 2
   * Arc.borrow<{ id: number }>(ptr).value.id // => 3
   * Arc.fromForeign<{ id: number }>(ptr)[Symbol.dispose]();
   * readl(keep.addr) // => 1
   * keep[Symbol.dispose]();
   * ```
   *
   * Clones given to C share the address, and each is taken back once:
   * ```ts
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * import { readl } from '@rfl/kernel';
   * const a = Arc.new('den', GFP_KERNEL);
   * const p1 = a.clone().intoForeign();
   * const p2 = a.clone().intoForeign();
   * p1 === p2 // => true
   * readl(p1) // => 3
   * Arc.fromForeign<string>(p1)[Symbol.dispose]();
   * Arc.borrow<string>(p2).value // => 'den'
   * Arc.fromForeign<string>(p2)[Symbol.dispose]();
   * readl(a.addr) // => 1
   * a[Symbol.dispose]();
   * ```
   */
  intoForeign(): number {
    return this.intoRaw();
  }

  /**
   * `ForeignOwnable::from_foreign`: takes the reference back from C, exactly once.
   *
   * @example
   * ```ts should_throw="Arc::from_foreign"
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * # import { dmesg_clear } from '@rfl/kernel';
   * # dmesg_clear();
   * const ptr = Arc.new(1, GFP_KERNEL).intoForeign();
   * Arc.fromForeign(ptr)[Symbol.dispose]();
   * Arc.fromForeign(ptr);
   * ```
   */
  static fromForeign<T>(ptr: number): Arc<T> {
    return new Arc(foreignTake(ptr, 'from_foreign') as ArcInner<T>);
  }

  /**
   * Like {@link Arc.fromForeign}, but NULL gives `null`.
   *
   * @example
   * ```ts
   * import { Arc } from '@rfl/sync';
   * Arc.tryFromForeign(0) // => null
   * ```
   */
  static tryFromForeign<T>(ptr: number): Arc<T> | null {
    return ptr === 0 ? null : Arc.fromForeign<T>(ptr);
  }

  /**
   * `ForeignOwnable::borrow`: an {@link ArcBorrow} of a value C owns, valid until C hands the
   * pointer back with `fromForeign`.
   *
   * @example
   * ```ts should_throw="ArcBorrow used after"
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * # import { dmesg_clear } from '@rfl/kernel';
   * # dmesg_clear();
   * const ptr = Arc.new({ id: 1 }, GFP_KERNEL).intoForeign();
   * const b = Arc.borrow<{ id: number }>(ptr);
   * Arc.fromForeign(ptr)[Symbol.dispose]();
   * b.value;
   * ```
   */
  static borrow<T>(ptr: number): ArcBorrow<T> {
    const inner = foreign.get(ptr, 'borrow') as ArcInner<T>;
    return new ArcBorrow(inner, () => foreign.has(ptr), 'foreign pointer');
  }

  /**
   * `ForeignOwnable::borrow_mut`: for an `Arc` the same shared borrow as {@link Arc.borrow}.
   *
   * @example
   * ```ts
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * const ptr = Arc.new(8, GFP_KERNEL).intoForeign();
   * Arc.borrowMut<number>(ptr).value // => 8
   * Arc.fromForeign(ptr)[Symbol.dispose]();
   * ```
   */
  static borrowMut<T>(ptr: number): ArcBorrow<T> {
    return Arc.borrow<T>(ptr);
  }

  /**
   * A {@link Weak} reference: it keeps the memory but not the value alive. This is an
   * extension: the kernel crate's `Arc` has no weak references.
   *
   * @example
   * ```ts
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * const a = Arc.new('vixen', GFP_KERNEL);
   * using w = a.downgrade();
   * w.upgrade()?.value // => 'vixen'
   * ```
   */
  downgrade(): Weak<T> {
    const inner = this._inner('downgrade');
    refcount_inc(inner.weak);
    return new Weak(inner);
  }

  /**
   * Moves the reference to a new handle; this one is poisoned.
   *
   * @example
   * ```ts should_throw="use of moved value: `Arc` in clone"
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * # import { dmesg_clear } from '@rfl/kernel';
   * # dmesg_clear();
   * const a = Arc.new(1, GFP_KERNEL);
   * using b = a.move();
   * a.clone();
   * ```
   */
  move(): this {
    return new Arc(this.#take('move')) as this;
  }

  /**
   * Drops this reference; the last one drops the value and frees the memory.
   *
   * @example
   * ```ts
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * const log: string[] = [];
   * const a = Arc.new({ [Symbol.dispose]: () => log.push('dropped') }, GFP_KERNEL);
   * const b = a.clone();
   * a[Symbol.dispose]();
   * log // => []
   * b[Symbol.dispose]();
   * log // => ['dropped']
   * ```
   */
  [Symbol.dispose](): void {
    const inner = this.#inner;
    if (inner === null) return;
    this.#inner = null;
    innerDropStrong(inner);
  }
}

/**
 * A borrow of an `Arc`'s value that holds no reference of its own (`ArcBorrow<'a, T>`): what
 * a callback gets when C owns the `Arc`. It cannot be disposed, and a use after its `Arc` is
 * gone is reported (`BUG: ArcBorrow used after its Arc was dropped`), since TypeScript cannot
 * check the lifetime the way rustc does.
 *
 * @example
 * ```ts
 * import { Arc } from '@rfl/sync';
 * import { GFP_KERNEL } from '@rfl/alloc';
 * using a = Arc.new({ name: 'kit' }, GFP_KERNEL);
 * const b = a.asArcBorrow();
 * b.value.name // => 'kit'
 * ```
 *
 * A borrow cannot be dropped: it owns nothing.
 * ```ts compile_fail=TS2850
 * import { Arc } from '@rfl/sync';
 * import { GFP_KERNEL } from '@rfl/alloc';
 * using a = Arc.new(1, GFP_KERNEL);
 * using b = a.asArcBorrow();
 * ```
 */
export class ArcBorrow<T> {
  readonly #inner: ArcInner<T>;
  readonly #alive: () => boolean;
  readonly #owner: string;

  /** @internal */
  constructor(inner: ArcInner<T>, alive: () => boolean, owner: string) {
    this.#inner = inner;
    this.#alive = alive;
    this.#owner = owner;
  }

  #check(use: string): ArcInner<T> {
    if (!this.#alive()) {
      const message = `ArcBorrow used after its ${this.#owner} was dropped (${use} of ${kaddr_hex(this.#inner.addr)})`;
      pr_err('BUG: %s\n', message);
      dump_stack(stack_capture(ArcBorrow.prototype.toArc));
      throw new Oops(message);
    }
    return this.#inner;
  }

  /**
   * The shared value.
   *
   * @example
   * ```ts
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * using a = Arc.new(7, GFP_KERNEL);
   * a.asArcBorrow().value // => 7
   * ```
   */
  get value(): Shared<T> {
    return this.#check('value').value as Shared<T>;
  }

  /**
   * A new `Arc` from the borrow, taking a reference: how a borrow that must outlive its scope
   * is kept alive.
   *
   * @example
   * ```ts
   * import { Arc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * import { readl } from '@rfl/kernel';
   * using a = Arc.new(7, GFP_KERNEL);
   * using b = a.asArcBorrow().toArc();
   * readl(a.addr) // => 2
   * ```
   */
  toArc(): Arc<T> {
    const inner = this.#check('to_arc');
    refcount_inc(inner.strong);
    return new Arc(inner);
  }
}
