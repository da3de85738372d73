import {
  current_task_info,
  die,
  EINVAL,
  errname,
  MAX_ERRNO,
  Oops,
  pr_warn,
  stack_capture,
} from '@rfl/kernel';

/**
 * A kernel error: an errno as an exception, the way `kernel::error::Error` is an errno in a
 * `Result`. `errno` is positive, `toErrno()` the negative value C expects, and both `code` and
 * `name` are the errno's name, so `catch` blocks and doctests can match on `'EINVAL'`.
 *
 * # Invariants
 *
 * `errno` is in `1..=MAX_ERRNO`.
 *
 * @example
 * ```ts
 * import { KernelError } from '@rfl/types';
 * import { ENOENT } from '@rfl/kernel';
 * const err = new KernelError(ENOENT, 'no such fox');
 * err.code // => 'ENOENT'
 * err.errno // => 2
 * err.toErrno() // => -2
 * err.message // => 'no such fox'
 * ```
 */
export class KernelError extends Error {
  /** The positive errno. */
  readonly errno: number;
  /** The errno's name, such as `'ENOMEM'`; `should_throw=ENOMEM` matches it. */
  readonly code: string;

  /**
   * Creates an error from a positive or negative errno in range; anything else is `EINVAL`.
   *
   * @example
   * ```ts
   * import { KernelError } from '@rfl/types';
   * new KernelError(-16).code // => 'EBUSY'
   * new KernelError(16).message // => 'EBUSY'
   * ```
   */
  constructor(errno: number, message?: string) {
    const abs = Math.abs(errno);
    const valid = Number.isInteger(abs) && abs >= 1 && abs <= MAX_ERRNO;
    const e = valid ? abs : EINVAL;
    const name = errname(e) ?? `E${e}`;
    super(message ?? name);
    this.errno = e;
    this.code = name;
    this.name = name;
  }

  /**
   * `Error::from_errno`: the error for a negative errno returned by C. A value outside
   * `-MAX_ERRNO..-1` is a bug in the caller: it is reported with a warning and becomes
   * `EINVAL`, as in the kernel crate.
   *
   * @example
   * ```ts
   * import { KernelError } from '@rfl/types';
   * import { dmesg_clear, dmesg_records } from '@rfl/kernel';
   * KernelError.fromErrno(-12).code // => 'ENOMEM'
   * # dmesg_clear();
   * KernelError.fromErrno(5).code // => 'EINVAL'
   * dmesg_records()[0]?.text // => 'attempted to create an error from an invalid errno 5'
   * ```
   */
  static fromErrno(errno: number): KernelError {
    if (!Number.isInteger(errno) || errno < -MAX_ERRNO || errno >= 0) {
      pr_warn('attempted to create an error from an invalid errno %d\n', errno);
      return new KernelError(EINVAL);
    }
    return new KernelError(errno);
  }

  /**
   * The negative errno C code expects back.
   *
   * @example
   * ```ts
   * import { KernelError } from '@rfl/types';
   * import { EAGAIN } from '@rfl/kernel';
   * new KernelError(EAGAIN).toErrno() // => -11
   * ```
   */
  toErrno(): number {
    return -this.errno;
  }

  /**
   * `Error::name`: the errno's name, or `null` for a number the kernel has no name for.
   *
   * @example
   * ```ts
   * import { KernelError } from '@rfl/types';
   * KernelError.fromErrno(-22).errname() // => 'EINVAL'
   * ```
   */
  errname(): string | null {
    return errname(this.errno) ?? null;
  }
}

/**
 * `to_result`: turns a C return value into a value or an exception. Negative values are
 * errnos and throw a {@link KernelError}; anything else is returned.
 *
 * @example
 * ```ts
 * import { toResult } from '@rfl/types';
 * toResult(3) // => 3
 * ```
 *
 * ```ts should_throw=EBUSY
 * import { toResult } from '@rfl/types';
 * toResult(-16);
 * ```
 */
export function toResult(ret: number): number {
  if (ret < 0) throw KernelError.fromErrno(ret);
  return ret;
}

/**
 * What a callback at the C boundary returns: a value for C, or nothing (0).
 *
 * @example
 * ```ts
 * import { type CallbackReturn, fromResult } from '@rfl/types';
 * const open = (): CallbackReturn => undefined;
 * fromResult(open) // => 0
 * ```
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a callback with no return statement is `void`.
export type CallbackReturn = number | undefined | void;

/**
 * `from_result`: the C boundary of a callback. The callback's value (or 0 for none) is
 * returned; a thrown {@link KernelError} becomes its negative errno. Any other exception is a
 * bug the kernel cannot return to C: it is reported as an Oops and rethrown as one, which the
 * task running the callback does not survive. An async callback gives a promise of the same.
 *
 * @example
 * ```ts
 * import { KernelError, fromResult } from '@rfl/types';
 * import { EIO } from '@rfl/kernel';
 * fromResult(() => 7) // => 7
 * fromResult(() => {}) // => 0
 * fromResult(() => { throw new KernelError(EIO); }) // => -5
 * await fromResult(async () => { throw new KernelError(EIO); }) // => -5
 * ```
 *
 * ```ts should_throw="fox_read"
 * import { fromResult } from '@rfl/types';
 * import { panic_reset } from '@rfl/kernel';
 * try {
 *   fromResult(function fox_read(): number {
 *     throw new TypeError('fox_read: undefined is not a function');
 *   });
 * } finally {
 *   panic_reset();
 * }
 * ```
 */
export function fromResult(fn: () => Promise<CallbackReturn>): Promise<number>;
export function fromResult(fn: () => CallbackReturn): number;
export function fromResult(
  fn: () => CallbackReturn | Promise<CallbackReturn>,
): number | Promise<number> {
  try {
    const ret = fn();
    if (ret instanceof Promise) {
      return ret.then(
        (v) => v ?? 0,
        (e: unknown) => errorToErrno(e),
      );
    }
    return ret ?? 0;
  } catch (e) {
    return errorToErrno(e);
  }
}

function errorToErrno(e: unknown): number {
  if (e instanceof KernelError) return e.toErrno();
  if (e instanceof Oops) throw e;
  const message = e instanceof Error ? e.message : String(e);
  const task = current_task_info();
  pr_warn('BUG: unhandled exception in %s/%d: %s\n', task.comm, task.pid, message);
  throw die(
    'unhandled exception',
    0,
    e instanceof Error ? e : stack_capture(errorToErrno),
    message,
  );
}
