import { AsyncLocalStorage, executionAsyncId } from 'node:async_hooks';
import type { files_struct } from '../fs/fdtable.js';
import type { held_lock } from '../locking/lockdep-types.js';
import type { mm_struct } from '../mm/mmap.js';
import { set_current_task_source } from '../panic.js';
import type { StackCapture } from '../stacktrace.js';

/** `__state` values of a task, with the kernel's bit values (include/linux/sched.h). */
export const TASK_RUNNING = 0x0000;
export const TASK_INTERRUPTIBLE = 0x0001;
export const TASK_UNINTERRUPTIBLE = 0x0002;
export const TASK_DEAD = 0x0080;
export const TASK_WAKEKILL = 0x0100;
export const TASK_KILLABLE = TASK_WAKEKILL | TASK_UNINTERRUPTIBLE;
export const TASK_NORMAL = TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE;

/** `task_struct::flags` bits used by the simulator. */
export const PF_IDLE = 0x00000002;
export const PF_WQ_WORKER = 0x00000020;
export const PF_KTHREAD = 0x00200000;

/** Longest `comm`, terminator included, as TASK_COMM_LEN. */
export const TASK_COMM_LEN = 16;

/**
 * A task: a kthread, a user process doing system calls, or a workqueue worker.
 *
 * The simulated machine has one CPU, so the per-CPU state the kernel keeps for "whatever
 * runs on this CPU" (`preempt_count`, whether interrupts are enabled) is kept here, in the
 * task, as architectures with a per-thread preempt count do. A task's body is an async
 * function: while it is not awaiting, nothing else runs, exactly like a task that is not
 * preempted; awaiting a kernel primitive is sleeping.
 *
 * # Invariants
 *
 * `pid` never changes and is unique among live tasks; `preempt_count` is never negative.
 */
export class task_struct {
  readonly pid: number;
  comm: string;
  flags: number;
  __state = TASK_RUNNING;
  exit_state = 0;
  exit_code = 0;
  /** The CPU's preempt count while this task runs (see the class comment). */
  preempt_count = 0;
  /** Interrupts disabled with local_irq_disable/save while this task runs. */
  hardirqs_disabled = false;
  /** `rcu_read_lock()` nesting (CONFIG_PREEMPT_RCU's `rcu_read_lock_nesting`). */
  rcu_read_lock_nesting = 0;
  /** Sections marked non-blocking (the MMU-notifier kind); reported by might_sleep. */
  non_block_count = 0;
  /** Where preemption was last disabled from a preempt count of zero (DEBUG_PREEMPT). */
  preempt_disable_ip: StackCapture | undefined;
  /** Pending signal numbers. */
  readonly pending = new Set<number>();
  /** Non-zero while lockdep ignores this task (`lockdep_off()`). */
  lockdep_recursion = 0;
  /** lockdep's `held_locks[]`, outermost first. */
  readonly held_locks: held_lock[] = [];
  /** Where the state was last set to a sleeping one (DEBUG_ATOMIC_SLEEP's record). */
  task_state_change: StackCapture | undefined;
  /** Voluntary context switches: sleeps in schedule() (`nvcsw`). */
  nvcsw = 0;
  /** Where the task last went to sleep, for reports about sleeping tasks. */
  sched_stack: StackCapture | undefined;
  /** The hung-task detector's view: switch count and jiffies when it last changed. */
  last_switch_count = 0;
  last_switch_time = 0;
  /** Open file descriptors (`files`); created on first use, closed at exit. */
  files: files_struct | undefined = undefined;
  /** The user address space; null for kernel threads (mm/mmap.ts). */
  mm: mm_struct | null = null;
  /** `pagefault_disable()` nesting: user accesses do not fault pages in while non-zero. */
  pagefault_disabled = 0;
  /** The task that created this one (`real_parent`); null for pid 0 and 1. */
  real_parent: task_struct | null = null;
  /** Set by kthread_stop(). */
  kthread_should_stop = false;
  /** Resolves the promise of the schedule() the task is sleeping in, if any. */
  wake: (() => void) | undefined;
  /** Settles when the task has exited; resolves to its exit code. */
  readonly exited: Promise<number>;
  /** Resolves `exited`. */
  readonly do_exit_notify: (code: number) => void;

  constructor(pid: number, comm: string, flags: number) {
    this.pid = pid;
    this.comm = comm.slice(0, TASK_COMM_LEN - 1);
    this.flags = flags;
    let notify!: (code: number) => void;
    this.exited = new Promise<number>((resolve) => {
      notify = resolve;
    });
    this.do_exit_notify = notify;
  }
}

/**
 * The idle task of CPU 0 (pid 0, `swapper/0`). Timer callbacks and interrupts that arrive
 * while every task sleeps run on it, as they do on an idle CPU.
 */
export const init_task = new task_struct(0, 'swapper/0', PF_IDLE | PF_KTHREAD);

/**
 * pid 1 before it executes `/sbin/init`: the context of code that runs outside any task
 * (tests, module initialisation at boot). It may sleep, like kernel_init does.
 */
export const boot_task = new task_struct(1, 'swapper/0', PF_KTHREAD);

const tasks = new Map<number, task_struct>([
  [0, init_task],
  [1, boot_task],
]);

/** PIDs 2.. are handed out in order, as on a freshly booted machine. */
let last_pid = 1;

const current_task = new AsyncLocalStorage<task_struct>();

/**
 * The task this code runs in: the one whose body (or whose callee) is executing, tracked
 * across awaits with AsyncLocalStorage. Outside any task it is pid 1 (`boot_task`).
 *
 * @example
 * ```ts
 * import { current } from '@rfl/kernel';
 * current().pid // => 1
 * ```
 */
export function current(): task_struct {
  const id = async_id();
  if (id === cache.id) return cache.task;
  const task = current_task.getStore() ?? no_task;
  if (cache.enabled) {
    cache.id = id;
    cache.task = task;
  }
  return task;
}

/**
 * current() if it is known without a lookup (the answer cached for the executing async
 * resource), else undefined. For fast paths that must not call out: the spinlock's unlock,
 * while the guard of a safe lock is live (see locking/spinlock.ts).
 *
 * @example
 * ```ts
 * import { current, current_cached } from '@rfl/kernel';
 * const task = current_cached() ?? current();
 * task.pid // => 1
 * ```
 */
export function current_cached(): task_struct | undefined {
  return async_id() === cache.id ? cache.task : undefined;
}

/*
 * The last answer of current(), for the async resource that was executing when it was
 * looked up. getStore() costs 5-11 ns in Node 20 (most of it executionAsyncResource()), the
 * execution async id one read of a typed array. The store belongs to the executing resource,
 * so while the id stays the same so does the answer - except inside run_as(), which sets the
 * store of the resource it runs in, and which therefore primes the cache with its task on the
 * way in and puts the outer answer back on the way out. (ES module top-level code runs with
 * id 0; it is cached like any other, as its store too changes only through run_as().) The
 * async id is only kept in step with the store while AsyncLocalStorage is
 * built on async hooks (Node 20 and 22); where it is built on AsyncContextFrame (Node 24 by
 * default) promise continuations need not get ids of their own, and the cache stays off.
 */
const async_id = executionAsyncId;
const cache = {
  enabled: '_propagate' in AsyncLocalStorage.prototype,
  id: Number.NaN,
  task: boot_task,
};

// boot_task through a module-private constant: an exported one is read through a cell with
// an initialisation check on every call, which costs the lock fast paths (see debug-locks.ts).
const no_task = boot_task;

set_current_task_source(current);

/** Allocates a pid and a task struct; the task does not run until started. */
export function alloc_task(comm: string, flags: number): task_struct {
  last_pid += 1;
  const task = new task_struct(last_pid, comm, flags);
  task.real_parent = current();
  tasks.set(task.pid, task);
  return task;
}

/** Forgets an exited task, so that find_task_by_vpid() no longer returns it. */
export function release_task(task: task_struct): void {
  tasks.delete(task.pid);
}

/** The live task with this pid, if any. */
export function find_task_by_vpid(pid: number): task_struct | undefined {
  return tasks.get(pid);
}

/** Every live task, in pid order (what `ps` would list). */
export function for_each_process(): task_struct[] {
  return [...tasks.values()].sort((a, b) => a.pid - b.pid);
}

/** Runs `fn` with `task` as current, synchronously and in every continuation it awaits. */
export function run_as<T>(task: task_struct, fn: () => T): T {
  const outer = current();
  const id = cache.enabled ? async_id() : Number.NaN;
  cache.id = id;
  cache.task = task;
  try {
    return current_task.run(task, fn);
  } finally {
    cache.id = id;
    cache.task = outer;
  }
}

/** True for the idle task (pid 0). */
export function is_idle_task(task: task_struct): boolean {
  return (task.flags & PF_IDLE) !== 0;
}
