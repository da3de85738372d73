import {
  spin_lock,
  spin_lock_init,
  spin_lock_irqsave,
  spin_trylock,
  spin_unlock,
  spin_unlock_irqrestore,
  spinlock_t,
  stack_capture,
} from '@rfl/kernel';
import { type Backend, type Guard, Lock } from './lock.js';
import { LockClassKey, siteName } from './lock-class-key.js';

// The C calls of the fast path, as module-private constants: V8 checks on every read of an
// imported binding that it is initialised, and that check's throwing path kept it from
// optimising away the guard, which is live when dispose calls spin_unlock().
const lock_spin = spin_lock;
const unlock_spin = spin_unlock;
const unlock_spin_irqrestore = spin_unlock_irqrestore;

/** The guard state of a spinlock: the saved irq flags of `lockIrqsave`, or `null`. */
type SpinState = { readonly irqFlags: number | null };

const plain: SpinState = { irqFlags: null };

const spinBackend: Backend<spinlock_t, SpinState> = {
  lock(s) {
    spin_lock(s);
    return plain;
  },
  tryLock: (s) => (spin_trylock(s) ? plain : null),
  unlock(s, gs) {
    if (gs.irqFlags === null) unlock_spin(s);
    else unlock_spin_irqrestore(s, gs.irqFlags);
  },
  relock(s, gs) {
    if (gs.irqFlags === null) {
      spin_lock(s);
      return plain;
    }
    return { irqFlags: spin_lock_irqsave(s) };
  },
};

const irqsaveBackend: Backend<spinlock_t, SpinState> = {
  ...spinBackend,
  lock: (s) => ({ irqFlags: spin_lock_irqsave(s) }),
};

/**
 * A spinning lock (`kernel::sync::SpinLock`, over `spinlock_t`): holding it is atomic
 * context — preemption is off and sleeping is a bug — so `lock()` is synchronous. The name
 * defaults to the `file:line` of the call and the lockdep class to the call site.
 *
 * @example
 * ```ts
 * import { SpinLock } from '@rfl/sync';
 * import { in_atomic } from '@rfl/kernel';
 * const counter = SpinLock.new(0);
 * {
 *   using g = counter.lock();
 *   in_atomic() // => true
 *   g.value += 1;
 * }
 * in_atomic() // => false
 * ```
 *
 * ```ts compile_fail=TS2339
 * import { SpinLock } from '@rfl/sync';
 * SpinLock.new(0).data;
 * ```
 */
export class SpinLock<T> extends Lock<T, spinlock_t, SpinState> {
  /** The C lock again, so that `lock()` calls `spin_lock` directly, not through the backend. */
  readonly #spin: spinlock_t;

  private constructor(data: T, name: string, key: LockClassKey) {
    const s = new spinlock_t();
    spin_lock_init(s, name, key.asRaw());
    super(data, s, spinBackend);
    this.#spin = s;
  }

  /**
   * A spinlock protecting `data`.
   *
   * @example
   * ```ts
   * import { SpinLock } from '@rfl/sync';
   * SpinLock.new(0, 'fox_lock').raw().dep_map?.name // => 'fox_lock'
   * ```
   */
  static new<T>(data: T, name?: string, key?: LockClassKey): SpinLock<T> {
    const site = stack_capture(SpinLock.new);
    return new SpinLock(data, name ?? siteName(site), key ?? LockClassKey.fromSite(site));
  }

  /**
   * Takes the lock, spinning while another CPU holds it.
   *
   * @example
   * ```ts
   * import { SpinLock } from '@rfl/sync';
   * const s = SpinLock.new([1]);
   * using g = s.lock();
   * g.value // => [1]
   * ```
   */
  lock(): Guard<T> {
    lock_spin(this.#spin);
    return this._adopt(plain);
  }

  /**
   * Takes the lock with interrupts disabled, saving their state; the guard restores it
   * (`spin_lock_irqsave`/`spin_unlock_irqrestore`).
   *
   * @example
   * ```ts
   * import { SpinLock } from '@rfl/sync';
   * import { irqs_disabled, local_irq_disable, local_irq_enable } from '@rfl/kernel';
   * const s = SpinLock.new(0);
   * {
   *   using g = s.lockIrqsave();
   *   irqs_disabled() // => true
   * }
   * irqs_disabled() // => false
   * local_irq_disable();
   * {
   *   using g = s.lockIrqsave();
   * }
   * irqs_disabled() // => true
   * local_irq_enable();
   * ```
   */
  lockIrqsave(): Guard<T> {
    const gs = irqsaveBackend.lock(this.raw()) as SpinState;
    return this._adopt(gs);
  }

  /**
   * Takes the lock if it is free; `null` otherwise.
   *
   * @example
   * ```ts
   * import { SpinLock } from '@rfl/sync';
   * const s = SpinLock.new(0);
   * using g = s.lock();
   * s.tryLock() // => null
   * ```
   */
  tryLock(): Guard<T> | null {
    return this._tryLock();
  }
}
