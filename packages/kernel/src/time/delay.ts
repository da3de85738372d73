/**
 * Delays (include/linux/delay.h): busy-waiting `ndelay`/`udelay`/`mdelay`, and `fsleep`,
 * which picks the right way to wait for a duration.
 *
 * A busy-wait keeps the CPU, so it is allowed in atomic context and nothing else runs
 * meanwhile: the virtual clock jumps by the delay, and timers that fell due during it
 * run at the next `sim_advance()` or `sim_run_until_idle()`, as softirqs would run after
 * the spinning code lets them.
 *
 * @example
 * ```ts
 * import { ktime_get, udelay } from '@rfl/kernel';
 * const before = ktime_get();
 * udelay(50);
 * ktime_get() - before // => 50_000
 * ```
 *
 * @module
 */

import { clock_set_ns, ktime_get } from './clock.js';
import { msleep, usleep_range } from './timer.js';

/** Spins for `nsecs` nanoseconds. */
export function ndelay(nsecs: number): void {
  clock_set_ns(ktime_get() + Math.max(0, nsecs));
}

/** Spins for `usecs` microseconds. */
export function udelay(usecs: number): void {
  ndelay(usecs * 1000);
}

/** Spins for `msecs` milliseconds (long busy-waits are a bug waiting for review). */
export function mdelay(msecs: number): void {
  ndelay(msecs * 1_000_000);
}

/**
 * Waits `usecs` microseconds the way the kernel recommends for the length: a busy-wait
 * up to 10 µs, a high-resolution sleep up to 20 ms, msleep() beyond.
 */
export async function fsleep(usecs: number): Promise<void> {
  if (usecs <= 10) udelay(usecs);
  else if (usecs <= 20_000) await usleep_range(usecs, 2 * usecs);
  else await msleep(Math.ceil(usecs / 1000));
}
