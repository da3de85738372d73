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

/**
 * What a lock shares with its guards and nobody else: the data, the C lock and its backend.
 * A plain object that only the lock and its guards reference keeps the data private as the
 * friend closures over a `#data` field did, at the cost of one load; V8 inlines it, where
 * the closures kept it from optimising even a trivial guard away.
 */
interface LockCore<T, S, GS> {
  data: T;
  readonly state: S;
  readonly backend: Backend<S, GS>;
}

type AnyCore = LockCore<unknown, unknown, unknown>;

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
  readonly #core: LockCore<T, S, GS>;

  /** @internal */
  protected constructor(data: T, state: S, backend: Backend<S, GS>) {
    super();
    this.#core = { data: move(data), state, backend };
  }

  /** @internal */
  protected _lock(): Guard<T> | Promise<Guard<T>> {
    const gs = this.#core.backend.lock(this.#core.state);
    if (gs instanceof Promise) return gs.then((g) => this._adopt(g));
    return this._adopt(gs);
  }

  /** @internal */
  protected _tryLock(): Guard<T> | null {
    const gs = this.#core.backend.tryLock(this.#core.state);
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
    return this.#core.state;
  }

  /** @internal The guard of a lock the caller has just taken with guard state `gs`. */
  protected _adopt(gs: GS): Guard<T> {
    return new Guard<T>(this, this.#core as AnyCore, gs);
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
  // On the prototype (set below), not in each guard: one store less per lock, and a field
  // initialised from an imported binding kept V8 from optimising a short-lived guard away.
  declare readonly notThreadSafe: NotThreadSafe;
  readonly #lock: AnyLock;
  readonly #core: AnyCore;
  #gs: unknown;
  #held = true;

  static {
    Object.defineProperty(Guard.prototype, 'notThreadSafe', { value: NotThreadSafe });
  }

  /** @internal */
  constructor(lock: Lock<T, unknown, unknown>, core: AnyCore, gs: unknown) {
    this.#lock = lock as AnyLock;
    this.#core = core;
    this.#gs = gs;
  }

  #live(use: string): AnyCore {
    if (!this.#held) throw useOfMovedValue('Guard', use);
    return this.#core;
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
    return this.#live('value').data as T;
  }

  set value(v: T) {
    this.#live('value').data = v;
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
    this.#live('lock');
    return this.#lock as Lock<T, unknown, unknown>;
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
    const core = this.#live('do_unlocked');
    core.backend.unlock(core.state, this.#gs);
    this.#held = false;
    try {
      return await cb();
    } finally {
      const back = core.backend.relock(core.state, this.#gs);
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
    const core = this.#core;
    core.backend.unlock(core.state, this.#gs);
  }
}
