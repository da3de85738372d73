import { synchronize_rcu } from '@rfl/kernel';
import { drop, move, useOfMovedValue } from '@rfl/types';
import { RcuGuard } from './rcu.js';
import { InteriorMutable } from './shared.js';

/**
 * Data that may be taken away while others use it (`Revocable<T>`): device resources that
 * disappear when the driver unbinds, while file operations may still be running. Users get to
 * the data only through {@link Revocable.tryAccess} and friends, which give `null` once it was
 * revoked; access runs under the RCU read lock, so {@link Revocable.revoke} can wait for
 * every user to finish before it drops the data.
 *
 * @example
 * ```ts
 * import { Revocable } from '@rfl/sync';
 * const regs = Revocable.new({ base: 0x1000 });
 * {
 *   using g = regs.tryAccess();
 *   g?.value.base // => 0x1000
 * }
 * await regs.revoke() // => true
 * regs.tryAccess() // => null
 * ```
 *
 * The `null` case cannot be forgotten:
 * ```ts compile_fail=TS2531
 * import { Revocable } from '@rfl/sync';
 * const regs = Revocable.new({ base: 0x1000 });
 * regs.tryAccess().value;
 * ```
 */
export class Revocable<T> extends InteriorMutable {
  #available = true;
  #data: T | undefined;

  private constructor(data: T) {
    super();
    this.#data = move(data);
  }

  /**
   * Wraps `data`, available until revoked.
   *
   * @example
   * ```ts
   * import { Revocable } from '@rfl/sync';
   * Revocable.new(5).tryAccessWith((v) => v + 1) // => 6
   * ```
   */
  static new<T>(data: T): Revocable<T> {
    return new Revocable(data);
  }

  /**
   * A guard giving access to the data, or `null` if it was revoked. The guard holds the RCU
   * read lock: keep it short and do not sleep while holding it.
   *
   * @example
   * ```ts
   * import { Revocable } from '@rfl/sync';
   * import { current } from '@rfl/kernel';
   * const r = Revocable.new('bar0');
   * using g = r.tryAccess();
   * current().rcu_read_lock_nesting // => 1
   * g?.value // => 'bar0'
   * ```
   */
  tryAccess(): RevocableGuard<T> | null {
    const rcu = new RcuGuard();
    if (!this.#available) {
      rcu[Symbol.dispose]();
      return null;
    }
    return new RevocableGuard(this.#data as T, rcu);
  }

  /**
   * The data, under an RCU read lock the caller already holds; `null` if revoked.
   *
   * @example
   * ```ts
   * import { Revocable, rcu } from '@rfl/sync';
   * const r = Revocable.new(1);
   * using g = rcu.readLock();
   * r.tryAccessWithGuard(g) // => 1
   * ```
   */
  tryAccessWithGuard(guard: RcuGuard): T | null {
    guard._check('try_access_with_guard');
    return this.#available ? (this.#data as T) : null;
  }

  /**
   * Runs `f` on the data under the RCU read lock; `null` if revoked.
   *
   * @example
   * ```ts
   * import { Revocable } from '@rfl/sync';
   * const r = Revocable.new([1, 2]);
   * r.tryAccessWith((v) => v.length) // => 2
   * r.revokeNosync();
   * r.tryAccessWith((v) => v.length) // => null
   * ```
   */
  tryAccessWith<R>(f: (data: T) => R): R | null {
    using guard = this.tryAccess();
    return guard === null ? null : f(guard.value);
  }

  /**
   * Revokes access, waits for every user inside an access to finish (an RCU grace period),
   * then drops the data. Returns true only for the call that revoked it.
   *
   * @example
   * ```ts
   * import { Revocable } from '@rfl/sync';
   * import { kthread_run, sim_run_pending } from '@rfl/kernel';
   * const log: string[] = [];
   * const io = Revocable.new({ [Symbol.dispose]: () => log.push('unmapped') });
   * let preempted!: () => void;
   * const gate = new Promise<void>((resolve) => { preempted = resolve; });
   * kthread_run(async () => {
   *   using g = io.tryAccess();
   *   log.push('reading');
   *   await gate; // preempted inside the access, which RCU allows; sleeping it does not
   *   log.push('read done');
   *   return 0;
   * }, null, 'reader');
   * await sim_run_pending();
   * const revoked = io.revoke();
   * await sim_run_pending();
   * log // => ['reading']
   * preempted();
   * await revoked // => true
   * log // => ['reading', 'read done', 'unmapped']
   * await io.revoke() // => false
   * ```
   */
  async revoke(): Promise<boolean> {
    if (!this.#revoke()) return false;
    await synchronize_rcu();
    this.#dropData();
    return true;
  }

  /**
   * Revokes and drops at once, without waiting for users. Only correct when the caller knows
   * there are none (`revoke_nosync`, an unsafe function in the kernel crate).
   *
   * @example
   * ```ts
   * import { Revocable } from '@rfl/sync';
   * const r = Revocable.new(1);
   * r.revokeNosync() // => true
   * r.revokeNosync() // => false
   * ```
   */
  revokeNosync(): boolean {
    if (!this.#revoke()) return false;
    this.#dropData();
    return true;
  }

  #revoke(): boolean {
    const was = this.#available;
    this.#available = false;
    return was;
  }

  #dropData(): void {
    const data = this.#data;
    this.#data = undefined;
    drop(data);
  }

  /**
   * Drops the data if it was not revoked. Nobody can be accessing it: whoever disposes the
   * `Revocable` owns it.
   *
   * @example
   * ```ts
   * import { Revocable } from '@rfl/sync';
   * const log: string[] = [];
   * {
   *   using r = Revocable.new({ [Symbol.dispose]: () => log.push('dropped') });
   * }
   * log // => ['dropped']
   * ```
   */
  [Symbol.dispose](): void {
    if (this.#revoke()) this.#dropData();
  }
}

/**
 * Access to a {@link Revocable}'s data: holds the RCU read lock until disposed.
 *
 * @example
 * ```ts should_throw="use of moved value: `RevocableGuard`"
 * import { Revocable } from '@rfl/sync';
 * # import { dmesg_clear } from '@rfl/kernel';
 * # dmesg_clear();
 * const r = Revocable.new(1);
 * const g = r.tryAccess()!;
 * g[Symbol.dispose]();
 * g.value;
 * ```
 */
export class RevocableGuard<T> implements Disposable {
  readonly #data: T;
  readonly #rcu: RcuGuard;
  #live = true;

  /** @internal */
  constructor(data: T, rcu: RcuGuard) {
    this.#data = data;
    this.#rcu = rcu;
  }

  /**
   * The data.
   *
   * @example
   * ```ts
   * import { Revocable } from '@rfl/sync';
   * using g = Revocable.new('x').tryAccess();
   * g?.value // => 'x'
   * ```
   */
  get value(): T {
    if (!this.#live) throw useOfMovedValue('RevocableGuard', 'value');
    return this.#data;
  }

  /**
   * Ends the access (`rcu_read_unlock`).
   *
   * @example
   * ```ts
   * import { Revocable } from '@rfl/sync';
   * import { current } from '@rfl/kernel';
   * const g = Revocable.new('x').tryAccess();
   * g?.[Symbol.dispose]();
   * current().rcu_read_lock_nesting // => 0
   * ```
   */
  [Symbol.dispose](): void {
    if (!this.#live) return;
    this.#live = false;
    this.#rcu[Symbol.dispose]();
  }
}
