import { dump_stack, Oops, pr_err, stack_capture } from '@rfl/kernel';

/**
 * A value that can be moved: `move()` hands its contents to a new handle and poisons this one,
 * which is how ownership moves between owners when TypeScript cannot forbid the old name.
 *
 * @example
 * ```ts
 * import { type Movable, move } from '@rfl/types';
 * import { KBox, GFP_KERNEL } from '@rfl/alloc';
 * function takeOwnership<T extends Movable>(handle: T): T {
 *   return handle.move();
 * }
 * const b = KBox.new(1, GFP_KERNEL);
 * using mine = takeOwnership(b);
 * mine.value // => 1
 * ```
 */
export interface Movable {
  /** Returns a new handle to the same contents and poisons this one. */
  move(): this;
}

function isMovable(value: unknown): value is Movable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { move?: unknown }).move === 'function'
  );
}

/**
 * Takes ownership of `value`: a {@link Movable} handle is moved (the caller's name is poisoned),
 * anything else is returned as it is. Owners (`KVec.push`, `Arc.new`, `Mutex.new`, …) call it
 * on what they are given.
 *
 * @example
 * ```ts should_throw="use of moved value"
 * import { move } from '@rfl/types';
 * import { KBox, GFP_KERNEL } from '@rfl/alloc';
 * import { dmesg_clear } from '@rfl/kernel';
 * move(5) // => 5
 * const b = KBox.new('fox', GFP_KERNEL);
 * using owner = move(b);
 * # dmesg_clear();
 * b.value;
 * ```
 */
export function move<T>(value: T): T {
  return isMovable(value) ? value.move() : value;
}

/**
 * Drops a value now: disposes it if it is disposable, the drop glue an owner runs on the
 * values it holds when it is itself dropped.
 *
 * @example
 * ```ts
 * import { drop } from '@rfl/types';
 * const log: string[] = [];
 * drop({ [Symbol.dispose]: () => log.push('dropped') });
 * drop(42);
 * log // => ['dropped']
 * ```
 */
export function drop(value: unknown): void {
  if (typeof value === 'object' && value !== null && Symbol.dispose in value) {
    (value as Disposable)[Symbol.dispose]();
  }
}

/**
 * Reports a use of a handle whose contents were moved out (by `intoForeign`, `dismiss`,
 * `intoInner`, `move` …) and returns the error to throw. The report is what rustc would have
 * rejected at compile time: `BUG: use of moved value: \`KBox\`` with the call trace of the use.
 *
 * @example
 * ```ts
 * import { useOfMovedValue } from '@rfl/types';
 * import { dmesg_clear, dmesg_records } from '@rfl/kernel';
 * # dmesg_clear();
 * const err = useOfMovedValue('KBox', 'value');
 * err.message // => 'use of moved value: `KBox` in value'
 * dmesg_records()[0]?.text // => 'BUG: use of moved value: `KBox` in value'
 * ```
 */
export function useOfMovedValue(type: string, use: string): Oops {
  pr_err('BUG: use of moved value: `%s` in %s\n', type, use);
  dump_stack(stack_capture(useOfMovedValue));
  return new Oops(`use of moved value: \`${type}\` in ${use}`);
}
