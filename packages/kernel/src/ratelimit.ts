/**
 * Rate-limited and once-only messages: `lib/ratelimit.c`, the
 * `pr_*_ratelimited` / `pr_*_once` helpers of `include/linux/printk.h` and
 * their `dev_*` counterparts of `include/linux/dev_printk.h`.
 *
 * A ratelimit state lets `burst` messages through per `interval` jiffies
 * (default 10 per 5 seconds, `DEFAULT_RATELIMIT_BURST` and
 * `DEFAULT_RATELIMIT_INTERVAL`) and counts the rest; the first message after
 * the window reports how many were dropped: `<function>: N callbacks
 * suppressed`. The helpers keep one state per call site, as the kernel's
 * `static` state inside each macro expansion does.
 *
 * @example
 * ```ts
 * import { dmesg_clear, dmesg_records, pr_err_ratelimited, pr_warn_once } from '@rfl/kernel';
 * # dmesg_clear();
 * function foxes_irq() {
 *   pr_err_ratelimited('foxes: FIFO overrun\n');
 * }
 * for (let i = 0; i < 25; i++) foxes_irq();
 * dmesg_records().length // => 10
 * for (let i = 0; i < 3; i++) pr_warn_once('foxes: using the legacy ioctl\n');
 * dmesg_records().length // => 11
 * ```
 *
 * @module
 */

import {
  type dev_printk_target,
  KERN_ERR,
  KERN_INFO,
  KERN_NOTICE,
  KERN_WARNING,
  pr_warn,
  printk,
} from './printk.js';
import { stack_capture, stack_frames } from './stacktrace.js';
import { HZ, jiffies, time_after } from './time/jiffies.js';

/** `DEFAULT_RATELIMIT_INTERVAL`: 5 seconds, in jiffies. */
export const DEFAULT_RATELIMIT_INTERVAL = 5 * HZ;
/** `DEFAULT_RATELIMIT_BURST`. */
export const DEFAULT_RATELIMIT_BURST = 10;

/** `struct ratelimit_state`. */
export interface ratelimit_state {
  interval: number;
  burst: number;
  printed: number;
  missed: number;
  begin: number;
}

/** `DEFINE_RATELIMIT_STATE(name, interval, burst)`. */
export function DEFINE_RATELIMIT_STATE(
  interval: number = DEFAULT_RATELIMIT_INTERVAL,
  burst: number = DEFAULT_RATELIMIT_BURST,
): ratelimit_state {
  return { interval, burst, printed: 0, missed: 0, begin: 0 };
}

/**
 * `___ratelimit()`: whether the caller may go ahead. `func` names the caller
 * in the `callbacks suppressed` message printed when a window with dropped
 * calls ends. An interval of 0 never limits.
 */
export function ___ratelimit(rs: ratelimit_state, func: string): boolean {
  if (rs.interval === 0) return true;
  if (rs.begin === 0) rs.begin = jiffies();
  if (time_after(jiffies(), rs.begin + rs.interval)) {
    if (rs.missed) pr_warn('%s: %d callbacks suppressed\n', func, rs.missed);
    rs.begin = jiffies();
    rs.printed = 0;
    rs.missed = 0;
  }
  if (rs.burst && rs.burst > rs.printed) {
    rs.printed += 1;
    return true;
  }
  rs.missed += 1;
  return false;
}

const site_states = new Map<string, ratelimit_state>();
const site_once = new Set<string>();

/** The call site of the helper's caller, and the caller's name. */
// biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
function call_site(helper: Function): { key: string; func: string } {
  const frame = stack_frames(stack_capture(helper))[0];
  if (!frame) return { key: '', func: '<unknown>' };
  return { key: `${frame.file}:${frame.line}:${frame.column}`, func: frame.function };
}

function ratelimited(
  level: string,
  // biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
  helper: Function,
  fmt: string,
  args: unknown[],
): number {
  const { key, func } = call_site(helper);
  let rs = site_states.get(key);
  if (!rs) {
    rs = DEFINE_RATELIMIT_STATE();
    site_states.set(key, rs);
  }
  return ___ratelimit(rs, func) ? printk(level + fmt, ...args) : 0;
}

function once(
  level: string,
  // biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
  helper: Function,
  fmt: string,
  args: unknown[],
): number {
  const { key } = call_site(helper);
  if (site_once.has(key)) return 0;
  site_once.add(key);
  return printk(level + fmt, ...args);
}

export function pr_err_ratelimited(fmt: string, ...args: unknown[]): number {
  return ratelimited(KERN_ERR, pr_err_ratelimited, fmt, args);
}
export function pr_warn_ratelimited(fmt: string, ...args: unknown[]): number {
  return ratelimited(KERN_WARNING, pr_warn_ratelimited, fmt, args);
}
export function pr_notice_ratelimited(fmt: string, ...args: unknown[]): number {
  return ratelimited(KERN_NOTICE, pr_notice_ratelimited, fmt, args);
}
export function pr_info_ratelimited(fmt: string, ...args: unknown[]): number {
  return ratelimited(KERN_INFO, pr_info_ratelimited, fmt, args);
}

export function pr_err_once(fmt: string, ...args: unknown[]): number {
  return once(KERN_ERR, pr_err_once, fmt, args);
}
export function pr_warn_once(fmt: string, ...args: unknown[]): number {
  return once(KERN_WARNING, pr_warn_once, fmt, args);
}
export function pr_notice_once(fmt: string, ...args: unknown[]): number {
  return once(KERN_NOTICE, pr_notice_once, fmt, args);
}
export function pr_info_once(fmt: string, ...args: unknown[]): number {
  return once(KERN_INFO, pr_info_once, fmt, args);
}

function dev_prefix(dev: dev_printk_target): string {
  return `${dev.driver_string ?? ''} ${dev.name}: `.replaceAll('%', '%%');
}

export function dev_err_ratelimited(
  dev: dev_printk_target,
  fmt: string,
  ...args: unknown[]
): number {
  return ratelimited(KERN_ERR, dev_err_ratelimited, dev_prefix(dev) + fmt, args);
}
export function dev_warn_ratelimited(
  dev: dev_printk_target,
  fmt: string,
  ...args: unknown[]
): number {
  return ratelimited(KERN_WARNING, dev_warn_ratelimited, dev_prefix(dev) + fmt, args);
}
export function dev_info_ratelimited(
  dev: dev_printk_target,
  fmt: string,
  ...args: unknown[]
): number {
  return ratelimited(KERN_INFO, dev_info_ratelimited, dev_prefix(dev) + fmt, args);
}
export function dev_err_once(dev: dev_printk_target, fmt: string, ...args: unknown[]): number {
  return once(KERN_ERR, dev_err_once, dev_prefix(dev) + fmt, args);
}
export function dev_warn_once(dev: dev_printk_target, fmt: string, ...args: unknown[]): number {
  return once(KERN_WARNING, dev_warn_once, dev_prefix(dev) + fmt, args);
}
export function dev_info_once(dev: dev_printk_target, fmt: string, ...args: unknown[]): number {
  return once(KERN_INFO, dev_info_once, dev_prefix(dev) + fmt, args);
}

/** Forgets every call site's ratelimit and once state. For tests. */
export function ratelimit_reset(): void {
  site_states.clear();
  site_once.clear();
}
