/**
 * Wait queues (kernel/sched/wait.c, include/linux/wait.h): sleeping until a condition
 * becomes true.
 *
 * `wait_event*()` take the condition as a function, evaluated before each sleep and after
 * each wake-up, exactly where the kernel's macros evaluate the expression. The
 * interruptible forms return -ERESTARTSYS when a signal arrives, which the system-call
 * layer turns into a restart or -EINTR.
 *
 * @example
 * ```ts
 * import { DECLARE_WAIT_QUEUE_HEAD, kthread_run, sim_run_pending, wait_event, wake_up } from '@rfl/kernel';
 * const wq = DECLARE_WAIT_QUEUE_HEAD();
 * let ready = false;
 * const log: string[] = [];
 * kthread_run(async () => { await wait_event(wq, () => ready); log.push('woke'); return 0; }, null, 'waiter');
 * await sim_run_pending();
 * log // => []
 * ready = true;
 * wake_up(wq);
 * await sim_run_pending();
 * log // => ['woke']
 * ```
 *
 * @module
 */

import { ERESTARTSYS } from '../errno.js';
import { __set_current_state, schedule, set_current_state, try_to_wake_up } from '../sched/core.js';
import { might_sleep } from '../sched/might-sleep.js';
import { signal_pending_state } from '../sched/signal.js';
import {
  current,
  TASK_INTERRUPTIBLE,
  TASK_KILLABLE,
  TASK_NORMAL,
  TASK_RUNNING,
  TASK_UNINTERRUPTIBLE,
  type task_struct,
} from '../sched/task.js';
import { MAX_SCHEDULE_TIMEOUT } from '../time/jiffies.js';
import { schedule_timeout } from '../time/timer.js';

/** The waiter only counts for one wake-up of wake_up(): see prepare_to_wait_exclusive(). */
export const WQ_FLAG_EXCLUSIVE = 0x01;

/** A waiter (`struct wait_queue_entry`). */
export interface wait_queue_entry {
  flags: number;
  readonly task: task_struct;
  /** Wakes the waiter; returns whether it did (the entry's `func`). */
  readonly func: (entry: wait_queue_entry, mode: number) => boolean;
  /** Whether the entry is on a queue. */
  queued: boolean;
}

/** A queue of waiters (`wait_queue_head_t`). */
export class wait_queue_head {
  readonly head: wait_queue_entry[] = [];
}

export function init_waitqueue_head(wq: wait_queue_head): void {
  wq.head.length = 0;
}

export function DECLARE_WAIT_QUEUE_HEAD(): wait_queue_head {
  return new wait_queue_head();
}

/** Wakes the task and takes the entry off its queue (`autoremove_wake_function`). */
export function autoremove_wake_function(entry: wait_queue_entry, mode: number): boolean {
  return try_to_wake_up(entry.task, mode);
}

/** A waiter for the current task (`DEFINE_WAIT`). */
export function init_wait_entry(flags = 0): wait_queue_entry {
  return { flags, task: current(), func: autoremove_wake_function, queued: false };
}

export function add_wait_queue(wq: wait_queue_head, entry: wait_queue_entry): void {
  entry.flags &= ~WQ_FLAG_EXCLUSIVE;
  wq.head.unshift(entry);
  entry.queued = true;
}

export function add_wait_queue_exclusive(wq: wait_queue_head, entry: wait_queue_entry): void {
  entry.flags |= WQ_FLAG_EXCLUSIVE;
  wq.head.push(entry);
  entry.queued = true;
}

export function remove_wait_queue(wq: wait_queue_head, entry: wait_queue_entry): void {
  const i = wq.head.indexOf(entry);
  if (i >= 0) wq.head.splice(i, 1);
  entry.queued = false;
}

/** Queues the waiter (if it is not) and sets the task state for the coming sleep. */
export function prepare_to_wait(wq: wait_queue_head, entry: wait_queue_entry, state: number): void {
  if (!entry.queued) add_wait_queue(wq, entry);
  set_current_state(state);
}

export function prepare_to_wait_exclusive(
  wq: wait_queue_head,
  entry: wait_queue_entry,
  state: number,
): void {
  if (!entry.queued) add_wait_queue_exclusive(wq, entry);
  set_current_state(state);
}

/**
 * `prepare_to_wait_event()`: like prepare_to_wait(), but returns -ERESTARTSYS (and does
 * not queue) when a signal that `state` allows is pending.
 */
export function prepare_to_wait_event(
  wq: wait_queue_head,
  entry: wait_queue_entry,
  state: number,
): number {
  if (signal_pending_state(state, entry.task)) {
    remove_wait_queue(wq, entry);
    return -ERESTARTSYS;
  }
  if (!entry.queued) {
    if (entry.flags & WQ_FLAG_EXCLUSIVE) add_wait_queue_exclusive(wq, entry);
    else add_wait_queue(wq, entry);
  }
  set_current_state(state);
  return 0;
}

export function finish_wait(wq: wait_queue_head, entry: wait_queue_entry): void {
  __set_current_state(TASK_RUNNING);
  remove_wait_queue(wq, entry);
}

/**
 * Wakes the waiters whose state is in `mode`: every non-exclusive one, and up to
 * `nr_exclusive` exclusive ones (0 = all). Woken entries leave the queue.
 */
export function __wake_up(wq: wait_queue_head, mode: number, nr_exclusive: number): void {
  let remaining = nr_exclusive;
  for (const entry of [...wq.head]) {
    const woke = entry.func(entry, mode);
    if (woke) remove_wait_queue(wq, entry);
    if (woke && entry.flags & WQ_FLAG_EXCLUSIVE) {
      remaining -= 1;
      if (remaining === 0) break;
    }
  }
}

export function wake_up(wq: wait_queue_head): void {
  __wake_up(wq, TASK_NORMAL, 1);
}

export function wake_up_nr(wq: wait_queue_head, nr: number): void {
  __wake_up(wq, TASK_NORMAL, nr);
}

export function wake_up_all(wq: wait_queue_head): void {
  __wake_up(wq, TASK_NORMAL, 0);
}

export function wake_up_interruptible(wq: wait_queue_head): void {
  __wake_up(wq, TASK_INTERRUPTIBLE, 1);
}

export function wake_up_interruptible_all(wq: wait_queue_head): void {
  __wake_up(wq, TASK_INTERRUPTIBLE, 0);
}

/** Whether anyone waits on the queue. */
export function waitqueue_active(wq: wait_queue_head): boolean {
  return wq.head.length > 0;
}

/**
 * The loop of every `wait_event*()` macro (`___wait_event`). With a timeout it returns
 * the jiffies left (at least 1 if the condition came true) or 0; without, 0. Either way
 * -ERESTARTSYS when a signal the state allows interrupted it.
 */
export async function ___wait_event(
  wq: wait_queue_head,
  condition: () => boolean,
  state: number,
  exclusive: boolean,
  timeout: number,
): Promise<number> {
  const timed = timeout !== MAX_SCHEDULE_TIMEOUT;
  const entry = init_wait_entry(exclusive ? WQ_FLAG_EXCLUSIVE : 0);
  let ret = timeout;
  for (;;) {
    const intr = prepare_to_wait_event(wq, entry, state);
    const cond = condition();
    if (cond && timed && ret === 0) ret = 1;
    if (cond || (timed && ret === 0)) break;
    if (intr !== 0 && state !== TASK_UNINTERRUPTIBLE) {
      __set_current_state(TASK_RUNNING);
      return intr;
    }
    if (timed) ret = await schedule_timeout(ret);
    else await schedule();
  }
  finish_wait(wq, entry);
  return timed ? ret : 0;
}

/** Sleeps (uninterruptibly) until `condition()` is true. */
export async function wait_event(wq: wait_queue_head, condition: () => boolean): Promise<void> {
  might_sleep();
  if (condition()) return;
  await ___wait_event(wq, condition, TASK_UNINTERRUPTIBLE, false, MAX_SCHEDULE_TIMEOUT);
}

/** Sleeps until `condition()` is true; returns 0, or -ERESTARTSYS on a signal. */
export async function wait_event_interruptible(
  wq: wait_queue_head,
  condition: () => boolean,
): Promise<number> {
  might_sleep();
  if (condition()) return 0;
  return ___wait_event(wq, condition, TASK_INTERRUPTIBLE, false, MAX_SCHEDULE_TIMEOUT);
}

/** Like wait_event_interruptible(), but only SIGKILL interrupts. */
export async function wait_event_killable(
  wq: wait_queue_head,
  condition: () => boolean,
): Promise<number> {
  might_sleep();
  if (condition()) return 0;
  return ___wait_event(wq, condition, TASK_KILLABLE, false, MAX_SCHEDULE_TIMEOUT);
}

/** An exclusive waiter: wake_up() wakes only one of these. */
export async function wait_event_interruptible_exclusive(
  wq: wait_queue_head,
  condition: () => boolean,
): Promise<number> {
  might_sleep();
  if (condition()) return 0;
  return ___wait_event(wq, condition, TASK_INTERRUPTIBLE, true, MAX_SCHEDULE_TIMEOUT);
}

/**
 * Sleeps until `condition()` is true or `timeout` jiffies pass. Returns 0 if the time ran
 * out with the condition false, otherwise the jiffies left (at least 1).
 */
export async function wait_event_timeout(
  wq: wait_queue_head,
  condition: () => boolean,
  timeout: number,
): Promise<number> {
  might_sleep();
  if (condition()) return Math.max(timeout, 1);
  return ___wait_event(wq, condition, TASK_UNINTERRUPTIBLE, false, timeout);
}

/** wait_event_timeout() that a signal interrupts with -ERESTARTSYS. */
export async function wait_event_interruptible_timeout(
  wq: wait_queue_head,
  condition: () => boolean,
  timeout: number,
): Promise<number> {
  might_sleep();
  if (condition()) return Math.max(timeout, 1);
  return ___wait_event(wq, condition, TASK_INTERRUPTIBLE, false, timeout);
}
