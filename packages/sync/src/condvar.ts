import {
  finish_wait,
  init_wait_entry,
  init_waitqueue_head,
  MAX_SCHEDULE_TIMEOUT,
  prepare_to_wait_exclusive,
  schedule_timeout,
  set_current_state,
  signal_pending,
  TASK_INTERRUPTIBLE,
  TASK_RUNNING,
  TASK_UNINTERRUPTIBLE,
  wait_queue_head,
  wake_up_all,
  wake_up_nr,
} from '@rfl/kernel';
import type { Guard } from './lock.js';
import { InteriorMutable } from './shared.js';

/**
 * What {@link CondVar.waitInterruptibleTimeout} ended with: the timeout, a notification, or a
 * signal, with the jiffies left of the timeout for the latter two.
 *
 * @example
 * ```ts
 * import type { CondVarTimeoutResult } from '@rfl/sync';
 * const r: CondVarTimeoutResult = { kind: 'Woken', jiffies: 10 };
 * r.kind // => 'Woken'
 * ```
 */
export type CondVarTimeoutResult =
  | { readonly kind: 'Timeout' }
  | { readonly kind: 'Woken'; readonly jiffies: number }
  | { readonly kind: 'Signal'; readonly jiffies: number };

/**
 * A condition variable (`kernel::sync::CondVar`, over a wait queue): a task holding a lock
 * waits, releasing the lock while it sleeps and taking it again before it returns; another
 * task changes the data under the lock and notifies. Notifications are not sticky: one sent
 * while nobody waits is lost, so a waiter re-checks its condition in a loop.
 *
 * @example
 * ```ts
 * import { CondVar, Mutex } from '@rfl/sync';
 * import { kthread_run, sim_run_until_idle } from '@rfl/kernel';
 * const queue = Mutex.new<number[]>([]);
 * const nonEmpty = CondVar.new();
 * const got: number[] = [];
 * kthread_run(async () => {
 *   using g = await queue.lock();
 *   while (g.value.length === 0) await nonEmpty.wait(g);
 *   got.push(...g.value.splice(0));
 *   return 0;
 * }, null, 'consumer');
 * await sim_run_until_idle();
 * {
 *   using g = await queue.lock();
 *   g.value.push(7);
 *   nonEmpty.notifyOne();
 * }
 * await sim_run_until_idle();
 * got // => [7]
 * ```
 */
export class CondVar extends InteriorMutable {
  readonly #wq: wait_queue_head;

  protected constructor() {
    super();
    this.#wq = new wait_queue_head();
    init_waitqueue_head(this.#wq);
  }

  /**
   * A condition variable with no waiters.
   *
   * @example
   * ```ts
   * import { CondVar } from '@rfl/sync';
   * CondVar.new().notifyAll();
   * ```
   */
  static new(): CondVar {
    return new CondVar();
  }

  async #wait<T>(state: number, guard: Guard<T>, timeout: number): Promise<number> {
    const entry = init_wait_entry(0);
    prepare_to_wait_exclusive(this.#wq, entry, state);
    try {
      return await guard.doUnlocked(() => {
        if (state === TASK_INTERRUPTIBLE && signal_pending()) {
          set_current_state(TASK_RUNNING);
          return timeout;
        }
        return schedule_timeout(timeout);
      });
    } finally {
      finish_wait(this.#wq, entry);
    }
  }

  /**
   * Releases the lock of `guard`, sleeps uninterruptibly until notified, and takes the lock
   * again.
   *
   * @example
   * ```ts
   * import { CondVar, SpinLock } from '@rfl/sync';
   * import { kthread_run, sim_run_until_idle } from '@rfl/kernel';
   * const ready = SpinLock.new(false);
   * const cv = CondVar.new();
   * let seen = false;
   * kthread_run(async () => {
   *   using g = ready.lock();
   *   while (!g.value) await cv.wait(g);
   *   seen = true;
   *   return 0;
   * }, null, 'waiter');
   * await sim_run_until_idle();
   * {
   *   using g = ready.lock();
   *   g.value = true;
   * }
   * cv.notifyAll();
   * await sim_run_until_idle();
   * seen // => true
   * ```
   */
  async wait<T>(guard: Guard<T>): Promise<void> {
    await this.#wait(TASK_UNINTERRUPTIBLE, guard, MAX_SCHEDULE_TIMEOUT);
  }

  /**
   * Like {@link CondVar.wait}, but a signal ends the wait too; returns whether a signal is
   * pending, in which case the caller should return `-ERESTARTSYS`.
   *
   * @example
   * ```ts
   * import { CondVar, Mutex } from '@rfl/sync';
   * import { SIGINT, kthread_run, send_sig, sim_run_until_idle } from '@rfl/kernel';
   * const m = Mutex.new(0);
   * const cv = CondVar.new();
   * let interrupted: boolean | undefined;
   * const t = kthread_run(async () => {
   *   using g = await m.lock();
   *   interrupted = await cv.waitInterruptible(g);
   *   return 0;
   * }, null, 'reader');
   * await sim_run_until_idle();
   * send_sig(SIGINT, t);
   * await sim_run_until_idle();
   * interrupted // => true
   * ```
   */
  async waitInterruptible<T>(guard: Guard<T>): Promise<boolean> {
    await this.#wait(TASK_INTERRUPTIBLE, guard, MAX_SCHEDULE_TIMEOUT);
    return signal_pending();
  }

  /**
   * Like {@link CondVar.waitInterruptible}, with a timeout in jiffies.
   *
   * @example
   * ```ts
   * import { CondVar, Mutex } from '@rfl/sync';
   * import { kthread_run, sim_advance, sim_run_until_idle } from '@rfl/kernel';
   * const m = Mutex.new(0);
   * const cv = CondVar.new();
   * const results: string[] = [];
   * const waiter = () => kthread_run(async () => {
   *   using g = await m.lock();
   *   const r = await cv.waitInterruptibleTimeout(g, 25);
   *   results.push(r.kind === 'Timeout' ? 'Timeout' : `${r.kind} ${r.jiffies}`);
   *   return 0;
   * }, null, 'waiter');
   * // Nobody notifies: the timeout ends the wait.
   * waiter();
   * await sim_advance(200);
   * // Notified after 10 of the 25 jiffies (40 ms at HZ=250).
   * waiter();
   * await sim_advance(40);
   * cv.notifyOne();
   * await sim_run_until_idle();
   * results // => ['Timeout', 'Woken 15']
   * ```
   */
  async waitInterruptibleTimeout<T>(
    guard: Guard<T>,
    jiffies: number,
  ): Promise<CondVarTimeoutResult> {
    const left = await this.#wait(TASK_INTERRUPTIBLE, guard, jiffies);
    if (signal_pending()) return { kind: 'Signal', jiffies: left };
    if (left === 0) return { kind: 'Timeout' };
    return { kind: 'Woken', jiffies: left };
  }

  /**
   * Wakes one waiter, if there is one. A notification with no waiter is lost.
   *
   * @example
   * ```ts
   * import { CondVar, Mutex } from '@rfl/sync';
   * import { kthread_run, sim_advance } from '@rfl/kernel';
   * const m = Mutex.new(0);
   * const cv = CondVar.new();
   * cv.notifyOne(); // nobody is waiting: not remembered
   * let result = '';
   * kthread_run(async () => {
   *   using g = await m.lock();
   *   result = (await cv.waitInterruptibleTimeout(g, 5)).kind;
   *   return 0;
   * }, null, 'late');
   * await sim_advance(100);
   * result // => 'Timeout'
   * ```
   */
  notifyOne(): void {
    wake_up_nr(this.#wq, 1);
  }

  /**
   * Wakes every waiter.
   *
   * @example
   * ```ts
   * import { CondVar, Mutex } from '@rfl/sync';
   * import { kthread_run, sim_run_until_idle } from '@rfl/kernel';
   * const m = Mutex.new(0);
   * const cv = CondVar.new();
   * let woken = 0;
   * for (const name of ['a', 'b', 'c']) {
   *   kthread_run(async () => {
   *     using g = await m.lock();
   *     await cv.wait(g);
   *     woken++;
   *     return 0;
   *   }, null, name);
   * }
   * await sim_run_until_idle();
   * cv.notifyAll();
   * await sim_run_until_idle();
   * woken // => 3
   * ```
   */
  notifyAll(): void {
    wake_up_all(this.#wq);
  }

  /** @internal The wait queue, for `PollCondVar`. */
  protected _waitQueue(): wait_queue_head {
    return this.#wq;
  }
}
