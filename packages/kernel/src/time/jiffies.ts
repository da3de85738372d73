/**
 * `jiffies` and `HZ` (include/linux/jiffies.h), read from the virtual clock.
 *
 * @example
 * ```ts
 * import { HZ, msecs_to_jiffies, jiffies_to_msecs } from '@rfl/kernel';
 * HZ // => 250
 * msecs_to_jiffies(10) // => 3
 * jiffies_to_msecs(3) // => 12
 * ```
 *
 * @module
 */

import { ktime_get } from './clock.js';

/** Ticks per second: `CONFIG_HZ_250`, the Kconfig default. */
export const HZ = 250;
/** Nanoseconds per tick. */
export const TICK_NSEC = 1_000_000_000 / HZ;
export const NSEC_PER_MSEC = 1_000_000;
export const NSEC_PER_SEC = 1_000_000_000;
export const MSEC_PER_SEC = 1000;
export const MAX_JIFFY_OFFSET = 0x3fffffff;
export const MAX_SCHEDULE_TIMEOUT = Number.MAX_SAFE_INTEGER;

/**
 * The value of `jiffies` at boot: five minutes before the 32-bit counter wraps, so that
 * code mishandling the wrap is caught early, as in the kernel.
 */
export const INITIAL_JIFFIES = 2 ** 32 - 300 * HZ;

/** The tick count (the `jiffies_64` variable; a JavaScript number holds it exactly). */
export function jiffies(): number {
  return INITIAL_JIFFIES + Math.floor(ktime_get() / TICK_NSEC);
}

/** `get_jiffies_64()`. */
export function get_jiffies_64(): number {
  return jiffies();
}

/** The virtual-clock time, in nanoseconds since boot, at which `jiffies()` reaches `j`. */
export function jiffies_to_clock_ns(j: number): number {
  return (j - INITIAL_JIFFIES) * TICK_NSEC;
}

/** Whether jiffy value `a` is after `b` (`time_after`). */
export function time_after(a: number, b: number): boolean {
  return b - a < 0;
}

export function time_before(a: number, b: number): boolean {
  return time_after(b, a);
}

export function time_after_eq(a: number, b: number): boolean {
  return a - b >= 0;
}

export function time_before_eq(a: number, b: number): boolean {
  return time_after_eq(b, a);
}

/** Whether jiffy value `a` is already in the past (`time_is_before_jiffies`). */
export function time_is_before_jiffies(a: number): boolean {
  return time_after(jiffies(), a);
}

/** Whether jiffy value `a` is still in the future (`time_is_after_jiffies`). */
export function time_is_after_jiffies(a: number): boolean {
  return time_before(jiffies(), a);
}

export function time_is_before_eq_jiffies(a: number): boolean {
  return time_after_eq(jiffies(), a);
}

export function time_is_after_eq_jiffies(a: number): boolean {
  return time_before_eq(jiffies(), a);
}

/** Milliseconds to ticks, rounding up so that a wait is never shorter than asked. */
export function msecs_to_jiffies(m: number): number {
  if (m < 0) return MAX_JIFFY_OFFSET;
  return Math.ceil((m * HZ) / MSEC_PER_SEC);
}

export function usecs_to_jiffies(u: number): number {
  return Math.ceil((u * HZ) / 1_000_000);
}

export function jiffies_to_msecs(j: number): number {
  return (j * MSEC_PER_SEC) / HZ;
}

export function jiffies_to_usecs(j: number): number {
  return (j * 1_000_000) / HZ;
}
