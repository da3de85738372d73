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

/** The call of a primitive: its full stack, or just the caller's frame. */
export interface call_site {
  (): StackCapture;
  short(): StackCapture;
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
  let full: StackCapture | undefined;
  let short: StackCapture | undefined;
  const site = (): StackCapture => {
    full ??= capture(below, 24);
    return full;
  };
  site.short = (): StackCapture => {
    short ??= full ?? capture(below, 1);
    return short;
  };
  return site;
}
