/**
 * `atomic_t`, `atomic64_t` and the access-once/acquire/release helpers
 * (include/linux/atomic, include/asm-generic/rwonce.h, asm-generic/barrier.h).
 *
 * An atomic counter lives in a `SharedArrayBuffer`, so the same counter may be shared with
 * a device model in a worker thread; while such a thread runs, every operation is an
 * `Atomics` call (see `atomic_threads_get`). The
 * counter can be private (`ATOMIC_INIT`) or placed over any shared memory
 * (`atomic_t.at`). `atomic_t` wraps at 32 bits like C `int`; `atomic64_t` holds a
 * `bigint`.
 *
 * `Atomics` operations are sequentially consistent, which is stronger than the kernel's
 * relaxed, acquire and release variants: those are all the same operation here.
 *
 * @example
 * ```ts
 * import { ATOMIC_INIT, atomic_dec_and_test, atomic_inc, atomic_read } from '@rfl/kernel';
 * const users = ATOMIC_INIT(1);
 * atomic_inc(users);
 * atomic_read(users) // => 2
 * atomic_dec_and_test(users) // => false
 * atomic_dec_and_test(users) // => true
 * ```
 *
 * @module
 */

/** A 32-bit atomic counter (`atomic_t`). */
export class atomic_t {
  /** The word the counter is; index `index` of `view`. */
  readonly view: Int32Array;
  readonly index: number;

  constructor(view: Int32Array = new Int32Array(new SharedArrayBuffer(4)), index = 0) {
    this.view = view;
    this.index = index;
  }

  /** The counter at `byteOffset` (4-byte aligned) of shared memory. */
  static at(buffer: SharedArrayBuffer, byteOffset: number): atomic_t {
    return new atomic_t(new Int32Array(buffer, byteOffset, 1), 0);
  }
}

/** A 64-bit atomic counter (`atomic64_t`). */
export class atomic64_t {
  readonly view: BigInt64Array;
  readonly index: number;

  constructor(view: BigInt64Array = new BigInt64Array(new SharedArrayBuffer(8)), index = 0) {
    this.view = view;
    this.index = index;
  }

  /** The counter at `byteOffset` (8-byte aligned) of shared memory. */
  static at(buffer: SharedArrayBuffer, byteOffset: number): atomic64_t {
    return new atomic64_t(new BigInt64Array(buffer, byteOffset, 1), 0);
  }
}

export function ATOMIC_INIT(i: number): atomic_t {
  const v = new atomic_t();
  atomic_set(v, i);
  return v;
}

export function ATOMIC64_INIT(i: bigint): atomic64_t {
  const v = new atomic64_t();
  atomic64_set(v, i);
  return v;
}

/* atomic_t */

/*
 * Whether another thread can see shared memory: the worker of a device model holds the
 * machine's memory from before it starts until it exits (io/worker-device.ts). Without one,
 * the only thread is this one, and a plain read-modify-write of the typed array is exactly as
 * atomic as an `Atomics` call, which TurboFan does not inline in Node 20: a pair of
 * `Atomics.add`/`Atomics.sub` costs 25-36 ns, the plain pair 5 ns, and every refcount_t (an
 * `Arc` clone and drop) is such a pair. The 32-bit operations below take the plain path
 * while no other thread exists.
 */
const smp = { threads: 0 };

/**
 * Announces a thread that shares memory with this one (a device model's worker), before it
 * starts: from then on `atomic_t` operations use `Atomics`. Undone by `atomic_threads_put`.
 *
 * @example
 * ```ts
 * import { ATOMIC_INIT, atomic_inc_return, atomic_threads_get, atomic_threads_put } from '@rfl/kernel';
 * const v = ATOMIC_INIT(1);
 * atomic_threads_get();
 * atomic_inc_return(v) // => 2
 * atomic_threads_put();
 * atomic_inc_return(v) // => 3
 * ```
 */
export function atomic_threads_get(): void {
  smp.threads += 1;
}

/** The thread announced by `atomic_threads_get` has exited. */
export function atomic_threads_put(): void {
  if (smp.threads === 0) throw new RangeError('atomic_threads_put() without atomic_threads_get()');
  smp.threads -= 1;
}

/** Adds `i` (wrapping at 32 bits) and returns the old value. */
function fetch_add(v: atomic_t, i: number): number {
  if (smp.threads !== 0) return Atomics.add(v.view, v.index, i);
  const view = v.view;
  const index = v.index;
  const old = view[index] as number;
  view[index] = old + i;
  return old;
}

/** Applies a bitwise operation and returns the old value. */
function fetch_and(v: atomic_t, i: number): number {
  if (smp.threads !== 0) return Atomics.and(v.view, v.index, i);
  const old = v.view[v.index] as number;
  v.view[v.index] = old & i;
  return old;
}
function fetch_or(v: atomic_t, i: number): number {
  if (smp.threads !== 0) return Atomics.or(v.view, v.index, i);
  const old = v.view[v.index] as number;
  v.view[v.index] = old | i;
  return old;
}
function fetch_xor(v: atomic_t, i: number): number {
  if (smp.threads !== 0) return Atomics.xor(v.view, v.index, i);
  const old = v.view[v.index] as number;
  v.view[v.index] = old ^ i;
  return old;
}

export function atomic_read(v: atomic_t): number {
  if (smp.threads !== 0) return Atomics.load(v.view, v.index);
  return v.view[v.index] as number;
}
export function atomic_set(v: atomic_t, i: number): void {
  if (smp.threads !== 0) Atomics.store(v.view, v.index, i);
  else v.view[v.index] = i;
}
export function atomic_add(i: number, v: atomic_t): void {
  fetch_add(v, i);
}
export function atomic_sub(i: number, v: atomic_t): void {
  fetch_add(v, -i);
}
export function atomic_inc(v: atomic_t): void {
  fetch_add(v, 1);
}
export function atomic_dec(v: atomic_t): void {
  fetch_add(v, -1);
}
/** Adds and returns the old value. */
export function atomic_fetch_add(i: number, v: atomic_t): number {
  return fetch_add(v, i);
}
export function atomic_fetch_sub(i: number, v: atomic_t): number {
  return fetch_add(v, -i);
}
export function atomic_fetch_and(i: number, v: atomic_t): number {
  return fetch_and(v, i);
}
export function atomic_fetch_or(i: number, v: atomic_t): number {
  return fetch_or(v, i);
}
export function atomic_fetch_xor(i: number, v: atomic_t): number {
  return fetch_xor(v, i);
}
export function atomic_and(i: number, v: atomic_t): void {
  fetch_and(v, i);
}
export function atomic_or(i: number, v: atomic_t): void {
  fetch_or(v, i);
}
export function atomic_xor(i: number, v: atomic_t): void {
  fetch_xor(v, i);
}
/** Adds and returns the new value. */
export function atomic_add_return(i: number, v: atomic_t): number {
  return (fetch_add(v, i) + i) | 0;
}
export function atomic_sub_return(i: number, v: atomic_t): number {
  return (fetch_add(v, -i) - i) | 0;
}
export function atomic_inc_return(v: atomic_t): number {
  return atomic_add_return(1, v);
}
export function atomic_dec_return(v: atomic_t): number {
  return atomic_sub_return(1, v);
}
export function atomic_dec_and_test(v: atomic_t): boolean {
  return atomic_dec_return(v) === 0;
}
export function atomic_inc_and_test(v: atomic_t): boolean {
  return atomic_inc_return(v) === 0;
}
export function atomic_sub_and_test(i: number, v: atomic_t): boolean {
  return atomic_sub_return(i, v) === 0;
}
export function atomic_add_negative(i: number, v: atomic_t): boolean {
  return atomic_add_return(i, v) < 0;
}
/** Stores `i` and returns the old value. */
export function atomic_xchg(v: atomic_t, i: number): number {
  if (smp.threads !== 0) return Atomics.exchange(v.view, v.index, i);
  const found = v.view[v.index] as number;
  v.view[v.index] = i;
  return found;
}
/** Stores `new_` if the value is `old`; returns the value found. */
export function atomic_cmpxchg(v: atomic_t, old: number, new_: number): number {
  if (smp.threads !== 0) return Atomics.compareExchange(v.view, v.index, old, new_);
  const found = v.view[v.index] as number;
  if (found === (old | 0)) v.view[v.index] = new_;
  return found;
}
/** Adds `a` unless the value is `u`; returns the old value. */
export function atomic_fetch_add_unless(v: atomic_t, a: number, u: number): number {
  let c = atomic_read(v);
  for (;;) {
    if (c === u) return c;
    const found = atomic_cmpxchg(v, c, (c + a) | 0);
    if (found === c) return c;
    c = found;
  }
}
export function atomic_add_unless(v: atomic_t, a: number, u: number): boolean {
  return atomic_fetch_add_unless(v, a, u) !== u;
}
export function atomic_inc_not_zero(v: atomic_t): boolean {
  return atomic_add_unless(v, 1, 0);
}
/** Decrements unless that would go below zero; returns the decremented value. */
export function atomic_dec_if_positive(v: atomic_t): number {
  let c = atomic_read(v);
  for (;;) {
    const dec = (c - 1) | 0;
    if (dec < 0) return dec;
    const found = atomic_cmpxchg(v, c, dec);
    if (found === c) return dec;
    c = found;
  }
}
export const atomic_read_acquire = atomic_read;
export const atomic_set_release = atomic_set;
export const atomic_fetch_add_relaxed = atomic_fetch_add;
export const atomic_fetch_sub_release = atomic_fetch_sub;

/* atomic64_t */

export function atomic64_read(v: atomic64_t): bigint {
  return Atomics.load(v.view, v.index);
}
export function atomic64_set(v: atomic64_t, i: bigint): void {
  Atomics.store(v.view, v.index, i);
}
export function atomic64_add(i: bigint, v: atomic64_t): void {
  Atomics.add(v.view, v.index, i);
}
export function atomic64_sub(i: bigint, v: atomic64_t): void {
  Atomics.sub(v.view, v.index, i);
}
export function atomic64_inc(v: atomic64_t): void {
  Atomics.add(v.view, v.index, 1n);
}
export function atomic64_dec(v: atomic64_t): void {
  Atomics.sub(v.view, v.index, 1n);
}
export function atomic64_fetch_add(i: bigint, v: atomic64_t): bigint {
  return Atomics.add(v.view, v.index, i);
}
export function atomic64_add_return(i: bigint, v: atomic64_t): bigint {
  return BigInt.asIntN(64, Atomics.add(v.view, v.index, i) + i);
}
export function atomic64_sub_return(i: bigint, v: atomic64_t): bigint {
  return BigInt.asIntN(64, Atomics.sub(v.view, v.index, i) - i);
}
export function atomic64_inc_return(v: atomic64_t): bigint {
  return atomic64_add_return(1n, v);
}
export function atomic64_dec_return(v: atomic64_t): bigint {
  return atomic64_sub_return(1n, v);
}
export function atomic64_dec_and_test(v: atomic64_t): boolean {
  return atomic64_dec_return(v) === 0n;
}
export function atomic64_xchg(v: atomic64_t, i: bigint): bigint {
  return Atomics.exchange(v.view, v.index, i);
}
export function atomic64_cmpxchg(v: atomic64_t, old: bigint, new_: bigint): bigint {
  return Atomics.compareExchange(v.view, v.index, old, new_);
}

/* Access-once and ordered accesses. */

type IntegerArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

function is_shared_integer_array(a: unknown): a is IntegerArray {
  return (
    ArrayBuffer.isView(a) &&
    a.buffer instanceof SharedArrayBuffer &&
    !(a instanceof Float32Array) &&
    !(a instanceof Float64Array) &&
    !(a instanceof Uint8ClampedArray) &&
    !(a instanceof DataView)
  );
}

/**
 * Reads `obj[key]` exactly once. On an integer array over shared memory it is an
 * `Atomics.load`, so a value written by another thread is seen whole; on ordinary
 * objects a JavaScript property read already is a single access.
 */
export function READ_ONCE<T extends object, K extends keyof T>(obj: T, key: K): T[K] {
  if (is_shared_integer_array(obj)) {
    return Atomics.load(obj as unknown as Int32Array, key as unknown as number) as T[K];
  }
  return obj[key];
}

/** Writes `obj[key] = value` exactly once (an `Atomics.store` on shared memory). */
export function WRITE_ONCE<T extends object, K extends keyof T>(obj: T, key: K, value: T[K]): void {
  if (is_shared_integer_array(obj)) {
    Atomics.store(obj as unknown as Int32Array, key as unknown as number, value as number);
    return;
  }
  obj[key] = value;
}

/**
 * A load that later accesses cannot move before: pairs with smp_store_release() on the
 * same location, e.g. a ring index published by a device model.
 */
export function smp_load_acquire<T extends object, K extends keyof T>(obj: T, key: K): T[K] {
  return READ_ONCE(obj, key);
}

/** A store that earlier accesses cannot move after: publishes data written before it. */
export function smp_store_release<T extends object, K extends keyof T>(
  obj: T,
  key: K,
  value: T[K],
): void {
  WRITE_ONCE(obj, key, value);
}
