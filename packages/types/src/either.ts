/**
 * A value of one of two types, as `kernel::types::Either`: `{ kind: 'Left', value }` or
 * `{ kind: 'Right', value }`, made with {@link Left} and {@link Right}.
 *
 * @example
 * ```ts
 * import { type Either, Left, Right } from '@rfl/types';
 * function parse(s: string): Either<number, string> {
 *   const n = Number(s);
 *   return Number.isNaN(n) ? Right(s) : Left(n);
 * }
 * parse('12') // => { kind: 'Left', value: 12 }
 * parse('fox') // => { kind: 'Right', value: 'fox' }
 * ```
 *
 * ```ts compile_fail=TS2339
 * import type { Either } from '@rfl/types';
 * function speed(e: Either<number, string>): string {
 *   // The variant must be checked before the value has a single type.
 *   return e.value.toFixed(1);
 * }
 * ```
 */
export type Either<L, R> =
  | { readonly kind: 'Left'; readonly value: L }
  | { readonly kind: 'Right'; readonly value: R };

/**
 * The `Left` variant of {@link Either}.
 *
 * @example
 * ```ts
 * import { Left } from '@rfl/types';
 * Left('a') // => { kind: 'Left', value: 'a' }
 * ```
 */
export function Left<L>(value: L): { readonly kind: 'Left'; readonly value: L } {
  return { kind: 'Left', value };
}

/**
 * The `Right` variant of {@link Either}.
 *
 * @example
 * ```ts
 * import { Right } from '@rfl/types';
 * Right(2) // => { kind: 'Right', value: 2 }
 * ```
 */
export function Right<R>(value: R): { readonly kind: 'Right'; readonly value: R } {
  return { kind: 'Right', value };
}
