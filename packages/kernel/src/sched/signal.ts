/**
 * Signals, as far as the kernel side sees them: a pending set per task that interrupts
 * interruptible sleeps (`mutex_lock_interruptible` returns -EINTR, `wait_event_interruptible`
 * -ERESTARTSYS) and, for SIGKILL, killable ones.
 *
 * @module
 */

import { ESRCH } from '../errno.js';
import { try_to_wake_up } from './core.js';
import { current, TASK_INTERRUPTIBLE, TASK_WAKEKILL, type task_struct } from './task.js';

export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGSEGV = 11;
export const SIGUSR2 = 12;
export const SIGPIPE = 13;
export const SIGALRM = 14;
export const SIGTERM = 15;
export const SIGCHLD = 17;
export const SIGSTOP = 19;
/** Highest signal number (`_NSIG`). */
export const _NSIG = 64;

/**
 * Makes `sig` pending for `task` and wakes it if it sleeps interruptibly (or killably, for
 * SIGKILL), as `send_sig` → `signal_wake_up` does. Returns 0, or -ESRCH for a task that
 * has exited.
 */
export function send_sig(sig: number, task: task_struct, _priv = 0): number {
  if (task.exit_state !== 0) return -ESRCH;
  task.pending.add(sig);
  const state = sig === SIGKILL ? TASK_INTERRUPTIBLE | TASK_WAKEKILL : TASK_INTERRUPTIBLE;
  try_to_wake_up(task, state);
  return 0;
}

/** Whether `task` (default current) has a signal pending. */
export function signal_pending(task: task_struct = current()): boolean {
  return task.pending.size > 0;
}

/** Whether SIGKILL is pending for `task`. */
export function fatal_signal_pending(task: task_struct = current()): boolean {
  return task.pending.has(SIGKILL);
}

/**
 * Whether a sleep in `state` must end because of a signal: any signal for
 * TASK_INTERRUPTIBLE, only SIGKILL for TASK_KILLABLE, none for TASK_UNINTERRUPTIBLE.
 */
export function signal_pending_state(state: number, task: task_struct = current()): boolean {
  if ((state & (TASK_INTERRUPTIBLE | TASK_WAKEKILL)) === 0) return false;
  if (!signal_pending(task)) return false;
  return (state & TASK_INTERRUPTIBLE) !== 0 || fatal_signal_pending(task);
}

/** Discards the pending signals of `task` (what delivering them to user space does). */
export function flush_signals(task: task_struct = current()): void {
  task.pending.clear();
}
