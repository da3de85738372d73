import { memcpy_from_js, memcpy_to_js, readb, writeb } from '@rfl/kernel';
import { drop, type Movable, move, useOfMovedValue } from '@rfl/types';
import type { Allocator, AllocatorName } from './allocator.js';
import { Kmalloc, KVmalloc, Vmalloc } from './allocator.js';
import type { Flags } from './flags.js';

const WORD = 8;

interface Buffer<T> {
  ptr: number;
  cap: number;
  len: number;
  /** Values of a value vector; unused by a byte vector, whose bytes are in kernel memory. */
  items: T[];
}

/**
 * A growable array in memory from allocator `A` (`Vec<T, A>`). Every growth takes explicit
 * GFP flags and may fail with `AllocError`, leaving the vector as it was. A byte vector
 * (`KVec.bytes()`) keeps its bytes in kernel memory, where KASAN checks every access; a value
 * vector keeps JavaScript values and charges a word of memory per slot of capacity.
 *
 * # Invariants
 *
 * `len <= capacity`; the allocation is `capacity` elements large (nothing for 0). Dropping the
 * vector drops its elements and frees the memory; a moved vector is poisoned.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, KVec } from '@rfl/alloc';
 * using v = KVec.new<number>();
 * v.push(1, GFP_KERNEL);
 * v.push(2, GFP_KERNEL);
 * v.push(3, GFP_KERNEL);
 * [...v] // => [1, 2, 3]
 * v.capacity // => 4
 * v.pop() // => 3
 * v.len // => 2
 * ```
 */
export class Vec<T, A extends AllocatorName = AllocatorName> implements Disposable, Movable {
  readonly #allocator: Allocator<A>;
  readonly #bytes: boolean;
  #buf: Buffer<T> | null;

  /** @internal */
  constructor(allocator: Allocator<A>, bytes: boolean, buf?: Buffer<T>) {
    this.#allocator = allocator;
    this.#bytes = bytes;
    this.#buf = buf ?? { ptr: WORD, cap: 0, len: 0, items: [] };
  }

  #typeName(): string {
    return { Kmalloc: 'KVec', Vmalloc: 'VVec', KVmalloc: 'KVVec' }[this.#allocator.name];
  }

  #live(use: string): Buffer<T> {
    if (this.#buf === null) throw useOfMovedValue(this.#typeName(), use);
    return this.#buf;
  }

  #elem(): number {
    return this.#bytes ? 1 : WORD;
  }

  /**
   * Which allocator owns the buffer; part of the type.
   *
   * @example
   * ```ts
   * import { KVVec } from '@rfl/alloc';
   * KVVec.new<number>().allocator // => 'KVmalloc'
   * ```
   */
  get allocator(): A {
    return this.#allocator.name;
  }

  /**
   * The number of elements.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * using v = KVec.fromElem(0, 5, GFP_KERNEL);
   * v.len // => 5
   * ```
   */
  get len(): number {
    return this.#live('len').len;
  }

  /**
   * How many elements fit without reallocating.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * using v = KVec.withCapacity<number>(10, GFP_KERNEL);
   * v.capacity // => 10
   * v.len // => 0
   * ```
   */
  get capacity(): number {
    return this.#live('capacity').cap;
  }

  /**
   * Whether there are no elements.
   *
   * @example
   * ```ts
   * import { KVec } from '@rfl/alloc';
   * KVec.new<number>().isEmpty() // => true
   * ```
   */
  isEmpty(): boolean {
    return this.len === 0;
  }

  /**
   * The kernel address of the buffer (a dangling, non-null one while nothing is allocated).
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * import { readb } from '@rfl/kernel';
   * using v = KVec.bytes();
   * v.extendFromSlice([7, 8], GFP_KERNEL);
   * readb(v.addr + 1) // => 8
   * ```
   */
  get addr(): number {
    return this.#live('addr').ptr;
  }

  /**
   * Makes room for at least `additional` more elements: the capacity at least doubles, so
   * pushes are amortised O(1). On failure the vector is unchanged.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * using v = KVec.new<number>();
   * v.reserve(3, GFP_KERNEL);
   * v.capacity // => 3
   * v.extendFromSlice([1, 2, 3, 4], GFP_KERNEL);
   * v.capacity // => 6
   * ```
   */
  reserve(additional: number, flags: Flags): void {
    const buf = this.#live('reserve');
    if (buf.len + additional <= buf.cap) return;
    const cap = Math.max(buf.cap * 2, buf.len + additional);
    const e = this.#elem();
    buf.ptr = this.#allocator.realloc(buf.ptr, buf.cap * e, cap * e, WORD, flags);
    buf.cap = cap;
  }

  /**
   * Appends `value`, growing the buffer with `flags` if it is full.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * using v = KVec.new<string>();
   * v.push('a', GFP_KERNEL);
   * v.toArray() // => ['a']
   * ```
   *
   * A failed growth throws and leaves the vector as it was:
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * import { failslab, fault_inject_reset, set_fail_nth } from '@rfl/kernel';
   * using v = KVec.new<number>();
   * failslab.ignore_gfp_reclaim = false;
   * failslab.attr.verbose = 0;
   * set_fail_nth(1);
   * let code = '';
   * try { v.push(1, GFP_KERNEL); } catch (e) { code = (e as { code: string }).code; }
   * fault_inject_reset();
   * code // => 'ENOMEM'
   * [v.len, v.capacity] // => [0, 0]
   * ```
   */
  push(value: T, flags: Flags): void {
    this.reserve(1, flags);
    this.#store(value);
  }

  /**
   * The seed series' spelling of {@link Vec.push} (`try_push`).
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * using v = KVec.new<number>();
   * v.tryPush(10, GFP_KERNEL);
   * v.len // => 1
   * ```
   */
  tryPush(value: T, flags: Flags): void {
    this.push(value, flags);
  }

  /**
   * Appends `value` if there is room, without allocating; returns whether it did.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * using v = KVec.withCapacity<number>(1, GFP_KERNEL);
   * v.pushWithinCapacity(1) // => true
   * v.pushWithinCapacity(2) // => false
   * v.toArray() // => [1]
   * ```
   */
  pushWithinCapacity(value: T): boolean {
    const buf = this.#live('push_within_capacity');
    if (buf.len === buf.cap) return false;
    this.#store(value);
    return true;
  }

  #store(value: T): void {
    const buf = this.#buf!;
    if (this.#bytes) writeb(value as number, buf.ptr + buf.len);
    else buf.items.push(move(value));
    buf.len += 1;
  }

  /**
   * Removes and returns the last element, or `null` if there is none.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * using v = KVec.new<number>();
   * v.pop() // => null
   * v.push(4, GFP_KERNEL);
   * v.pop() // => 4
   * ```
   */
  pop(): T | null {
    const buf = this.#live('pop');
    if (buf.len === 0) return null;
    buf.len -= 1;
    return this.#bytes ? (readb(buf.ptr + buf.len) as T) : (buf.items.pop() as T);
  }

  /**
   * The element at `index`, or `null` past the end.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * using v = KVec.fromElem('x', 2, GFP_KERNEL);
   * v.get(1) // => 'x'
   * v.get(2) // => null
   * ```
   */
  get(index: number): T | null {
    const buf = this.#live('get');
    if (!Number.isInteger(index) || index < 0 || index >= buf.len) return null;
    return this.#bytes ? (readb(buf.ptr + index) as T) : (buf.items[index] as T);
  }

  /**
   * Replaces the element at `index`, dropping the old one; an index past the end is a bug, as
   * indexing out of bounds panics in Rust.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * using v = KVec.fromElem(0, 2, GFP_KERNEL);
   * v.set(1, 9);
   * v.toArray() // => [0, 9]
   * ```
   *
   * ```ts should_throw="index out of bounds: the len is 2 but the index is 2"
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * using v = KVec.fromElem(0, 2, GFP_KERNEL);
   * v.set(2, 9);
   * ```
   */
  set(index: number, value: T): void {
    const buf = this.#live('set');
    if (!Number.isInteger(index) || index < 0 || index >= buf.len) {
      throw new RangeError(`index out of bounds: the len is ${buf.len} but the index is ${index}`);
    }
    if (this.#bytes) writeb(value as number, buf.ptr + index);
    else {
      drop(buf.items[index]);
      buf.items[index] = move(value);
    }
  }

  /**
   * Shortens the vector to `len` elements, dropping the rest; a longer `len` does nothing.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * using v = KVec.new<number>();
   * v.extendFromSlice([1, 2, 3], GFP_KERNEL);
   * v.truncate(1);
   * v.toArray() // => [1]
   * v.capacity // => 3
   * ```
   */
  truncate(len: number): void {
    const buf = this.#live('truncate');
    if (len >= buf.len) return;
    if (!this.#bytes) for (const item of buf.items.splice(len)) drop(item);
    buf.len = len;
  }

  /**
   * Drops every element, keeping the capacity.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * using v = KVec.fromElem(1, 3, GFP_KERNEL);
   * v.clear();
   * [v.len, v.capacity] // => [0, 3]
   * ```
   */
  clear(): void {
    this.truncate(0);
  }

  /**
   * Resizes to `newLen`: truncating, or appending copies of `value`.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * using v = KVec.new<number>();
   * v.resize(3, 7, GFP_KERNEL);
   * v.toArray() // => [7, 7, 7]
   * v.resize(1, 0, GFP_KERNEL);
   * v.toArray() // => [7]
   * ```
   */
  resize(newLen: number, value: T, flags: Flags): void {
    const len = this.len;
    if (newLen <= len) this.truncate(newLen);
    else this.extendWith(newLen - len, value, flags);
  }

  /**
   * Appends a copy of every element of `slice`, allocating once.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * using v = KVec.bytes();
   * v.extendFromSlice(new TextEncoder().encode('fox'), GFP_KERNEL);
   * new TextDecoder().decode(v.asBytes()) // => 'fox'
   * ```
   */
  extendFromSlice(slice: ArrayLike<T>, flags: Flags): void {
    this.reserve(slice.length, flags);
    const buf = this.#buf!;
    if (this.#bytes) {
      memcpy_from_js(buf.ptr + buf.len, Uint8Array.from(slice as ArrayLike<number>));
      buf.len += slice.length;
    } else for (let i = 0; i < slice.length; i++) this.#store(slice[i] as T);
  }

  /**
   * Appends `n` copies of `value`, allocating once.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * using v = KVec.new<string>();
   * v.extendWith(2, 'z', GFP_KERNEL);
   * v.toArray() // => ['z', 'z']
   * ```
   */
  extendWith(n: number, value: T, flags: Flags): void {
    this.reserve(n, flags);
    for (let i = 0; i < n; i++) this.#store(value);
  }

  /**
   * Removes every element and returns them in order; the capacity stays (`drain_all`).
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * using v = KVec.new<number>();
   * v.extendFromSlice([1, 2], GFP_KERNEL);
   * [...v.drainAll()] // => [1, 2]
   * [v.len, v.capacity] // => [0, 2]
   * ```
   */
  drainAll(): IterableIterator<T> {
    const items = this.toArray();
    const buf = this.#buf!;
    buf.items = [];
    buf.len = 0;
    return items[Symbol.iterator]();
  }

  /**
   * The elements, copied into a JavaScript array.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVVec } from '@rfl/alloc';
   * using v = KVVec.fromElem(true, 2, GFP_KERNEL);
   * v.toArray() // => [true, true]
   * ```
   */
  toArray(): T[] {
    const buf = this.#live('to_array');
    if (!this.#bytes) return buf.items.slice();
    return Array.from(memcpy_to_js(buf.ptr, buf.len)) as T[];
  }

  /**
   * The bytes of a byte vector, copied out of kernel memory.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * using v = KVec.bytes();
   * v.push(0x41, GFP_KERNEL);
   * v.asBytes() // => new Uint8Array([0x41])
   * ```
   */
  asBytes(): Uint8Array {
    const buf = this.#live('as_bytes');
    if (!this.#bytes) throw new TypeError(`${this.#typeName()} of values has no bytes`);
    return memcpy_to_js(buf.ptr, buf.len);
  }

  /**
   * Iterates over the elements.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KVec } from '@rfl/alloc';
   * using v = KVec.fromElem(2, 3, GFP_KERNEL);
   * let sum = 0;
   * for (const x of v) sum += x;
   * sum // => 6
   * ```
   */
  [Symbol.iterator](): IterableIterator<T> {
    return this.toArray()[Symbol.iterator]();
  }

  /**
   * Moves the vector into a new handle; this one is poisoned.
   *
   * @example
   * ```ts should_throw="use of moved value: `KVec` in len"
   * import { KVec } from '@rfl/alloc';
   * # import { dmesg_clear } from '@rfl/kernel';
   * # dmesg_clear();
   * const v = KVec.new<number>();
   * using w = v.move();
   * v.len;
   * ```
   */
  move(): this {
    const buf = this.#live('move');
    this.#buf = null;
    return new Vec<T, A>(this.#allocator, this.#bytes, buf) as this;
  }

  /**
   * Drops the elements and frees the buffer.
   *
   * @example
   * ```ts
   * import { GFP_KERNEL, KBox, KVec } from '@rfl/alloc';
   * const log: string[] = [];
   * const v = KVec.new<{ [Symbol.dispose](): void }>();
   * v.push({ [Symbol.dispose]: () => log.push('a') }, GFP_KERNEL);
   * v.push({ [Symbol.dispose]: () => log.push('b') }, GFP_KERNEL);
   * v[Symbol.dispose]();
   * log // => ['a', 'b']
   * ```
   */
  [Symbol.dispose](): void {
    const buf = this.#buf;
    if (buf === null) return;
    this.#buf = null;
    for (const item of buf.items) drop(item);
    this.#allocator.free(buf.ptr, buf.cap * this.#elem());
  }
}

/**
 * The constructors of a vector type (`KVec`, `VVec`, `KVVec`).
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, KVec, type VecType } from '@rfl/alloc';
 * const kind: VecType<'Kmalloc'> = KVec;
 * using v = kind.fromElem(1, 1, GFP_KERNEL);
 * v.len // => 1
 * ```
 */
export interface VecType<A extends AllocatorName> {
  /** An empty vector of values; allocates nothing. */
  'new'<T>(): Vec<T, A>;
  /** An empty byte vector whose bytes live in kernel memory. */
  bytes(): Vec<number, A>;
  /** An empty vector with room for `capacity` values. */
  withCapacity<T>(capacity: number, flags: Flags): Vec<T, A>;
  /** A vector of `n` copies of `value` (`vec![value; n]`). */
  fromElem<T>(value: T, n: number, flags: Flags): Vec<T, A>;
}

function vecType<A extends AllocatorName>(allocator: Allocator<A>): VecType<A> {
  return {
    new: <T>() => new Vec<T, A>(allocator, false),
    bytes: () => new Vec<number, A>(allocator, true),
    withCapacity<T>(capacity: number, flags: Flags) {
      const v = new Vec<T, A>(allocator, false);
      v.reserve(capacity, flags);
      return v;
    },
    fromElem<T>(value: T, n: number, flags: Flags) {
      const v = new Vec<T, A>(allocator, false);
      v.extendWith(n, value, flags);
      return v;
    },
  } as VecType<A>;
}

/**
 * A vector in kmalloc memory (`KVec<T>`).
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, KVec } from '@rfl/alloc';
 * using v = KVec.fromElem(0, 3, GFP_KERNEL);
 * v.toArray() // => [0, 0, 0]
 * ```
 */
export const KVec: VecType<'Kmalloc'> = vecType(Kmalloc);
export type KVec<T> = Vec<T, 'Kmalloc'>;

/**
 * A vector in vmalloc memory (`VVec<T>`).
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, VVec } from '@rfl/alloc';
 * import { is_vmalloc_addr } from '@rfl/kernel';
 * using v = VVec.bytes();
 * v.resize(100_000, 0, GFP_KERNEL);
 * is_vmalloc_addr(v.addr) // => true
 * ```
 */
export const VVec: VecType<'Vmalloc'> = vecType(Vmalloc);
export type VVec<T> = Vec<T, 'Vmalloc'>;

/**
 * A vector in kvmalloc memory (`KVVec<T>`).
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, KVVec } from '@rfl/alloc';
 * using v = KVVec.withCapacity<number>(4, GFP_KERNEL);
 * v.capacity // => 4
 * ```
 */
export const KVVec: VecType<'KVmalloc'> = vecType(KVmalloc);
export type KVVec<T> = Vec<T, 'KVmalloc'>;
