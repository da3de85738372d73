import { rcu_read_lock, rcu_read_unlock, synchronize_rcu } from '@rfl/kernel';
import { useOfMovedValue } from '@rfl/types';

/**
 * An RCU read-side critical section (`rcu::Guard`): `rcu_read_lock()` when made,
 * `rcu_read_unlock()` when disposed. Data published under RCU may be read while it lives; a
 * grace period cannot end before it is dropped.
 *
 * @example
 * ```ts
 * import { rcu } from '@rfl/sync';
 * import { current } from '@rfl/kernel';
 * {
 *   using _g = rcu.readLock();
 *   current().rcu_read_lock_nesting // => 1
 * }
 * current().rcu_read_lock_nesting // => 0
 * ```
 */
export class RcuGuard implements Disposable {
  #held = true;

  /** @internal */
  constructor() {
    rcu_read_lock();
  }

  /** @internal */
  _check(use: string): void {
    if (!this.#held) throw useOfMovedValue('rcu::Guard', use);
  }

  /**
   * Leaves the read-side critical section; a second dispose does nothing.
   *
   * @example
   * ```ts
   * import { rcu } from '@rfl/sync';
   * import { current } from '@rfl/kernel';
   * const g = rcu.readLock();
   * g[Symbol.dispose]();
   * g[Symbol.dispose]();
   * current().rcu_read_lock_nesting // => 0
   * ```
   */
  [Symbol.dispose](): void {
    if (!this.#held) return;
    this.#held = false;
    rcu_read_unlock();
  }
}

/**
 * `kernel::sync::rcu`: enter a read-side critical section with `readLock()`, wait for every
 * reader that has started with `synchronizeRcu()`.
 *
 * @example
 * ```ts
 * import { rcu } from '@rfl/sync';
 * import { kthread_run, sim_run_pending } from '@rfl/kernel';
 * let done = false;
 * const reader = rcu.readLock();
 * kthread_run(async () => {
 *   await rcu.synchronizeRcu();
 *   done = true;
 *   return 0;
 * }, null, 'updater');
 * await sim_run_pending();
 * done // => false
 * reader[Symbol.dispose]();
 * await sim_run_pending();
 * done // => true
 * ```
 */
export const rcu = {
  /** Enters a read-side critical section until the guard is disposed. */
  readLock: (): RcuGuard => new RcuGuard(),
  /** Waits for a grace period: every reader that started before has finished. */
  synchronizeRcu: (): Promise<void> => synchronize_rcu(),
};
