import { useOfMovedValue } from './moved.js';

/**
 * An object whose lifetime C manages with its own reference count (`struct task_struct`,
 * `struct device`, `struct file`): safe code may only take and drop references, through
 * {@link ARef}.
 *
 * @example
 * ```ts
 * import type { AlwaysRefCounted } from '@rfl/types';
 * class Fox implements AlwaysRefCounted {
 *   refs = 1;
 *   incRef() { this.refs++; }
 *   decRef() { this.refs--; }
 * }
 * const f: AlwaysRefCounted = new Fox();
 * f.incRef();
 * (f as Fox).refs // => 2
 * ```
 */
export interface AlwaysRefCounted {
  /** Takes a reference (`get_task_struct`, `get_device`, …). */
  incRef(): void;
  /** Drops a reference; the object may be freed. */
  decRef(): void;
}

/**
 * An owned reference to an {@link AlwaysRefCounted} object: it holds one reference, `clone()`
 * takes another, and disposing drops it.
 *
 * # Invariants
 *
 * While live, the handle owns one reference to its object; after `intoRaw()`, `move()` or
 * dispose it owns none and every use is reported.
 *
 * @example
 * ```ts
 * import { ARef, type AlwaysRefCounted } from '@rfl/types';
 * class Task implements AlwaysRefCounted {
 *   usage = 1;
 *   incRef() { this.usage++; }
 *   decRef() { this.usage--; }
 * }
 * const t = new Task();
 * {
 *   using a = ARef.from(t);
 *   using b = a.clone();
 *   t.usage // => 3
 *   b.get() === t // => true
 * }
 * t.usage // => 1
 * ```
 */
export class ARef<T extends AlwaysRefCounted> implements Disposable {
  #obj: T | null;

  private constructor(obj: T) {
    this.#obj = obj;
  }

  /**
   * Takes a new reference to `obj` (`From<&T>`).
   *
   * @example
   * ```ts
   * import { ARef } from '@rfl/types';
   * let n = 1;
   * const obj = { incRef: () => n++, decRef: () => n-- };
   * const r = ARef.from(obj);
   * n // => 2
   * r[Symbol.dispose]();
   * n // => 1
   * ```
   */
  static from<T extends AlwaysRefCounted>(obj: T): ARef<T> {
    obj.incRef();
    return new ARef(obj);
  }

  /**
   * Adopts a reference the caller already owns (`ARef::from_raw`), without taking a new one.
   *
   * @example
   * ```ts
   * import { ARef } from '@rfl/types';
   * let n = 1;
   * const obj = { incRef: () => n++, decRef: () => n-- };
   * const r = ARef.fromRaw(obj);
   * n // => 1
   * r[Symbol.dispose]();
   * n // => 0
   * ```
   */
  static fromRaw<T extends AlwaysRefCounted>(obj: T): ARef<T> {
    return new ARef(obj);
  }

  /**
   * The object, borrowed for as long as this reference lives.
   *
   * @example
   * ```ts
   * import { ARef } from '@rfl/types';
   * const obj = { name: 'kit', incRef() {}, decRef() {} };
   * ARef.from(obj).get().name // => 'kit'
   * ```
   */
  get(): T {
    if (this.#obj === null) throw useOfMovedValue('ARef', 'get');
    return this.#obj;
  }

  /**
   * Takes another reference to the same object.
   *
   * @example
   * ```ts
   * import { ARef } from '@rfl/types';
   * let n = 1;
   * const r = ARef.fromRaw({ incRef: () => n++, decRef: () => n-- });
   * const c = r.clone();
   * n // => 2
   * ```
   */
  clone(): ARef<T> {
    return ARef.from(this.get());
  }

  /**
   * Gives the reference up without dropping it (`ARef::into_raw`); the handle is poisoned.
   *
   * @example
   * ```ts
   * import { ARef } from '@rfl/types';
   * let n = 1;
   * const obj = { incRef: () => n++, decRef: () => n-- };
   * const raw = ARef.fromRaw(obj).intoRaw();
   * raw === obj // => true
   * n // => 1
   * ```
   */
  intoRaw(): T {
    const obj = this.get();
    this.#obj = null;
    return obj;
  }

  /**
   * Moves the reference to a new handle; this one is poisoned.
   *
   * @example
   * ```ts should_throw="use of moved value: `ARef`"
   * import { ARef } from '@rfl/types';
   * # import { dmesg_clear } from '@rfl/kernel';
   * # dmesg_clear();
   * const r = ARef.fromRaw({ incRef() {}, decRef() {} });
   * const s = r.move();
   * r.get();
   * ```
   */
  move(): this {
    return new ARef(this.intoRaw()) as this;
  }

  /**
   * Drops the reference.
   *
   * @example
   * ```ts
   * import { ARef } from '@rfl/types';
   * let n = 1;
   * const r = ARef.fromRaw({ incRef: () => n++, decRef: () => n-- });
   * r[Symbol.dispose]();
   * r[Symbol.dispose]();
   * n // => 0
   * ```
   */
  [Symbol.dispose](): void {
    const obj = this.#obj;
    if (obj === null) return;
    this.#obj = null;
    obj.decRef();
  }
}
