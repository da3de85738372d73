/**
 * Workqueues (kernel/workqueue.c): functions run later, in process context, by kernel
 * worker threads (`kworker/0:N`).
 *
 * As in the kernel's concurrency-managed workqueues, a pool keeps one worker running
 * while it has work: when a worker sleeps inside a work function the scheduler tells the
 * pool, which wakes (or creates) another worker for the next item. Work that never
 * sleeps therefore runs one item after another on one worker, in queueing order. A work
 * item never runs concurrently with itself; `max_active` bounds the items of one
 * workqueue running at once (1 for ordered workqueues).
 *
 * After each item the worker checks it left no lock held, preemption disabled or RCU
 * read lock held, and otherwise reports `BUG: workqueue leaked atomic, lock or RCU`.
 *
 * @example
 * ```ts
 * import { INIT_WORK, flush_work, schedule_work, work_struct, current } from '@rfl/kernel';
 * const ran: string[] = [];
 * const work = new work_struct();
 * INIT_WORK(work, () => { ran.push(current().comm); });
 * schedule_work(work) // => true
 * schedule_work(work) // => false
 * await flush_work(work) // => true
 * ran // => ['kworker/0:0']
 * ```
 *
 * @module
 */

import { type call_site, call_site_of } from '../locking/call-site.js';
import {
  lock_acquire,
  lock_release,
  lockdep_init_map,
  lockdep_set_class,
  lockdep_site_key,
} from '../locking/lockdep.js';
import { debug_show_held_locks } from '../locking/lockdep-print.js';
import { LD_WAIT_INV, lock_class_key, type lockdep_map } from '../locking/lockdep-types.js';
import { DECLARE_WAIT_QUEUE_HEAD, wait_event, wake_up_all } from '../locking/wait.js';
import { dump_stack, WARN_ON_ONCE } from '../panic.js';
import { pr_err } from '../printk.js';
import { stack_capture } from '../stacktrace.js';
import { jiffies } from '../time/jiffies.js';
import { mod_timer, timer_delete, type timer_list, timer_setup } from '../time/timer.js';
import { sprintf } from '../vsprintf.js';
import {
  kthread_create,
  schedule,
  set_current_state,
  set_worker_sched_hooks,
  wake_up_process,
} from './core.js';
import { might_sleep } from './might-sleep.js';
import { current, PF_WQ_WORKER, TASK_INTERRUPTIBLE, type task_struct } from './task.js';

export const WQ_UNBOUND = 1 << 1;
export const WQ_FREEZABLE = 1 << 2;
export const WQ_MEM_RECLAIM = 1 << 3;
export const WQ_HIGHPRI = 1 << 4;
export const WQ_CPU_INTENSIVE = 1 << 5;
export const WQ_SYSFS = 1 << 6;
export const __WQ_DESTROYING = 1 << 15;
export const __WQ_DRAINING = 1 << 16;
export const __WQ_ORDERED = 1 << 17;
export const WQ_MAX_ACTIVE = 512;
export const WQ_DFL_ACTIVE = WQ_MAX_ACTIVE / 2;

/** A work function; it may sleep (return a promise). */
export type work_func_t = (work: work_struct) => void | Promise<void>;

/** A deferred function call (`struct work_struct`). */
export class work_struct {
  func: work_func_t = () => {};
  /** Queued (or its delay timer armed) and not yet started: WORK_STRUCT_PENDING. */
  pending = false;
  /** The workqueue it was last queued on. */
  wq: workqueue_struct | undefined;
  /** Instances queued so far, and the number of the last one that finished. */
  queued_seq = 0;
  done_seq = 0;
  /** Number of the instance running now, 0 if none. */
  running_seq = 0;
  /**
   * The lock lockdep sees the work as: "held" by the worker while the function runs and
   * taken briefly by whoever flushes or cancels it, so that flushing a work while holding
   * a lock the work takes is reported as the deadlock it is.
   */
  lockdep_map: lockdep_map | undefined;
}

/** Work that is queued after a delay (`struct delayed_work`). */
export class delayed_work {
  readonly work = new work_struct();
  readonly timer: timer_list;
  wq: workqueue_struct | undefined;
  constructor() {
    this.timer = timer_setup(() => {
      if (this.wq) __queue_work(this.wq, this.work);
    }, 0);
  }
}

interface worker {
  readonly task: task_struct;
  readonly id: number;
  idle: boolean;
}

interface worker_pool {
  readonly name: (id: number) => string;
  readonly worklist: work_struct[];
  readonly workers: Map<task_struct, worker>;
  readonly idle: worker[];
  nr_running: number;
  next_id: number;
}

/** A workqueue (`struct workqueue_struct`). */
export class workqueue_struct {
  readonly name: string;
  flags: number;
  readonly max_active: number;
  nr_active = 0;
  /** Items queued and not finished, for flush/drain. */
  nr_pending = 0;
  readonly pool: worker_pool;
  /** `(wq_completion)<name>`: held while any of its items runs, taken by flush_workqueue. */
  readonly lockdep_map: lockdep_map;
  constructor(name: string, flags: number, max_active: number, pool: worker_pool) {
    this.name = name;
    this.flags = flags;
    this.max_active = max_active;
    this.pool = pool;
    const map_name = `(wq_completion)${name}`;
    this.lockdep_map = lockdep_init_map(map_name, new lock_class_key(map_name), LD_WAIT_INV);
  }
}

function make_pool(name: (id: number) => string): worker_pool {
  return { name, worklist: [], workers: new Map(), idle: [], nr_running: 0, next_id: 0 };
}

const normal_pool = make_pool((id) => `kworker/0:${id}`);
const highpri_pool = make_pool((id) => `kworker/0:${id}H`);
const unbound_pool = make_pool((id) => `kworker/u2:${id}`);
const pools = [normal_pool, highpri_pool, unbound_pool];

/** Work items running now, on any worker. */
const running_works = new Set<work_struct>();

/** Woken whenever a work item finishes; flushers wait on it. */
const work_done = DECLARE_WAIT_QUEUE_HEAD();

function pool_of(task: task_struct): { pool: worker_pool; worker: worker } | undefined {
  for (const pool of pools) {
    const worker = pool.workers.get(task);
    if (worker) return { pool, worker };
  }
  return undefined;
}

function runnable(pool: worker_pool): work_struct | undefined {
  return pool.worklist.find((w) => w.running_seq === 0 && w.wq!.nr_active < w.wq!.max_active);
}

/** Makes sure a worker will pick up runnable work: wake an idle one or create one. */
function kick_pool(pool: worker_pool): void {
  if (pool.nr_running > 0 || runnable(pool) === undefined) return;
  const idle = pool.idle.pop();
  if (idle) {
    idle.idle = false;
    wake_up_process(idle.task);
    return;
  }
  create_worker(pool);
}

set_worker_sched_hooks({
  sleeping(task) {
    const p = pool_of(task);
    if (!p) return;
    p.pool.nr_running -= 1;
    kick_pool(p.pool);
  },
  running(task) {
    const p = pool_of(task);
    if (p) p.pool.nr_running += 1;
  },
});

function create_worker(pool: worker_pool): void {
  const id = pool.next_id++;
  const task = kthread_create(worker_thread, pool, '%s', pool.name(id));
  task.flags |= PF_WQ_WORKER;
  pool.workers.set(task, { task, id, idle: false });
  wake_up_process(task);
}

async function process_one_work(pool: worker_pool, work: work_struct): Promise<void> {
  const wq = work.wq!;
  pool.worklist.splice(pool.worklist.indexOf(work), 1);
  work.pending = false;
  work.running_seq = work.queued_seq;
  running_works.add(work);
  wq.nr_active += 1;
  const task = current();
  const lock_depth = task.held_locks.length;
  const rcu_depth = task.rcu_read_lock_nesting;
  const site = call_site_of(process_one_work);
  lock_acquire(wq.lockdep_map, 0, false, 0, true, site);
  if (work.lockdep_map) lock_acquire(work.lockdep_map, 0, false, 0, true, site);
  try {
    await work.func(work);
  } finally {
    if (work.lockdep_map) lock_release(work.lockdep_map, site);
    lock_release(wq.lockdep_map, site);
    if (task.preempt_count !== 0 || task.held_locks.length > 0 || task.rcu_read_lock_nesting > 0) {
      pr_err('BUG: workqueue leaked atomic, lock or RCU: %s[%d]\n', task.comm, task.pid);
      pr_err(
        '     preempt=0x%08x lock=%d->%d RCU=%d->%d workfn=%s\n',
        task.preempt_count,
        lock_depth,
        task.held_locks.length,
        rcu_depth,
        task.rcu_read_lock_nesting,
        work.func.name || '<anonymous>',
      );
      debug_show_held_locks(task);
      dump_stack(stack_capture(process_one_work));
    }
    wq.nr_active -= 1;
    wq.nr_pending -= 1;
    work.done_seq = work.running_seq;
    work.running_seq = 0;
    running_works.delete(work);
    wake_up_all(work_done);
  }
}

async function worker_thread(pool: worker_pool): Promise<number> {
  const me = pool.workers.get(current())!;
  try {
    for (;;) {
      const work = runnable(pool);
      if (work === undefined) {
        me.idle = true;
        pool.idle.push(me);
        set_current_state(TASK_INTERRUPTIBLE);
        await schedule();
        continue;
      }
      await process_one_work(pool, work);
    }
  } finally {
    // Only an Oops in a work function ends a worker: forget it, let another take over.
    pool.workers.delete(me.task);
    pool.nr_running -= 1;
    kick_pool(pool);
  }
}

/**
 * Prepares `work` to run `func`. Its lockdep class is this call site, printed as
 * `(work_completion)(name)`; `name` defaults to the function's name (the kernel prints
 * the argument, e.g. `(work_completion)(&priv->work)`).
 */
export function INIT_WORK(work: work_struct, func: work_func_t, name?: string): void {
  work.func = func;
  work.pending = false;
  work.lockdep_map = lockdep_init_map(
    `(work_completion)(${name ?? (func.name || 'work')})`,
    lockdep_site_key(stack_capture(INIT_WORK)),
    LD_WAIT_INV,
  );
}

/** Prepares `dwork`; `func` receives `dwork.work` (see to_delayed_work()). */
export function INIT_DELAYED_WORK(dwork: delayed_work, func: work_func_t, name?: string): void {
  INIT_WORK(dwork.work, func, name);
  if (dwork.work.lockdep_map) {
    lockdep_set_class(dwork.work.lockdep_map, lockdep_site_key(stack_capture(INIT_DELAYED_WORK)));
  }
}

/** What flushing `work` tells lockdep: the flusher waits for everything the work holds. */
function flush_annotate(work: work_struct, site: call_site): void {
  if (work.lockdep_map === undefined) return;
  lock_acquire(work.lockdep_map, 0, false, 0, true, site);
  lock_release(work.lockdep_map, site);
}

const delayed_of = new WeakMap<work_struct, delayed_work>();

/** The delayed_work a work function was handed (`to_delayed_work`). */
export function to_delayed_work(work: work_struct): delayed_work | undefined {
  return delayed_of.get(work);
}

function __queue_work(wq: workqueue_struct, work: work_struct): void {
  // Items of a draining workqueue may still queue (chained) work; a destroyed one may not.
  if (wq.flags & __WQ_DESTROYING && WARN_ON_ONCE(true)) return;
  work.wq = wq;
  work.queued_seq += 1;
  wq.nr_pending += 1;
  wq.pool.worklist.push(work);
  kick_pool(wq.pool);
}

/** Queues `work` on `wq`; returns false (and does nothing) if it is already pending. */
export function queue_work(wq: workqueue_struct, work: work_struct): boolean {
  if (work.pending) return false;
  work.pending = true;
  __queue_work(wq, work);
  return true;
}

/** Queues `dwork` after `delay` jiffies; false if it is already pending. */
export function queue_delayed_work(
  wq: workqueue_struct,
  dwork: delayed_work,
  delay: number,
): boolean {
  if (dwork.work.pending) return false;
  delayed_of.set(dwork.work, dwork);
  dwork.work.pending = true;
  dwork.wq = wq;
  if (delay === 0) __queue_work(wq, dwork.work);
  else mod_timer(dwork.timer, jiffies() + delay);
  return true;
}

/**
 * Queues `dwork` after `delay` jiffies whether or not it is pending (a pending one is
 * moved); returns whether it was pending.
 */
export function mod_delayed_work(
  wq: workqueue_struct,
  dwork: delayed_work,
  delay: number,
): boolean {
  const was = try_to_grab_pending(dwork.work, dwork);
  queue_delayed_work(wq, dwork, delay);
  return was;
}

export function schedule_work(work: work_struct): boolean {
  return queue_work(system_wq, work);
}

export function schedule_delayed_work(dwork: delayed_work, delay: number): boolean {
  return queue_delayed_work(system_wq, dwork, delay);
}

/** Takes a pending work off its timer or queue; returns whether it was pending. */
function try_to_grab_pending(work: work_struct, dwork?: delayed_work): boolean {
  if (!work.pending) return false;
  if (dwork && timer_delete(dwork.timer)) {
    work.pending = false;
    return true;
  }
  const wq = work.wq!;
  const list = wq.pool.worklist;
  const i = list.indexOf(work);
  if (i >= 0) {
    list.splice(i, 1);
    wq.nr_pending -= 1;
    work.queued_seq -= 1;
  }
  work.pending = false;
  return true;
}

export function work_pending(work: work_struct): boolean {
  return work.pending;
}

export function delayed_work_pending(dwork: delayed_work): boolean {
  return dwork.work.pending;
}

/** Whether the work is queued or running. */
export function work_busy(work: work_struct): boolean {
  return work.pending || work.running_seq !== 0;
}

/**
 * Waits until the last queued instance of `work` has finished; returns false if there
 * was nothing to wait for. Flushing a work from inside itself deadlocks, as in C.
 */
export async function flush_work(work: work_struct): Promise<boolean> {
  might_sleep();
  flush_annotate(work, call_site_of(flush_work));
  const target = work.pending ? work.queued_seq : work.running_seq;
  if (target === 0 || work.done_seq >= target) return false;
  await wait_event(work_done, () => work.done_seq >= target);
  return true;
}

/** Queues a delayed work at once if its timer is armed, then flushes it. */
export async function flush_delayed_work(dwork: delayed_work): Promise<boolean> {
  if (timer_delete(dwork.timer) && dwork.wq) __queue_work(dwork.wq, dwork.work);
  return flush_work(dwork.work);
}

/** Cancels a pending work without waiting for a running one; returns whether it was pending. */
export function cancel_work(work: work_struct): boolean {
  return try_to_grab_pending(work, delayed_of.get(work));
}

export function cancel_delayed_work(dwork: delayed_work): boolean {
  return try_to_grab_pending(dwork.work, dwork);
}

/**
 * Cancels a pending work and waits for a running instance to finish; afterwards the work
 * is idle. Returns whether it was pending.
 */
export async function cancel_work_sync(work: work_struct): Promise<boolean> {
  might_sleep();
  flush_annotate(work, call_site_of(cancel_work_sync));
  const was = try_to_grab_pending(work, delayed_of.get(work));
  const running = work.running_seq;
  if (running !== 0) await wait_event(work_done, () => work.done_seq >= running);
  return was;
}

export function cancel_delayed_work_sync(dwork: delayed_work): Promise<boolean> {
  return cancel_work_sync(dwork.work);
}

/** Waits until every item queued on `wq` before the call has finished. */
export async function flush_workqueue(wq: workqueue_struct): Promise<void> {
  might_sleep();
  const site = call_site_of(flush_workqueue);
  lock_acquire(wq.lockdep_map, 0, false, 0, true, site);
  lock_release(wq.lockdep_map, site);
  const targets = new Map<work_struct, number>();
  for (const w of wq.pool.worklist) if (w.wq === wq) targets.set(w, w.queued_seq);
  for (const w of running_works) if (w.wq === wq && !targets.has(w)) targets.set(w, w.running_seq);
  await wait_event(work_done, () => [...targets].every(([w, seq]) => w.done_seq >= seq));
}

/** Waits until `wq` is empty, including work queued by its own items meanwhile. */
export async function drain_workqueue(wq: workqueue_struct): Promise<void> {
  might_sleep();
  await wait_event(work_done, () => wq.nr_pending === 0);
}

/** Makes a workqueue; `fmt` and `args` name it, as in C. */
export function alloc_workqueue(
  fmt: string,
  flags: number,
  max_active: number,
  ...args: unknown[]
): workqueue_struct {
  const active = max_active === 0 ? WQ_DFL_ACTIVE : Math.min(max_active, WQ_MAX_ACTIVE);
  const pool = flags & WQ_UNBOUND ? unbound_pool : flags & WQ_HIGHPRI ? highpri_pool : normal_pool;
  return new workqueue_struct(sprintf(fmt, ...args), flags, active, pool);
}

/** A workqueue that runs one item at a time, in queueing order. */
export function alloc_ordered_workqueue(
  fmt: string,
  flags: number,
  ...args: unknown[]
): workqueue_struct {
  return alloc_workqueue(fmt, WQ_UNBOUND | __WQ_ORDERED | flags, 1, ...args);
}

/** Drains and destroys `wq`; queueing on it afterwards warns. */
export async function destroy_workqueue(wq: workqueue_struct): Promise<void> {
  wq.flags |= __WQ_DRAINING;
  await drain_workqueue(wq);
  wq.flags |= __WQ_DESTROYING;
}

export const system_wq = alloc_workqueue('events', 0, 0);
export const system_highpri_wq = alloc_workqueue('events_highpri', WQ_HIGHPRI, 0);
export const system_long_wq = alloc_workqueue('events_long', 0, 0);
export const system_unbound_wq = alloc_workqueue('events_unbound', WQ_UNBOUND, WQ_MAX_ACTIVE);
