/**
 * Completions (kernel/sched/completion.c): "wait until that is done", counted.
 *
 * Each complete() lets one waiter through (or a later wait_for_completion() return at
 * once); complete_all() lets every present and future waiter through until
 * reinit_completion().
 *
 * @example
 * ```ts
 * import { DECLARE_COMPLETION, complete, kthread_run, wait_for_completion } from '@rfl/kernel';
 * const probed = DECLARE_COMPLETION();
 * kthread_run(async () => { complete(probed); return 0; }, null, 'prober');
 * await wait_for_completion(probed);
 * probed.done // => 0
 * ```
 *
 * @module
 */

import { ERESTARTSYS } from '../errno.js';
import { might_sleep } from '../sched/might-sleep.js';
import { TASK_INTERRUPTIBLE, TASK_KILLABLE, TASK_UNINTERRUPTIBLE } from '../sched/task.js';
import { MAX_SCHEDULE_TIMEOUT } from '../time/jiffies.js';
import { ___wait_event, __wake_up, wait_queue_head } from './wait.js';

/** `done` once complete_all() ran: every waiter passes. */
export const UINT_MAX = 0xffffffff;

/** A completion (`struct completion`). */
export class completion {
  done = 0;
  readonly wait = new wait_queue_head();
}

export function init_completion(x: completion): void {
  x.done = 0;
  x.wait.head.length = 0;
}

/** Makes the completion wait again after complete_all() or used-up completes. */
export function reinit_completion(x: completion): void {
  x.done = 0;
}

export function DECLARE_COMPLETION(): completion {
  return new completion();
}

/** Signals one completion: wakes one waiter, or lets the next wait pass. */
export function complete(x: completion): void {
  if (x.done !== UINT_MAX) x.done += 1;
  __wake_up(x.wait, TASK_UNINTERRUPTIBLE | TASK_INTERRUPTIBLE, 1);
}

/** Completes for every waiter, now and until reinit_completion(). */
export function complete_all(x: completion): void {
  x.done = UINT_MAX;
  __wake_up(x.wait, TASK_UNINTERRUPTIBLE | TASK_INTERRUPTIBLE, 0);
}

async function wait_for_common(x: completion, timeout: number, state: number): Promise<number> {
  might_sleep();
  let ret = timeout;
  if (x.done === 0) {
    ret = await ___wait_event(x.wait, () => x.done !== 0, state, true, timeout);
    if (ret < 0) return ret;
    if (x.done === 0) return 0;
  }
  if (x.done !== UINT_MAX) x.done -= 1;
  return timeout === MAX_SCHEDULE_TIMEOUT ? timeout : Math.max(ret, 1);
}

/** Sleeps uninterruptibly until the completion is signalled. */
export async function wait_for_completion(x: completion): Promise<void> {
  await wait_for_common(x, MAX_SCHEDULE_TIMEOUT, TASK_UNINTERRUPTIBLE);
}

/** Returns 0 once completed, or -ERESTARTSYS if a signal came first. */
export async function wait_for_completion_interruptible(x: completion): Promise<number> {
  const ret = await wait_for_common(x, MAX_SCHEDULE_TIMEOUT, TASK_INTERRUPTIBLE);
  return ret === -ERESTARTSYS ? ret : 0;
}

/** Returns 0 once completed, or -ERESTARTSYS if SIGKILL came first. */
export async function wait_for_completion_killable(x: completion): Promise<number> {
  const ret = await wait_for_common(x, MAX_SCHEDULE_TIMEOUT, TASK_KILLABLE);
  return ret === -ERESTARTSYS ? ret : 0;
}

/** Returns 0 on timeout, else the jiffies left (at least 1). */
export function wait_for_completion_timeout(x: completion, timeout: number): Promise<number> {
  return wait_for_common(x, timeout, TASK_UNINTERRUPTIBLE);
}

/** Returns -ERESTARTSYS on a signal, 0 on timeout, else the jiffies left. */
export function wait_for_completion_interruptible_timeout(
  x: completion,
  timeout: number,
): Promise<number> {
  return wait_for_common(x, timeout, TASK_INTERRUPTIBLE);
}

/** Consumes a completion if one is available, without sleeping; returns whether it did. */
export function try_wait_for_completion(x: completion): boolean {
  if (x.done === 0) return false;
  if (x.done !== UINT_MAX) x.done -= 1;
  return true;
}

/** Whether a wait would pass without sleeping. */
export function completion_done(x: completion): boolean {
  return x.done !== 0;
}
