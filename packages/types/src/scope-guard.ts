import { useOfMovedValue } from './moved.js';

/**
 * Runs a cleanup function when disposed — on every exit path of the scope that holds it with
 * `using` — unless {@link ScopeGuard.dismiss} was called first. With data, the guard owns the
 * data, gives access to it while alive and hands it to the cleanup function.
 *
 * # Invariants
 *
 * The guard holds its data and cleanup function until exactly one of `dismiss()` or dispose
 * takes them; afterwards every use is reported as a use of a moved value.
 *
 * @example
 * In the example below, we have multiple exit paths and we want to log regardless of which one
 * is taken:
 * ```ts
 * import { ScopeGuard } from '@rfl/types';
 * import { dmesg_clear, dmesg_records, pr_info } from '@rfl/kernel';
 * # dmesg_clear();
 * function example1(arg: boolean) {
 *   using _log = ScopeGuard.new(() => pr_info('example1 completed\n'));
 *
 *   if (arg) {
 *     return;
 *   }
 *
 *   pr_info('Do something...\n');
 * }
 *
 * # example1(false);
 * # example1(true);
 * # dmesg_records().map((r) => r.text) // => ['Do something...', 'example1 completed', 'example1 completed']
 * ```
 *
 * In the example below, we want to log the same message on all early exits but a different one
 * on the main exit path:
 * ```ts
 * import { ScopeGuard } from '@rfl/types';
 * import { dmesg_clear, dmesg_records, pr_info } from '@rfl/kernel';
 * # dmesg_clear();
 * function example2(arg: boolean) {
 *   using log = ScopeGuard.new(() => pr_info('example2 returned early\n'));
 *
 *   if (arg) {
 *     return;
 *   }
 *
 *   // (Other early returns...)
 *
 *   log.dismiss();
 *   pr_info('example2 no early return\n');
 * }
 *
 * # example2(false);
 * # example2(true);
 * # dmesg_records().map((r) => r.text) // => ['example2 no early return', 'example2 returned early']
 * ```
 *
 * In the example below, we need a mutable object (the vector) to be accessible within the log
 * function, so we wrap it in the {@link ScopeGuard}:
 * ```ts
 * import { ScopeGuard } from '@rfl/types';
 * import { GFP_KERNEL, KVec } from '@rfl/alloc';
 * import { dmesg_clear, dmesg_records, pr_info } from '@rfl/kernel';
 * # dmesg_clear();
 * function example3(arg: boolean): void {
 *   using vec = ScopeGuard.newWithData(KVec.new<number>(), (v) => {
 *     pr_info('vec had %d elements\n', v.len);
 *     v[Symbol.dispose]();
 *   });
 *
 *   vec.data.tryPush(10, GFP_KERNEL);
 *   if (arg) {
 *     return;
 *   }
 *   vec.data.tryPush(20, GFP_KERNEL);
 * }
 *
 * # example3(false) // => undefined
 * # example3(true) // => undefined
 * # dmesg_records().map((r) => r.text) // => ['vec had 2 elements', 'vec had 1 elements']
 * ```
 */
export class ScopeGuard<T> implements Disposable {
  #state: { data: T; cleanup: (data: T) => void } | null;

  private constructor(data: T, cleanup: (data: T) => void) {
    // INVARIANT: the guard starts out holding its data and cleanup function.
    this.#state = { data, cleanup };
  }

  /**
   * A guard that runs `cleanup` when disposed.
   *
   * @example
   * ```ts
   * import { ScopeGuard } from '@rfl/types';
   * let ran = 0;
   * {
   *   using _g = ScopeGuard.new(() => ran++);
   * }
   * ran // => 1
   * ```
   */
  static new(cleanup: () => void): ScopeGuard<void> {
    return new ScopeGuard<void>(undefined, () => cleanup());
  }

  /**
   * A guard that owns `data` and passes it to `cleanup` when disposed.
   *
   * @example
   * ```ts
   * import { ScopeGuard } from '@rfl/types';
   * const seen: number[] = [];
   * {
   *   using g = ScopeGuard.newWithData([1], (v) => seen.push(...v));
   *   g.data.push(2);
   * }
   * seen // => [1, 2]
   * ```
   */
  static newWithData<T>(data: T, cleanup: (data: T) => void): ScopeGuard<T> {
    return new ScopeGuard(data, cleanup);
  }

  /**
   * The guarded data (`Deref`/`DerefMut`); assignable while the guard is alive.
   *
   * @example
   * ```ts
   * import { ScopeGuard } from '@rfl/types';
   * using g = ScopeGuard.newWithData(1, () => {});
   * g.data = g.data + 1;
   * g.data // => 2
   * ```
   */
  get data(): T {
    return this.#live('data').data;
  }

  set data(value: T) {
    this.#live('data').data = value;
  }

  /**
   * Prevents the cleanup function from running and returns the data. The guard is consumed:
   * using it afterwards is a use of a moved value.
   *
   * @example
   * ```ts
   * import { ScopeGuard } from '@rfl/types';
   * const log: string[] = [];
   * const guard = ScopeGuard.newWithData(42, () => log.push('cleanup'));
   * guard.dismiss() // => 42
   * guard[Symbol.dispose]();
   * log // => []
   * ```
   *
   * ```ts should_throw="use of moved value: `ScopeGuard` in dismiss"
   * import { ScopeGuard } from '@rfl/types';
   * # import { dmesg_clear } from '@rfl/kernel';
   * # dmesg_clear();
   * const guard = ScopeGuard.newWithData(42, () => {});
   * guard.dismiss();
   * guard.dismiss();
   * ```
   */
  dismiss(): T {
    const state = this.#live('dismiss');
    // INVARIANT: the data leaves with the caller, so no cleanup can see it any more.
    this.#state = null;
    return state.data;
  }

  /**
   * Runs the cleanup function unless it was dismissed; a second dispose does nothing, as a
   * moved-from Rust value has no drop.
   *
   * @example
   * ```ts
   * import { ScopeGuard } from '@rfl/types';
   * let ran = 0;
   * const g = ScopeGuard.new(() => ran++);
   * g[Symbol.dispose]();
   * g[Symbol.dispose]();
   * ran // => 1
   * ```
   */
  [Symbol.dispose](): void {
    const state = this.#state;
    if (state === null) return;
    this.#state = null;
    state.cleanup(state.data);
  }

  #live(use: string): { data: T; cleanup: (data: T) => void } {
    if (this.#state === null) throw useOfMovedValue('ScopeGuard', use);
    return this.#state;
  }
}
