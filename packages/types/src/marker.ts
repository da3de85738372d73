declare const notThreadSafe: unique symbol;

/**
 * The marker of a value that must stay on the task that made it (`NotThreadSafe`, Rust's
 * `!Send`): lock guards carry it, since the kernel unlocks on the CPU that locked. A type
 * holding it is rejected wherever {@link Send} is required.
 *
 * @example
 * ```ts
 * import { type NotThreadSafe, type Send, NotThreadSafe as marker } from '@rfl/types';
 * interface Cookie { readonly id: number }
 * interface TaskLocal { readonly id: number; readonly _nts: NotThreadSafe }
 * function spawn<T>(data: Send<T>): T { return data; }
 * spawn<Cookie>({ id: 1 }) // => { id: 1 }
 * const local: TaskLocal = { id: 2, _nts: marker };
 * local.id // => 2
 * ```
 *
 * ```ts compile_fail=TS2345
 * import { type NotThreadSafe, type Send, NotThreadSafe as marker } from '@rfl/types';
 * interface TaskLocal { readonly id: number; readonly _nts: NotThreadSafe }
 * function spawn<T>(data: Send<T>): T { return data; }
 * spawn<TaskLocal>({ id: 2, _nts: marker });
 * ```
 */
export type NotThreadSafe = { readonly [notThreadSafe]: true };

/**
 * The one value of {@link NotThreadSafe}, to put in a field.
 *
 * @example
 * ```ts
 * import { NotThreadSafe } from '@rfl/types';
 * typeof NotThreadSafe // => 'object'
 * ```
 */
export const NotThreadSafe: NotThreadSafe = Object.freeze({}) as NotThreadSafe;

/**
 * `T` if it may be handed to another task (it holds no {@link NotThreadSafe}), `never`
 * otherwise: the bound of functions that move data across tasks.
 *
 * @example
 * ```ts
 * import type { Send } from '@rfl/types';
 * const n: Send<number> = 3;
 * n // => 3
 * ```
 */
export type Send<T> = HasNotThreadSafe<T> extends true ? never : T;

type HasNotThreadSafe<T> = T extends { readonly [notThreadSafe]: true }
  ? true
  : T extends object
    ? true extends { [K in keyof T]-?: HasNotThreadSafe<T[K]> }[keyof T]
      ? true
      : false
    : false;
