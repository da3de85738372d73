import type { Flags, MaybeUninit } from '@rfl/alloc';
import { useOfMovedValue } from '@rfl/types';
import { Arc } from './arc.js';
import { type ArcInner, innerDropStrong, innerNew } from './inner.js';

/**
 * An `Arc` known to be the only reference (`UniqueArc<T>`): its value may be changed, and it
 * becomes a shared `Arc` with {@link UniqueArc.intoArc}. Used to initialise an object before
 * sharing it.
 *
 * @example
 * ```ts
 * import { UniqueArc } from '@rfl/sync';
 * import { GFP_KERNEL } from '@rfl/alloc';
 * const u = UniqueArc.new({ ready: false }, GFP_KERNEL);
 * u.value.ready = true;
 * using a = u.intoArc();
 * a.value.ready // => true
 * ```
 */
export class UniqueArc<T> implements Disposable {
  #inner: ArcInner<T> | null;

  /** @internal */
  constructor(inner: ArcInner<T>) {
    this.#inner = inner;
  }

  /**
   * Allocates a unique reference to `value`.
   *
   * @example
   * ```ts
   * import { UniqueArc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * using u = UniqueArc.new(1, GFP_KERNEL);
   * u.value = 2;
   * u.value // => 2
   * ```
   */
  static new<T>(value: T, flags: Flags): UniqueArc<T> {
    return new UniqueArc(innerNew(value, flags));
  }

  /**
   * Allocates first, to write the value later (`UniqueArc::new_uninit`): the allocation can
   * fail where failing is easy, the write cannot.
   *
   * @example
   * ```ts
   * import { UniqueArc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * const u = UniqueArc.newUninit<string>(GFP_KERNEL);
   * using a = u.write('ready').intoArc();
   * a.value // => 'ready'
   * ```
   */
  static newUninit<T>(flags: Flags): UniqueArc<MaybeUninit<T>> {
    return new UniqueArc(innerNew(undefined as unknown as MaybeUninit<T>, flags));
  }

  #take(use: string): ArcInner<T> {
    const inner = this.#live(use);
    this.#inner = null;
    return inner;
  }

  #live(use: string): ArcInner<T> {
    if (this.#inner === null) throw useOfMovedValue('UniqueArc', use);
    return this.#inner;
  }

  /**
   * Writes the value of an uninitialised `UniqueArc`; this handle moves into the result.
   *
   * @example
   * ```ts
   * import { UniqueArc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * using u = UniqueArc.newUninit<number>(GFP_KERNEL).write(3);
   * u.value // => 3
   * ```
   */
  write<U>(this: UniqueArc<MaybeUninit<U>>, value: U): UniqueArc<U> {
    const inner = this.#take('write') as unknown as ArcInner<U>;
    inner.value = value;
    return new UniqueArc(inner);
  }

  /**
   * The value, mutable since no one else can see it.
   *
   * @example
   * ```ts
   * import { UniqueArc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * using u = UniqueArc.new([1], GFP_KERNEL);
   * u.value.push(2);
   * u.value // => [1, 2]
   * ```
   */
  get value(): T {
    return this.#live('value').value;
  }

  set value(v: T) {
    this.#live('value').value = v;
  }

  /**
   * Shares the value: converts into an `Arc` with the same single reference.
   *
   * @example
   * ```ts should_throw="use of moved value: `UniqueArc`"
   * import { UniqueArc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * # import { dmesg_clear } from '@rfl/kernel';
   * # dmesg_clear();
   * const u = UniqueArc.new(1, GFP_KERNEL);
   * using a = u.intoArc();
   * u.value = 2;
   * ```
   */
  intoArc(): Arc<T> {
    return new Arc(this.#take('into_arc'));
  }

  /**
   * Drops the value and frees the memory.
   *
   * @example
   * ```ts
   * import { UniqueArc } from '@rfl/sync';
   * import { GFP_KERNEL } from '@rfl/alloc';
   * const log: string[] = [];
   * const u = UniqueArc.new({ [Symbol.dispose]: () => log.push('gone') }, GFP_KERNEL);
   * u[Symbol.dispose]();
   * log // => ['gone']
   * ```
   */
  [Symbol.dispose](): void {
    const inner = this.#inner;
    if (inner === null) return;
    this.#inner = null;
    innerDropStrong(inner);
  }
}
