/**
 * The virtual clock every time source of the simulated kernel reads.
 *
 * Time does not pass on its own: it moves only when a test advances it
 * (`sim_advance`) or when the machine is idle and a helper lets it run to the next
 * timer (`sim_run_until_idle`). So a test that sleeps a task for a second does not
 * wait a second, and every run sees the same times.
 *
 * @module
 */

import { set_local_clock } from '../printk.js';

/** Nanoseconds since boot. */
let now_ns = 0;

/** Nanoseconds since boot on the virtual clock (`ktime_get()`, `local_clock()`). */
export function ktime_get(): number {
  return now_ns;
}

/** `ktime_get_ns()`: the same value, under the name drivers call it by. */
export function ktime_get_ns(): number {
  return now_ns;
}

/**
 * Moves the clock forward to `ns`; time never goes backwards.
 *
 * This only sets the clock: timers are run by `sim_advance`, which calls it.
 */
export function clock_set_ns(ns: number): void {
  if (ns > now_ns) now_ns = ns;
}

// dmesg timestamps follow the virtual clock, so reports are reproducible.
set_local_clock(ktime_get);
