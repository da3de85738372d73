/**
 * The hung-task detector (kernel/hung_task.c, CONFIG_DETECT_HUNG_TASK).
 *
 * A task that sleeps uninterruptibly (state D) and has not run for
 * `hung_task_timeout_secs` (120 s) is probably deadlocked: the detector reports it with
 * where it sleeps and every lock held in the system. Like khungtaskd it looks every
 * 120 s, so a task is reported between 120 and 240 s after it got stuck, and it gives
 * up after `hung_task_warnings` (10) reports. Killable sleeps are not reported, since
 * the task can still be killed.
 *
 * The virtual clock runs the check at every multiple of the timeout it passes, and
 * `sim_run_until_idle()` lets time run to report a machine where tasks are stuck.
 *
 * @example
 * ```ts
 * import { DECLARE_WAIT_QUEUE_HEAD, dmesg, kthread_run, sim_run_until_idle, wait_event, wake_up } from '@rfl/kernel';
 * const firmware_wq = DECLARE_WAIT_QUEUE_HEAD();
 * let firmware_ready = false;
 * const loader = kthread_run(async () => {
 *   await wait_event(firmware_wq, () => firmware_ready);
 *   return 0;
 * }, null, 'fw-loader');
 * await sim_run_until_idle();
 * dmesg().includes(`INFO: task fw-loader:${loader.pid} blocked for more than 120 seconds.`) // => true
 * # firmware_ready = true;
 * # wake_up(firmware_wq);
 * # await loader.exited;
 * ```
 *
 * @module
 */

import { config_value, kconfig_watch } from '../kconfig.js';
import { debug_locks_enabled } from '../locking/debug-locks.js';
import { lockdep_print_held_locks } from '../locking/lockdep-print.js';
import { print_tainted, UTS_RELEASE } from '../panic.js';
import { pr_err, pr_info, pr_warn, printk } from '../printk.js';
import { stack_lines } from '../stacktrace.js';
import { HZ, jiffies, NSEC_PER_SEC, time_after } from '../time/jiffies.js';
import { for_each_process, TASK_UNINTERRUPTIBLE, TASK_WAKEKILL, type task_struct } from './task.js';

/** `/proc/sys/kernel/hung_task_timeout_secs`; 0 disables the detector. */
let hung_task_timeout_secs = 120;
/** CONFIG_DETECT_HUNG_TASK: without it there is no khungtaskd. */
let detect_hung_task = true;
kconfig_watch('CONFIG_DETECT_HUNG_TASK', (on) => {
  detect_hung_task = on;
});
/** `/proc/sys/kernel/hung_task_warnings`: reports left. */
let hung_task_warnings = 10;

/** Sets the timeout (0 turns the detector off); returns the previous one. */
export function set_hung_task_timeout_secs(secs: number): number {
  const old = hung_task_timeout_secs;
  hung_task_timeout_secs = secs;
  return old;
}

/**
 * Restores the defaults: `CONFIG_DEFAULT_HUNG_TASK_TIMEOUT` (120 s) and 10 warnings.
 * For tests.
 */
export function hung_task_reset(): void {
  const timeout = config_value('CONFIG_DEFAULT_HUNG_TASK_TIMEOUT');
  hung_task_timeout_secs = typeof timeout === 'number' ? timeout : 120;
  hung_task_warnings = 10;
}

/**
 * Nanoseconds between checks (the timeout itself), or 0 when the detector is off or
 * the kernel has no `CONFIG_DETECT_HUNG_TASK`.
 */
export function hung_task_interval_ns(): number {
  return detect_hung_task ? hung_task_timeout_secs * NSEC_PER_SEC : 0;
}

function is_stuck_state(t: task_struct): boolean {
  const state = t.__state;
  return (state & TASK_UNINTERRUPTIBLE) !== 0 && (state & TASK_WAKEKILL) === 0 && t.nvcsw > 0;
}

/**
 * Whether some task sits in D state without having been reported for this sleep: what
 * `sim_run_until_idle()` waits for before it calls the machine idle.
 */
export function hung_task_candidates(): boolean {
  if (!detect_hung_task || hung_task_timeout_secs === 0 || hung_task_warnings === 0) return false;
  return for_each_process().some((t) => is_stuck_state(t) && reported.get(t) !== t.nvcsw);
}

/** Sleep (switch count) each task was last reported for. */
const reported = new WeakMap<task_struct, number>();

function sched_show_task(t: task_struct): void {
  pr_info(
    'task:%-15.15s state:D stack:0     pid:%-5d tgid:%-5d ppid:%-6d flags:0x%08x\n',
    t.comm,
    t.pid,
    t.pid,
    0,
    t.flags,
  );
  printk('Call Trace:\n');
  printk(' <TASK>\n');
  if (t.sched_stack) for (const line of stack_lines(t.sched_stack)) printk('%s\n', line);
  printk(' </TASK>\n');
}

function check_hung_task(t: task_struct, timeout: number): boolean {
  if (!is_stuck_state(t)) return false;
  if (t.nvcsw !== t.last_switch_count) {
    t.last_switch_count = t.nvcsw;
    t.last_switch_time = jiffies();
    return false;
  }
  if (time_after(t.last_switch_time + timeout * HZ, jiffies())) return false;
  if (hung_task_warnings === 0) return false;
  hung_task_warnings -= 1;
  reported.set(t, t.nvcsw);
  pr_err(
    'INFO: task %s:%d blocked for more than %d seconds.\n',
    t.comm,
    t.pid,
    Math.floor((jiffies() - t.last_switch_time) / HZ),
  );
  pr_err('      %s %s #1\n', print_tainted(), UTS_RELEASE);
  pr_err('"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.\n');
  sched_show_task(t);
  return true;
}

/** `debug_show_all_locks()`: the held locks of every task. */
export function debug_show_all_locks(): void {
  if (!debug_locks_enabled()) {
    pr_warn('INFO: lockdep is turned off.\n');
    return;
  }
  pr_warn('\n');
  pr_warn('Showing all locks held in the system:\n');
  for (const t of for_each_process()) {
    if (t.held_locks.length > 0) lockdep_print_held_locks(t);
  }
  pr_warn('\n');
  pr_warn('=============================================\n\n');
}

/** One pass of khungtaskd over every task; returns whether it reported any. */
export function check_hung_uninterruptible_tasks(): boolean {
  const timeout = hung_task_timeout_secs;
  if (!detect_hung_task || timeout === 0) return false;
  let show_lock = false;
  for (const t of for_each_process()) {
    if (check_hung_task(t, timeout)) show_lock = true;
  }
  if (show_lock) debug_show_all_locks();
  return show_lock;
}
