/**
 * `nanosleep(2)` on the virtual clock: an interruptible sleep on a high-resolution timer
 * that expires exactly `ns` later (`hrtimer_nanosleep`). The kernel has no such system call
 * yet; the machine provides it to `sleep`.
 *
 * @module
 */

import {
  current,
  ktime_get,
  schedule,
  set_current_state,
  sim_timer_start_ns,
  TASK_INTERRUPTIBLE,
  TASK_RUNNING,
  timer_delete,
  timer_setup,
  wake_up_process,
} from '@rfl/kernel';

const EINTR = 4;

/** Sleeps the calling task `ns` nanoseconds; 0, or -EINTR if woken early. */
export async function hrtimer_nanosleep(ns: number): Promise<number> {
  const task = current();
  const expires = ktime_get() + ns;
  let fired = ns <= 0;
  const timer = timer_setup(() => {
    fired = true;
    wake_up_process(task);
  }, 0);
  if (!fired) {
    sim_timer_start_ns(timer, expires);
    set_current_state(TASK_INTERRUPTIBLE);
    await schedule();
    set_current_state(TASK_RUNNING);
    timer_delete(timer);
  }
  return fired ? 0 : -EINTR;
}
