import { dump_stack, Oops, pr_err, stack_capture } from '@rfl/kernel';
import { move } from '@rfl/types';
import type { Guard, Lock } from './lock.js';
import { InteriorMutable } from './shared.js';

/**
 * Data protected by a lock that lives elsewhere (`LockedBy<T, U>`): typically per-object data
 * guarded by a lock in a shared parent. Access requires a guard of that very lock; a guard of
 * any other lock is a bug, reported as the kernel crate panics on it (`mismatched owners`).
 *
 * @example
 * ```ts
 * import { LockedBy, Mutex } from '@rfl/sync';
 * const inventory = Mutex.new({ totalFoxes: 0 });
 * const den = LockedBy.new(inventory, { foxes: 0 });
 * {
 *   using g = await inventory.lock();
 *   den.accessMut(g).foxes += 2;
 *   g.value.totalFoxes += 2;
 * }
 * using g = await inventory.lock();
 * den.access(g).foxes // => 2
 * ```
 *
 * ```ts should_throw="mismatched owners"
 * import { LockedBy, Mutex } from '@rfl/sync';
 * # import { dmesg_clear } from '@rfl/kernel';
 * # dmesg_clear();
 * const a = Mutex.new(0);
 * const b = Mutex.new(0);
 * const data = LockedBy.new(a, 'x');
 * using g = await b.lock();
 * data.access(g);
 * ```
 */
export class LockedBy<T, U> extends InteriorMutable {
  readonly #owner: Lock<U, unknown, unknown>;
  #data: T;

  private constructor(owner: Lock<U, unknown, unknown>, data: T) {
    super();
    this.#owner = owner;
    this.#data = move(data);
  }

  /**
   * Data protected by `owner`.
   *
   * @example
   * ```ts
   * import { LockedBy, SpinLock } from '@rfl/sync';
   * const lock = SpinLock.new(null);
   * const counter = LockedBy.new(lock, 0);
   * using g = lock.lock();
   * counter.access(g) // => 0
   * ```
   */
  static new<T, U>(owner: Lock<U, unknown, unknown>, data: T): LockedBy<T, U> {
    return new LockedBy(owner, data);
  }

  #check(guard: Guard<U>): void {
    if (guard.lock !== this.#owner) {
      pr_err('BUG: LockedBy: mismatched owners\n');
      dump_stack(stack_capture(LockedBy.prototype.access));
      throw new Oops('LockedBy: mismatched owners');
    }
  }

  /**
   * Shared access, given a guard of the owner lock.
   *
   * @example
   * ```ts
   * import { LockedBy, SpinLock } from '@rfl/sync';
   * const lock = SpinLock.new(0);
   * const names = LockedBy.new(lock, ['kit']);
   * using g = lock.lock();
   * names.access(g) // => ['kit']
   * ```
   */
  access(guard: Guard<U>): Readonly<T> {
    this.#check(guard);
    return this.#data;
  }

  /**
   * Exclusive access, given a guard of the owner lock.
   *
   * @example
   * ```ts
   * import { LockedBy, SpinLock } from '@rfl/sync';
   * const lock = SpinLock.new(0);
   * const n = LockedBy.new(lock, { v: 1 });
   * using g = lock.lock();
   * n.accessMut(g).v = 2;
   * n.access(g).v // => 2
   * ```
   */
  accessMut(guard: Guard<U>): T {
    this.#check(guard);
    return this.#data;
  }
}
