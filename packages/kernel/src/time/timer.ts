/**
 * Timers (kernel/time/timer.c) on the virtual clock, and the sleeps built on them.
 *
 * A timer's callback runs in softirq context when the clock reaches its expiry. The
 * clock moves only in `sim_advance()` and `sim_run_until_idle()`, which run due timers in
 * expiry order and let woken tasks run after each, so a test sees the same interleaving
 * every time. Callbacks run on the idle task (`swapper/0`, pid 0), as on a CPU that was
 * idle when the tick came.
 *
 * @example
 * ```ts
 * import { jiffies, mod_timer, msecs_to_jiffies, sim_advance, timer_setup, type timer_list } from '@rfl/kernel';
 * const fired: number[] = [];
 * const t: timer_list = timer_setup((tl) => { fired.push(jiffies() - start); }, 0);
 * const start = jiffies();
 * mod_timer(t, start + msecs_to_jiffies(100));
 * await sim_advance(95);
 * fired // => []
 * await sim_advance(5);
 * fired // => [25]
 * ```
 *
 * @module
 */

import {
  oops_exception,
  schedule,
  set_current_state,
  sim_run_pending,
  wake_up_process,
} from '../sched/core.js';
import {
  check_hung_uninterruptible_tasks,
  hung_task_candidates,
  hung_task_interval_ns,
} from '../sched/hung-task.js';
import { might_sleep } from '../sched/might-sleep.js';
import { sim_softirq } from '../sched/preempt.js';
import { signal_pending } from '../sched/signal.js';
import {
  current,
  init_task,
  run_as,
  TASK_INTERRUPTIBLE,
  TASK_KILLABLE,
  TASK_UNINTERRUPTIBLE,
} from '../sched/task.js';
import { clock_set_ns, ktime_get } from './clock.js';
import {
  jiffies,
  jiffies_to_clock_ns,
  jiffies_to_msecs,
  MAX_SCHEDULE_TIMEOUT,
  msecs_to_jiffies,
} from './jiffies.js';

/** A timer (`struct timer_list`). Made by timer_setup(); armed by mod_timer(). */
export interface timer_list {
  function: (timer: timer_list) => void;
  /** Expiry in jiffies. */
  expires: number;
  flags: number;
  /** Position in the queue while pending (internal). */
  seq: number;
  /** Expiry on the clock, in ns; the queue's sort key (internal). */
  expires_ns: number;
}

/** The callback may run in any context (hardirq-safe); no behaviour change here. */
export const TIMER_IRQSAFE = 0x00200000;
export const TIMER_DEFERRABLE = 0x00080000;
export const TIMER_PINNED = 0x00100000;

/** Armed timers, in (expiry, arming order). */
const queue: timer_list[] = [];
let next_seq = 1;

/** Prepares a timer; it is not armed. */
export function timer_setup(fn: (timer: timer_list) => void, flags: number): timer_list {
  return { function: fn, expires: 0, flags, seq: 0, expires_ns: 0 };
}

/** Whether the timer is armed and has not fired yet. */
export function timer_pending(timer: timer_list): boolean {
  return timer.seq !== 0;
}

function dequeue(timer: timer_list): boolean {
  if (timer.seq === 0) return false;
  const i = queue.indexOf(timer);
  if (i >= 0) queue.splice(i, 1);
  timer.seq = 0;
  return true;
}

function enqueue_ns(timer: timer_list, expires_ns: number): void {
  timer.expires_ns = expires_ns;
  timer.seq = next_seq++;
  let lo = 0;
  let hi = queue.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const q = queue[mid]!;
    if (q.expires_ns < expires_ns || (q.expires_ns === expires_ns && q.seq < timer.seq)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  queue.splice(lo, 0, timer);
}

/**
 * Arms (or re-arms) `timer` to fire at jiffy `expires`; a time already past fires at the
 * next tick. Returns 1 if the timer was pending, 0 if not.
 */
export function mod_timer(timer: timer_list, expires: number): number {
  const was = dequeue(timer) ? 1 : 0;
  timer.expires = expires;
  const now = ktime_get();
  enqueue_ns(timer, Math.max(jiffies_to_clock_ns(expires), now));
  return was;
}

/** Arms a timer with its `expires` field already set. */
export function add_timer(timer: timer_list): void {
  mod_timer(timer, timer.expires);
}

/** Disarms a timer; returns 1 if it was pending. (`del_timer`) */
export function timer_delete(timer: timer_list): number {
  return dequeue(timer) ? 1 : 0;
}

/**
 * Disarms a timer and makes sure its callback is not running. On the one simulated CPU a
 * callback runs to completion before anything else, so this is timer_delete().
 */
export function timer_delete_sync(timer: timer_list): number {
  return timer_delete(timer);
}

export const del_timer = timer_delete;
export const del_timer_sync = timer_delete_sync;

/** Arms a timer on the nanosecond clock (what hrtimers and usleep_range use). */
export function sim_timer_start_ns(timer: timer_list, expires_ns: number): void {
  dequeue(timer);
  enqueue_ns(timer, Math.max(expires_ns, ktime_get()));
}

function run_timer(timer: timer_list): void {
  try {
    run_as(init_task, () => sim_softirq(() => timer.function(timer)));
  } catch (err) {
    // An exception in a softirq is an Oops in interrupt context: report it and carry on,
    // where the kernel would panic ("Fatal exception in interrupt").
    run_as(init_task, () => oops_exception(err));
  }
}

/** Runs every timer due at the current time, in expiry order. */
function run_timers(): void {
  const now = ktime_get();
  while (queue.length > 0 && queue[0]!.expires_ns <= now) {
    const timer = queue.shift()!;
    timer.seq = 0;
    run_timer(timer);
  }
}

/**
 * Moves the virtual clock forward by `ms` milliseconds (fractions allowed), firing every
 * timer that falls due on the way in order and letting the tasks it wakes run before
 * the clock moves on.
 */
export async function sim_advance(ms: number): Promise<void> {
  const target = ktime_get() + Math.round(ms * 1_000_000);
  await sim_run_pending();
  for (;;) {
    const next = next_event_ns(true);
    if (next === undefined || next > target) break;
    await run_event(next);
  }
  clock_set_ns(target);
}

/**
 * Runs the machine until it is idle: tasks run until they sleep, and while a timer is
 * armed the clock jumps to it, as a tickless idle CPU would. A task stuck in
 * uninterruptible sleep keeps the clock going until the hung-task detector has reported
 * it. Stops after `limit_ms` of virtual time (default one hour) so a self-rearming timer
 * cannot spin forever. Returns the virtual milliseconds that passed.
 */
export async function sim_run_until_idle(limit_ms = 3_600_000): Promise<number> {
  const start = ktime_get();
  const limit = start + limit_ms * 1_000_000;
  await sim_run_pending();
  for (;;) {
    const next = next_event_ns(hung_task_candidates());
    if (next === undefined) break;
    if (next > limit) {
      clock_set_ns(limit);
      break;
    }
    await run_event(next);
  }
  return (ktime_get() - start) / 1_000_000;
}

/** The last multiple of the hung-task interval at which khungtaskd has looked. */
let hung_checked_ns = 0;

function next_hung_check_ns(): number | undefined {
  const interval = hung_task_interval_ns();
  if (interval === 0) return undefined;
  return (Math.floor(hung_checked_ns / interval) + 1) * interval;
}

/** The time of the next timer, or of the next hung-task check when `hung` says so. */
function next_event_ns(hung: boolean): number | undefined {
  const timer = queue[0]?.expires_ns;
  const check = hung ? next_hung_check_ns() : undefined;
  if (timer === undefined) return check;
  if (check === undefined) return timer;
  return Math.min(timer, check);
}

/** Moves the clock to `at`, runs the timers (or the hung-task check) due, lets tasks run. */
async function run_event(at: number): Promise<void> {
  clock_set_ns(at);
  const check = next_hung_check_ns();
  if (queue[0] !== undefined && queue[0].expires_ns <= ktime_get()) {
    run_timers();
  } else if (check !== undefined && check <= ktime_get()) {
    hung_checked_ns = check;
    run_as(init_task, check_hung_uninterruptible_tasks);
  }
  await sim_run_pending();
}

/**
 * Sleeps until `timeout` jiffies have passed or the task is woken, in the state the caller
 * set; returns the jiffies left (0 when the time ran out).
 */
export async function schedule_timeout(timeout: number): Promise<number> {
  if (timeout === MAX_SCHEDULE_TIMEOUT) {
    await schedule();
    return timeout;
  }
  const task = current();
  const expire = jiffies() + Math.max(0, timeout);
  const timer = timer_setup(() => wake_up_process(task), 0);
  mod_timer(timer, expire);
  await schedule();
  timer_delete_sync(timer);
  return Math.max(0, expire - jiffies());
}

export async function schedule_timeout_uninterruptible(timeout: number): Promise<number> {
  set_current_state(TASK_UNINTERRUPTIBLE);
  return schedule_timeout(timeout);
}

export async function schedule_timeout_interruptible(timeout: number): Promise<number> {
  set_current_state(TASK_INTERRUPTIBLE);
  return schedule_timeout(timeout);
}

export async function schedule_timeout_killable(timeout: number): Promise<number> {
  set_current_state(TASK_KILLABLE);
  return schedule_timeout(timeout);
}

/**
 * Sleeps at least `msecs` milliseconds, uninterruptibly. Like the kernel it waits one
 * jiffy more than asked, so `msleep(10)` at HZ=250 sleeps 4 ticks (16 ms).
 */
export async function msleep(msecs: number): Promise<void> {
  might_sleep();
  let timeout = msecs_to_jiffies(msecs) + 1;
  while (timeout > 0) timeout = await schedule_timeout_uninterruptible(timeout);
}

/**
 * Sleeps like msleep() but returns early when a signal arrives; returns the milliseconds
 * left.
 */
export async function msleep_interruptible(msecs: number): Promise<number> {
  might_sleep();
  let timeout = msecs_to_jiffies(msecs) + 1;
  while (timeout > 0 && !signal_pending()) {
    timeout = await schedule_timeout_interruptible(timeout);
  }
  return jiffies_to_msecs(timeout);
}

/**
 * Sleeps between `min` and `max` microseconds on a high-resolution timer; the simulation
 * wakes at `min`, the earliest the kernel may.
 */
export async function usleep_range(min: number, _max: number): Promise<void> {
  might_sleep();
  const task = current();
  const timer = timer_setup(() => wake_up_process(task), 0);
  sim_timer_start_ns(timer, ktime_get() + min * 1000);
  set_current_state(TASK_UNINTERRUPTIBLE);
  await schedule();
  timer_delete(timer);
}

/** Sleeps `secs` seconds (`ssleep`). */
export async function ssleep(secs: number): Promise<void> {
  await msleep(secs * 1000);
}

/**
 * When the next timer is due, in nanoseconds since boot, or undefined when none is armed:
 * what a machine's idle loop jumps the clock to (with `sim_advance`) while it waits for a
 * task that sleeps.
 */
export function sim_next_timer_ns(): number | undefined {
  return next_event_ns(false);
}
