/**
 * The scheduler of the one simulated CPU (kernel/sched/core.c), and kthreads.
 *
 * A task's body is an async function. It runs until it awaits; sleeping is the kernel's
 * own protocol:
 *
 * ```ts ignore
 * set_current_state(TASK_INTERRUPTIBLE);
 * if (!condition) await schedule();
 * __set_current_state(TASK_RUNNING);
 * ```
 *
 * `schedule()` returns once somebody calls `wake_up_process()` on the task; a wake-up that
 * comes between `set_current_state()` and `schedule()` makes `schedule()` return at once,
 * so no wake-up is lost. Woken tasks continue in promise order, which makes every run of
 * a test the same run. `sim_run_pending()` lets every runnable task run until it sleeps.
 *
 * @module
 */

import { EINTR } from '../errno.js';
import { debug_locks_off } from '../locking/debug-locks.js';
import {
  debug_show_held_locks,
  lockdep_print_held_locks,
  print_irqtrace_events,
  print_kernel_ident,
  sym,
} from '../locking/lockdep-print.js';
import { mm_alloc } from '../mm/mmap.js';
import { add_taint, die, dump_stack, Oops, TAINT_WARN, WARN_ONCE } from '../panic.js';
import { pr_err, pr_warn, printk } from '../printk.js';
import { type StackCapture, stack_capture } from '../stacktrace.js';
import { sprintf } from '../vsprintf.js';
import { might_sleep } from './might-sleep.js';
import {
  alloc_task,
  current,
  PF_KTHREAD,
  PF_WQ_WORKER,
  release_task,
  run_as,
  TASK_DEAD,
  TASK_NORMAL,
  TASK_RUNNING,
  TASK_UNINTERRUPTIBLE,
  type task_struct,
} from './task.js';

/** Sets the state the next `schedule()` sleeps in. */
export function set_current_state(state: number): void {
  const task = current();
  task.__state = state;
  task.task_state_change = state === TASK_RUNNING ? undefined : stack_capture(set_current_state);
}

/** The same; the kernel's variant without a memory barrier. */
export function __set_current_state(state: number): void {
  const task = current();
  task.__state = state;
  task.task_state_change = state === TASK_RUNNING ? undefined : stack_capture(__set_current_state);
}

/** The report `schedule()` prints when called with a non-zero preempt count. */
function __schedule_bug(prev: task_struct, trace: StackCapture): void {
  printk(
    '\x013BUG: scheduling while atomic: %s/%d/0x%08x\n',
    prev.comm,
    prev.pid,
    prev.preempt_count,
  );
  debug_show_held_locks(prev);
  if (prev.hardirqs_disabled) print_irqtrace_events(prev);
  if (prev.preempt_count !== 0) {
    pr_err('Preemption disabled at:\n');
    pr_err('%s\n', sym(prev.preempt_disable_ip));
  }
  dump_stack(trace);
  add_taint(TAINT_WARN);
}

/** The checks `__schedule()` makes of the task that is about to stop running. */
function schedule_debug(prev: task_struct): void {
  if (prev.preempt_count !== 0) __schedule_bug(prev, stack_capture(schedule_debug));
  WARN_ONCE(
    prev.rcu_read_lock_nesting > 0,
    'Voluntary context switch within RCU read-side critical section!\n',
  );
}

/**
 * Gives up the CPU. If the current state is not TASK_RUNNING the task sleeps until woken;
 * otherwise it only lets the tasks that are ready run first, as `yield()` would.
 *
 * In the kernel the preempt count belongs to the CPU and `__schedule()` resets it after
 * reporting; here it belongs to the task, so the task keeps its (wrong) count and the
 * report repeats at each sleep until the lock is released.
 */
export async function schedule(): Promise<void> {
  const task = current();
  schedule_debug(task);
  if (task.__state === TASK_RUNNING) {
    await Promise.resolve();
    return;
  }
  task.nvcsw += 1;
  task.sched_stack = stack_capture(schedule);
  if (task.flags & PF_WQ_WORKER) worker_hooks.sleeping(task);
  await new Promise<void>((resolve) => {
    task.wake = resolve;
  });
}

/**
 * What the workqueue code needs to hear from the scheduler to keep one worker running
 * while there is work (`wq_worker_sleeping`/`wq_worker_running`).
 */
export interface worker_sched_hooks {
  sleeping(task: task_struct): void;
  running(task: task_struct): void;
}

let worker_hooks: worker_sched_hooks = { sleeping: () => {}, running: () => {} };

/** Installs the workqueue's hooks (called once by the workqueue code). */
export function set_worker_sched_hooks(hooks: worker_sched_hooks): void {
  worker_hooks = hooks;
}

/**
 * Wakes `p` if its state matches `state` (a mask of TASK_* bits); returns whether it did.
 */
export function try_to_wake_up(p: task_struct, state: number): boolean {
  if ((p.__state & state) === 0) return false;
  p.__state = TASK_RUNNING;
  const wake = p.wake;
  p.wake = undefined;
  if (wake !== undefined && p.flags & PF_WQ_WORKER) worker_hooks.running(p);
  wake?.();
  return true;
}

/** Wakes a sleeping task; returns false if it was already running. */
export function wake_up_process(p: task_struct): boolean {
  return try_to_wake_up(p, TASK_NORMAL);
}

export function wake_up_state(p: task_struct, state: number): boolean {
  return try_to_wake_up(p, state);
}

/** Lets the tasks that are ready run, then returns (`cond_resched()`). */
export async function cond_resched(): Promise<void> {
  await schedule();
}

/**
 * Lets every runnable task run until it sleeps or exits: the point at which the simulated
 * CPU would go idle. Tests await it after waking tasks; the clock does not move.
 */
export async function sim_run_pending(): Promise<void> {
  // Microtasks (every resumed task) drain completely before a macrotask runs.
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A task body: an async function given its data; a number it returns is the exit code. */
export type threadfn<D> = (data: D) => Promise<number | undefined> | number | undefined;

/**
 * The kernel's handling of an exception that escapes a task body: an Oops. An {@link Oops}
 * was reported where it was raised; any other exception is reported here, with the
 * JavaScript stack it carries.
 */
export function oops_exception(err: unknown): void {
  if (err instanceof Oops) return;
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const capture = err instanceof Error ? err : stack_capture(oops_exception);
  die(message, 0, capture, message);
}

/**
 * A fatal signal the simulation delivers by unwinding a user task's body (`force_sig`):
 * thrown by user-side helpers, e.g. on a SIGSEGV. The task exits with 128 + `signo`, the
 * way a shell reports it; it is not a kernel bug, so there is no Oops.
 */
export class ForcedSignal extends Error {
  /** The signal's name, for `should_throw=` matching (`'SIGSEGV'`). */
  readonly code: string;
  readonly signo: number;
  constructor(signo: number, name: string, message: string) {
    super(message);
    this.name = 'ForcedSignal';
    this.signo = signo;
    this.code = name;
  }
}

/** What do_exit() runs for a dying task besides its own checks (RCU's `exit_rcu`). */
const exit_hooks: ((task: task_struct) => void)[] = [];

/** Adds a function do_exit() calls with every exiting task. */
export function register_exit_hook(hook: (task: task_struct) => void): void {
  exit_hooks.push(hook);
}

/**
 * `do_exit()`: the checks of a task that ends, then its death. Locks still held and a
 * non-zero preempt count are reported as the kernel reports them; the final `schedule()`
 * of a dead task is what reports `scheduling while atomic`.
 */
function do_exit(task: task_struct, code: number): void {
  if (task.held_locks.length > 0 && debug_locks_off()) {
    pr_warn('\n');
    pr_warn('====================================\n');
    pr_warn('WARNING: %s/%d still has locks held!\n', task.comm, task.pid);
    print_kernel_ident();
    pr_warn('------------------------------------\n');
    lockdep_print_held_locks(task);
    pr_warn('\n');
    pr_warn('stack backtrace:\n');
    dump_stack(stack_capture(do_exit));
  }
  for (const hook of exit_hooks) hook(task);
  task.exit_code = code;
  task.exit_state = TASK_DEAD;
  task.__state = TASK_DEAD;
  if (task.preempt_count !== 0) __schedule_bug(task, stack_capture(do_exit));
  release_task(task);
  task.do_exit_notify(code);
}

function start_task<D>(task: task_struct, fn: threadfn<D>, data: D): void {
  task.__state = TASK_UNINTERRUPTIBLE;
  // A woken task runs later, never inside the waker's call.
  task.wake = () => {
    queueMicrotask(() =>
      run_as(task, async () => {
        let code = -EINTR;
        try {
          if (!task.kthread_should_stop) {
            const ret = await fn(data);
            code = typeof ret === 'number' ? ret : 0;
          }
        } catch (err) {
          if (err instanceof ForcedSignal) {
            code = 128 + err.signo;
          } else {
            oops_exception(err);
            code = -1;
          }
        }
        do_exit(task, code);
      }),
    );
  };
}

/**
 * Creates a kernel thread that runs `threadfn(data)` once woken with wake_up_process();
 * its name is `namefmt` formatted with `args`, like `kthread_create`.
 */
export function kthread_create<D>(
  threadfn: threadfn<D>,
  data: D,
  namefmt: string,
  ...args: unknown[]
): task_struct {
  const task = alloc_task(sprintf(namefmt, ...args), PF_KTHREAD);
  start_task(task, threadfn, data);
  return task;
}

/**
 * Creates and wakes a kernel thread. It starts running when the caller next sleeps or
 * awaits `sim_run_pending()`.
 *
 * @example
 * ```ts
 * import { current, kthread_run, sim_run_pending } from '@rfl/kernel';
 * const seen: string[] = [];
 * const k = kthread_run(async () => { seen.push(`${current().comm}/${current().pid}`); return 0; }, null, 'foxd/%d', 0);
 * await sim_run_pending();
 * seen // => [`foxd/0/${k.pid}`]
 * await k.exited // => 0
 * ```
 */
export function kthread_run<D>(
  threadfn: threadfn<D>,
  data: D,
  namefmt: string,
  ...args: unknown[]
): task_struct {
  const task = kthread_create(threadfn, data, namefmt, ...args);
  wake_up_process(task);
  return task;
}

/** Whether kthread_stop() was called on the current kthread. */
export function kthread_should_stop(): boolean {
  return current().kthread_should_stop;
}

/**
 * Asks `k` to stop, wakes it, and waits until it has exited; returns its exit code.
 * A kthread that never ran does not run: it exits with -EINTR, as in the kernel.
 */
export async function kthread_stop(k: task_struct): Promise<number> {
  might_sleep();
  k.kthread_should_stop = true;
  wake_up_process(k);
  return k.exited;
}

/**
 * Starts a user process named `comm` whose body is `fn`: the context system calls run in
 * (a simulation helper; the kernel gets its processes from fork and exec). It has a fresh,
 * empty address space. A body that dies of a signal ({@link ForcedSignal}, e.g. the
 * SIGSEGV of a bad user-space access) exits with 128 + the signal number, without an Oops.
 */
export function sim_spawn(comm: string, fn: () => Promise<number | undefined>): task_struct {
  const task = alloc_task(comm, 0);
  task.mm = mm_alloc();
  start_task(task, fn, undefined);
  wake_up_process(task);
  return task;
}
