/**
 * Where a lock primitive was called from, captured only if something needs it.
 *
 * The kernel records `_RET_IP_` for free; a JavaScript stack capture costs microseconds.
 * So a primitive makes a `call_site` on entry and the debugging code asks it for the
 * caller's frame (`short()`, for "at:" lines) or the whole stack (for dependency chains
 * and backtraces) only when lockdep records or reports something. Each form is captured
 * at most once, and must be asked for while the primitive is still running.
 *
 * @module
 */

import { type StackCapture, stack_capture } from '../stacktrace.js';

// A JavaScript function as a value, for captureStackTrace's cut-off.
// biome-ignore lint/complexity/noBannedTypes: any callable is a valid cut-off.
type AnyFunction = Function;

/**
 * The call of a primitive: its full stack (`full()`), or just the caller's frame
 * (`short()`). One small object per call, so that a lock taken millions of times a second
 * costs one allocation when nothing is reported.
 */
export class call_site {
  readonly #below: AnyFunction;
  #full: StackCapture | undefined;
  #short: StackCapture | undefined;

  constructor(below: AnyFunction) {
    this.#below = below;
  }

  /** The stack above the primitive, captured on first use. */
  full(): StackCapture {
    this.#full ??= capture(this.#below, 24);
    return this.#full;
  }

  /** The caller's frame alone (for "at:" lines), or the full stack if it was taken. */
  short(): StackCapture {
    this.#short ??= this.#full ?? capture(this.#below, 1);
    return this.#short;
  }
}

/** The stack above `below`, at most `limit` frames deep. */
function capture(below: AnyFunction, limit: number): StackCapture {
  if (limit > 1) return stack_capture(below);
  const holder: { stack?: string } = {};
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = limit;
  Error.captureStackTrace(holder, below);
  Error.stackTraceLimit = saved;
  return holder;
}

/** A lazily captured call site whose first frame is the caller of `below`. */
export function call_site_of(below: AnyFunction): call_site {
  return new call_site(below);
}
