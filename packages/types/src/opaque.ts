/**
 * A C object that safe code holds but does not look into (`Opaque<T>`): a `spinlock_t`, a
 * `wait_queue_head`, a `struct device` the C side may change at any time. The only way to the
 * object is {@link Opaque.get}, whose callers pass it to C functions under a `// SAFETY:`
 * comment; there is no field to read.
 *
 * @example
 * ```ts
 * import { Opaque } from '@rfl/types';
 * import { DECLARE_WAIT_QUEUE_HEAD, waitqueue_active } from '@rfl/kernel';
 * const wq = Opaque.ffiInit(() => DECLARE_WAIT_QUEUE_HEAD());
 * // SAFETY: `wq` was initialised by `DECLARE_WAIT_QUEUE_HEAD()`.
 * waitqueue_active(wq.get()) // => false
 * ```
 *
 * ```ts compile_fail=TS2339
 * import { Opaque } from '@rfl/types';
 * import { DECLARE_WAIT_QUEUE_HEAD } from '@rfl/kernel';
 * const wq = Opaque.ffiInit(() => DECLARE_WAIT_QUEUE_HEAD());
 * wq.head;
 * ```
 */
export class Opaque<T> {
  #value: T | undefined;
  #init: boolean;

  private constructor(value: T | undefined, init: boolean) {
    this.#value = value;
    this.#init = init;
  }

  /**
   * An opaque object initialised by C: `init` runs once and its result is the object.
   *
   * @example
   * ```ts
   * import { Opaque } from '@rfl/types';
   * Opaque.ffiInit(() => ({ magic: 0xdead })).get().magic // => 0xdead
   * ```
   */
  static ffiInit<T>(init: () => T): Opaque<T> {
    return new Opaque(init(), true);
  }

  /**
   * An object that is not initialised yet; {@link Opaque.get} reports it until
   * {@link Opaque.write} is called.
   *
   * @example
   * ```ts
   * import { Opaque } from '@rfl/types';
   * const o = Opaque.uninit<number>();
   * o.write(4);
   * o.get() // => 4
   * ```
   */
  static uninit<T>(): Opaque<T> {
    return new Opaque<T>(undefined, false);
  }

  /**
   * Initialises an {@link Opaque.uninit} object in place.
   *
   * @example
   * ```ts
   * import { Opaque } from '@rfl/types';
   * const o = Opaque.uninit<string>();
   * o.write('ready');
   * o.get() // => 'ready'
   * ```
   */
  write(value: T): void {
    this.#value = value;
    this.#init = true;
  }

  /**
   * The raw object, for C functions only.
   *
   * @example
   * ```ts should_throw="uninitialised"
   * import { Opaque } from '@rfl/types';
   * Opaque.uninit<number>().get();
   * ```
   */
  get(): T {
    if (!this.#init) throw new Error('Opaque::get() of an uninitialised object');
    return this.#value as T;
  }
}
