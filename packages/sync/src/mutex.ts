import {
  mutex,
  mutex_init,
  mutex_lock,
  mutex_trylock,
  mutex_unlock,
  stack_capture,
} from '@rfl/kernel';
import { type Backend, type Guard, Lock } from './lock.js';
import { LockClassKey, siteName } from './lock-class-key.js';

const mutexBackend: Backend<mutex, true> = {
  async lock(m) {
    await mutex_lock(m);
    return true as const;
  },
  tryLock: (m) => (mutex_trylock(m) ? true : null),
  unlock: (m) => mutex_unlock(m),
  async relock(m) {
    await mutex_lock(m);
    return true as const;
  },
};

/**
 * A sleeping lock (`kernel::sync::Mutex`, over `struct mutex`): `lock()` may sleep, so it is
 * async and must not be called in atomic context (`might_sleep()` reports it). The name
 * defaults to the `file:line` of the call and the lockdep class to the call site, as
 * `new_mutex!` does.
 *
 * @example
 * ```ts
 * import { Mutex } from '@rfl/sync';
 * import { kthread_run, msleep, sim_run_until_idle } from '@rfl/kernel';
 * const foxes = Mutex.new<string[]>([]);
 * for (const name of ['a', 'b']) {
 *   kthread_run(async () => {
 *     using g = await foxes.lock();
 *     g.value.push(`${name} in`);
 *     await msleep(10);
 *     g.value.push(`${name} out`);
 *     return 0;
 *   }, null, name);
 * }
 * await sim_run_until_idle();
 * using g = await foxes.lock();
 * g.value // => ['a in', 'a out', 'b in', 'b out']
 * ```
 *
 * The guard is the only way to the data:
 * ```ts compile_fail=TS2339
 * import { Mutex } from '@rfl/sync';
 * const m = Mutex.new(0);
 * m.value;
 * ```
 */
export class Mutex<T> extends Lock<T, mutex, true> {
  private constructor(data: T, name: string, key: LockClassKey) {
    const m = new mutex();
    mutex_init(m, name, key.asRaw());
    super(data, m, mutexBackend);
  }

  /**
   * A mutex protecting `data`.
   *
   * @example
   * ```ts
   * import { LockClassKey, Mutex } from '@rfl/sync';
   * import { dmesg_clear } from '@rfl/kernel';
   * const m = Mutex.new(0, 'foxes_mutex', LockClassKey.newDynamic('foxes'));
   * m.raw().dep_map?.name // => 'foxes_mutex'
   * Mutex.new(0).raw().dep_map?.name.includes('.ts') // => true
   * ```
   *
   * The data moves into the mutex; a box passed in is no longer the caller's:
   * ```ts should_throw="use of moved value: `KBox`"
   * import { Mutex } from '@rfl/sync';
   * import { GFP_KERNEL, KBox } from '@rfl/alloc';
   * # import { dmesg_clear } from '@rfl/kernel';
   * # dmesg_clear();
   * const buf = KBox.new([0, 0], GFP_KERNEL);
   * const m = Mutex.new(buf);
   * buf.value[0] = 1;
   * ```
   */
  static new<T>(data: T, name?: string, key?: LockClassKey): Mutex<T> {
    const site = stack_capture(Mutex.new);
    return new Mutex(data, name ?? siteName(site), key ?? LockClassKey.fromSite(site));
  }

  /**
   * Takes the mutex, sleeping while another task holds it.
   *
   * @example
   * ```ts
   * import { Mutex } from '@rfl/sync';
   * const m = Mutex.new('x');
   * using g = await m.lock();
   * g.value // => 'x'
   * ```
   *
   * Sleeping in atomic context is reported:
   * ```ts
   * import { Mutex, SpinLock } from '@rfl/sync';
   * import { debug_locks_on, dmesg_clear, dmesg_records, panic_reset, sim_advance } from '@rfl/kernel';
   * const s = SpinLock.new(0);
   * const m = Mutex.new(0);
   * # await sim_advance(1000); // the report is rate-limited to one a second
   * # dmesg_clear();
   * {
   *   using sg = s.lock();
   *   using mg = await m.lock();
   * }
   * dmesg_records()[0]?.text.startsWith('BUG: sleeping function called from invalid context') // => true
   * # debug_locks_on();
   * # panic_reset();
   * # await sim_advance(1000); // leave the next report its own second
   * ```
   */
  lock(): Promise<Guard<T>> {
    return this._lock() as Promise<Guard<T>>;
  }

  /**
   * Takes the mutex if it is free; `null` otherwise.
   *
   * @example
   * ```ts
   * import { Mutex } from '@rfl/sync';
   * const m = Mutex.new(0);
   * using g = m.tryLock();
   * m.tryLock() // => null
   * ```
   */
  tryLock(): Guard<T> | null {
    return this._tryLock();
  }
}
