import { synchronize_rcu, wake_up_all } from '@rfl/kernel';
import { CondVar } from './condvar.js';

/**
 * A condition variable that `poll()` may register on (`PollCondVar`): poll tables keep
 * pointers to its wait queue and are torn down under RCU, so dropping it wakes every poller
 * and then waits for an RCU grace period before the queue may go. Disposal is therefore
 * asynchronous: hold it with `await using`.
 *
 * @example
 * ```ts
 * import { PollCondVar } from '@rfl/sync';
 * let dropped = false;
 * {
 *   await using pcv = PollCondVar.new();
 *   pcv.notifyAll();
 * }
 * dropped = true;
 * dropped // => true
 * ```
 *
 * ```ts compile_fail=TS2850
 * import { PollCondVar } from '@rfl/sync';
 * using pcv = PollCondVar.new();
 * ```
 */
export class PollCondVar extends CondVar {
  /**
   * A poll condition variable with no waiters.
   *
   * @example
   * ```ts
   * import { PollCondVar } from '@rfl/sync';
   * const p = PollCondVar.new();
   * await p[Symbol.asyncDispose]();
   * ```
   */
  static override new(): PollCondVar {
    return new PollCondVar();
  }

  /**
   * Wakes all pollers (`POLLHUP | POLLFREE`) and waits for a grace period.
   *
   * @example
   * ```ts
   * import { PollCondVar } from '@rfl/sync';
   * await PollCondVar.new()[Symbol.asyncDispose]() // => undefined
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    wake_up_all(this._waitQueue());
    await synchronize_rcu();
  }
}
