import { move, NotThreadSafe, useOfMovedValue } from '@rfl/types';
import { InteriorMutable } from './shared.js';

/**
 * How a lock type takes and releases its C lock (`kernel::sync::lock::Backend`): `S` is the C
 * lock, `GS` what a guard must remember to unlock (the saved irq flags of `lockIrqsave`).
 * `lock` may sleep for a mutex (it returns a promise) and never does for a spinlock.
 *
 * @example
 * ```ts
 * import type { Backend } from '@rfl/sync';
 * import { DEFINE_RAW_SPINLOCK, raw_spin_lock, raw_spin_trylock, raw_spin_unlock, type raw_spinlock_t } from '@rfl/kernel';
 * const raw: Backend<raw_spinlock_t, true> = {
 *   lock: (s) => { raw_spin_lock(s); return true; },
 *   tryLock: (s) => (raw_spin_trylock(s) ? true : null),
 *   unlock: (s) => raw_spin_unlock(s),
 *   relock: (s) => { raw_spin_lock(s); return true; },
 * };
 * const l = DEFINE_RAW_SPINLOCK('raw');
 * raw.lock(l);
 * raw.tryLock(l) // => null
 * raw.unlock(l, true);
 * ```
 */
export interface Backend<S, GS> {
  lock(state: S): GS | Promise<GS>;
  tryLock(state: S): GS | null;
  unlock(state: S, guardState: GS): void;
  relock(state: S, guardState: GS): GS | Promise<GS>;
}

let friend: {
  get(l: AnyLock): unknown;
  set(l: AnyLock, v: unknown): void;
  unlock(l: AnyLock, gs: unknown): void;
  relock(l: AnyLock, gs: unknown): unknown;
};

/**
 * Data protected by a lock (`Lock<T, B>`): the data has no accessor of its own, and the only
 * way to it is a {@link Guard}, which unlocks when disposed. {@link Mutex} and
 * {@link SpinLock} are the two backends.
 *
 * @example
 * ```ts
 * import { type Lock, SpinLock } from '@rfl/sync';
 * function bump(l: Lock<number, unknown, unknown>) {
 *   return l;
 * }
 * const s = SpinLock.new(1);
 * bump(s) === s // => true
 * ```
 */
export abstract class Lock<T, S, GS> extends InteriorMutable {
  #data: T;
  readonly #state: S;
  readonly #backend: Backend<S, GS>;

  /** @internal */
  protected constructor(data: T, state: S, backend: Backend<S, GS>) {
    super();
    this.#data = move(data);
    this.#state = state;
    this.#backend = backend;
  }

  /** @internal */
  protected _lock(): Guard<T> | Promise<Guard<T>> {
    const gs = this.#backend.lock(this.#state);
    if (gs instanceof Promise) return gs.then((g) => this._adopt(g));
    return this._adopt(gs);
  }

  /** @internal */
  protected _tryLock(): Guard<T> | null {
    const gs = this.#backend.tryLock(this.#state);
    return gs === null ? null : this._adopt(gs);
  }

  /**
   * The raw C lock, for C functions that want it (`lockdep_assert_held`, `refcount_dec_and_lock`).
   *
   * @example
   * ```ts
   * import { SpinLock } from '@rfl/sync';
   * import { spin_is_locked } from '@rfl/kernel';
   * const s = SpinLock.new(0);
   * using g = s.lock();
   * // SAFETY: only reads the lock word.
   * spin_is_locked(s.raw()) // => true
   * ```
   */
  raw(): S {
    return this.#state;
  }

  /** @internal The guard of a lock the caller has just taken with guard state `gs`. */
  protected _adopt(gs: GS): Guard<T> {
    return new Guard<T>(this, gs);
  }

  static {
    // Guard is the lock's friend: these module-private functions are the only code outside the
    // class that reaches the data and the backend, and they are not exported.
    friend = {
      get: (l) => l.#data,
      set: (l, v) => {
        l.#data = v;
      },
      unlock: (l, gs) => l.#backend.unlock(l.#state, gs),
      relock: (l, gs) => l.#backend.relock(l.#state, gs),
    };
  }
}

type AnyLock = Lock<unknown, unknown, unknown>;

/**
 * Proof that a lock is held, and the only access to its data (`Guard<'a, T, B>`). Disposing
 * unlocks; a use afterwards is reported as a use of a moved value. A guard belongs to the task
 * that locked: the kernel unlocks on the CPU and task that locked.
 *
 * @example
 * ```ts
 * import { Mutex } from '@rfl/sync';
 * const m = Mutex.new({ count: 0 });
 * {
 *   using g = await m.lock();
 *   g.value.count += 1;
 * }
 * using g = await m.lock();
 * g.value.count // => 1
 * ```
 *
 * ```ts should_throw="use of moved value: `Guard` in value"
 * import { Mutex } from '@rfl/sync';
 * # import { dmesg_clear } from '@rfl/kernel';
 * # dmesg_clear();
 * const m = Mutex.new(0);
 * const g = await m.lock();
 * g[Symbol.dispose]();
 * g.value = 1;
 * ```
 */
export class Guard<T> implements Disposable {
  /**
   * The guard stays on the task that locked (`NotThreadSafe`): a function that hands data to
   * another task, typed with `Send<T>`, rejects it.
   *
   * @example
   * ```ts compile_fail=TS2345
   * import { SpinLock, type Guard } from '@rfl/sync';
   * import type { Send } from '@rfl/types';
   * function queueWork<T>(data: Send<T>): void {}
   * const s = SpinLock.new(0);
   * using g = s.lock();
   * queueWork<Guard<number>>(g);
   * ```
   */
  readonly notThreadSafe: NotThreadSafe = NotThreadSafe;
  readonly #lock: AnyLock;
  #gs: unknown;
  #held = true;

  /** @internal */
  constructor(lock: Lock<T, unknown, unknown>, gs: unknown) {
    this.#lock = lock as AnyLock;
    this.#gs = gs;
  }

  #live(use: string): AnyLock {
    if (!this.#held) throw useOfMovedValue('Guard', use);
    return this.#lock;
  }

  /**
   * The protected data (`Deref`/`DerefMut`).
   *
   * @example
   * ```ts
   * import { SpinLock } from '@rfl/sync';
   * const s = SpinLock.new(1);
   * using g = s.lock();
   * g.value *= 10;
   * g.value // => 10
   * ```
   */
  get value(): T {
    return friend.get(this.#live('value')) as T;
  }

  set value(v: T) {
    friend.set(this.#live('value'), v);
  }

  /**
   * The lock this guard holds, to check ownership (`LockedBy`) or to compare.
   *
   * @example
   * ```ts
   * import { SpinLock } from '@rfl/sync';
   * const s = SpinLock.new(1);
   * using g = s.lock();
   * g.lock === s // => true
   * ```
   */
  get lock(): Lock<T, unknown, unknown> {
    return this.#live('lock') as Lock<T, unknown, unknown>;
  }

  /**
   * Releases the lock while `cb` runs and takes it again afterwards (`Guard::do_unlocked`);
   * what `CondVar` does around its sleep.
   *
   * @example
   * ```ts
   * import { Mutex } from '@rfl/sync';
   * const m = Mutex.new(0);
   * using g = await m.lock();
   * await g.doUnlocked(() => m.tryLock() !== null) // => true
   * g.value // => 0
   * ```
   */
  async doUnlocked<R>(cb: () => R | Promise<R>): Promise<R> {
    const lock = this.#live('do_unlocked');
    friend.unlock(lock, this.#gs);
    this.#held = false;
    try {
      return await cb();
    } finally {
      const back = friend.relock(lock, this.#gs);
      this.#gs = back instanceof Promise ? await back : back;
      this.#held = true;
    }
  }

  /**
   * Unlocks; disposing twice unlocks once.
   *
   * @example
   * ```ts
   * import { Mutex } from '@rfl/sync';
   * const m = Mutex.new(0);
   * const g = await m.lock();
   * g[Symbol.dispose]();
   * g[Symbol.dispose]();
   * m.tryLock() !== null // => true
   * ```
   */
  [Symbol.dispose](): void {
    if (!this.#held) return;
    this.#held = false;
    friend.unlock(this.#lock, this.#gs);
  }
}
