import { beforeEach, describe, expect, it } from 'vitest';
import { lockdep_reset } from '../locking/lockdep.js';
import { DEFINE_MUTEX, mutex_lock, mutex_unlock } from '../locking/mutex.js';
import { DEFINE_SPINLOCK, spin_lock } from '../locking/spinlock.js';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_clear } from '../printk.js';
import { msecs_to_jiffies } from '../time/jiffies.js';
import { msleep, sim_advance, sim_run_until_idle } from '../time/timer.js';
import { sim_run_pending } from './core.js';
import { current, type task_struct } from './task.js';
import {
  alloc_ordered_workqueue,
  alloc_workqueue,
  cancel_delayed_work,
  cancel_work_sync,
  delayed_work,
  destroy_workqueue,
  flush_delayed_work,
  flush_work,
  flush_workqueue,
  INIT_DELAYED_WORK,
  INIT_WORK,
  queue_work,
  schedule_delayed_work,
  schedule_work,
  work_pending,
  work_struct,
} from './workqueue.js';

function work(fn: (w: work_struct) => void | Promise<void>): work_struct {
  const w = new work_struct();
  INIT_WORK(w, fn);
  return w;
}

beforeEach(async () => {
  await sim_run_until_idle();
  lockdep_reset();
  dmesg_clear();
  panic_reset();
});

describe('workqueues', () => {
  it('runs work on a kworker, once per queueing', async () => {
    const ran: string[] = [];
    const w = work(() => {
      ran.push(current().comm);
    });
    expect(schedule_work(w)).toBe(true);
    expect(schedule_work(w)).toBe(false);
    expect(work_pending(w)).toBe(true);
    await sim_run_pending();
    expect(ran).toHaveLength(1);
    expect(ran[0]).toMatch(/^kworker\/0:\d+$/);
    expect(work_pending(w)).toBe(false);
  });

  it('runs non-sleeping work in order on one worker', async () => {
    const ran: string[] = [];
    const items = [1, 2, 3].map((n) => work(() => void ran.push(`${n}@${current().pid}`)));
    for (const w of items) schedule_work(w);
    await sim_run_pending();
    expect(ran.map((r) => r.split('@')[0])).toEqual(['1', '2', '3']);
    expect(new Set(ran.map((r) => r.split('@')[1])).size).toBe(1);
  });

  it('starts another worker when one sleeps', async () => {
    const log: string[] = [];
    const slow = work(async () => {
      log.push('slow start');
      await msleep(100);
      log.push('slow end');
    });
    const fast = work(() => void log.push('fast'));
    schedule_work(slow);
    schedule_work(fast);
    await sim_run_until_idle();
    expect(log).toEqual(['slow start', 'fast', 'slow end']);
  });

  it('flush_work waits for the queued instance; cancel_work_sync for the running one', async () => {
    let done = 0;
    const w = work(async () => {
      await msleep(10);
      done += 1;
    });
    schedule_work(w);
    const flushed = flush_work(w);
    await sim_advance(20);
    expect(await flushed).toBe(true);
    expect(done).toBe(1);
    expect(await flush_work(w)).toBe(false);

    schedule_work(w);
    await sim_run_pending();
    const cancelled = cancel_work_sync(w);
    await sim_advance(20);
    expect(await cancelled).toBe(false);
    expect(done).toBe(2);

    schedule_work(w);
    expect(await cancel_work_sync(w)).toBe(true);
    await sim_advance(20);
    expect(done).toBe(2);
  });

  it('runs delayed work after its delay and can cancel it', async () => {
    const ran: number[] = [];
    const dw = new delayed_work();
    INIT_DELAYED_WORK(dw, () => void ran.push(1));
    schedule_delayed_work(dw, msecs_to_jiffies(100));
    await sim_advance(96);
    expect(ran).toEqual([]);
    await sim_advance(4);
    expect(ran).toEqual([1]);

    schedule_delayed_work(dw, msecs_to_jiffies(100));
    expect(cancel_delayed_work(dw)).toBe(true);
    await sim_advance(200);
    expect(ran).toEqual([1]);

    schedule_delayed_work(dw, msecs_to_jiffies(100));
    expect(await flush_delayed_work(dw)).toBe(true);
    expect(ran).toEqual([1, 1]);
  });

  it('runs an ordered workqueue one item at a time', async () => {
    const wq = alloc_ordered_workqueue('foxes_%s', 0, 'ordered');
    expect(wq.name).toBe('foxes_ordered');
    const log: string[] = [];
    for (const n of [1, 2]) {
      queue_work(
        wq,
        work(async () => {
          log.push(`${n} start`);
          await msleep(10);
          log.push(`${n} end`);
        }),
      );
    }
    const flushed = flush_workqueue(wq).then(() => log.push('flushed'));
    await sim_advance(50);
    await flushed;
    expect(log).toEqual(['1 start', '1 end', '2 start', '2 end', 'flushed']);
  });

  it('reports a work function that returns holding a lock', async () => {
    const lock = DEFINE_SPINLOCK('leaky_lock');
    let leaker: task_struct | undefined;
    const w = work(function leaky_work() {
      leaker = current();
      spin_lock(lock);
    });
    schedule_work(w);
    await sim_run_pending();
    const l = dmesg();
    expect(l).toMatch(/BUG: workqueue leaked atomic, lock or RCU: kworker\/0:\d+\[\d+\]/);
    expect(l).toContain('     preempt=0x00000001 lock=0->1 RCU=0->0 workfn=leaky_work');
    // Repair the worker by hand so the tests after this one get a sane pool.
    leaker!.preempt_count = 0;
    leaker!.held_locks.length = 0;
    lock.owner = undefined;
  });

  it('refuses work on a destroyed workqueue', async () => {
    const wq = alloc_workqueue('gone', 0, 0);
    await destroy_workqueue(wq);
    queue_work(
      wq,
      work(() => {}),
    );
    expect(dmesg()).toContain('WARNING: CPU: 0 PID: 1 at ');
  });

  it('reports cancel_work_sync() under a lock the work takes', async () => {
    const priv_lock = DEFINE_MUTEX('&priv->lock');
    const w = new work_struct();
    INIT_WORK(
      w,
      async () => {
        await mutex_lock(priv_lock);
        mutex_unlock(priv_lock);
      },
      '&priv->work',
    );
    schedule_work(w);
    await sim_run_pending();
    expect(dmesg()).toBe('');
    await mutex_lock(priv_lock);
    await cancel_work_sync(w);
    mutex_unlock(priv_lock);
    const l = dmesg({ notime: true }).split('\n');
    expect(l).toContain('WARNING: possible circular locking dependency detected');
    expect(l).toContain('-> #1 (&priv->lock){+.+.}-{3:3}:');
    expect(l).toContain('-> #0 ((work_completion)(&priv->work)){+.+.}-{0:0}:');
    expect(l).toContain('  lock((work_completion)(&priv->work));');
  });

  it('reports flush_workqueue() from a work on that workqueue', async () => {
    const wq = alloc_workqueue('foxes', 0, 0);
    const w = work(async function flusher() {
      await flush_workqueue(wq);
    });
    queue_work(wq, w);
    await sim_run_pending();
    expect(dmesg()).toContain('WARNING: possible recursive locking detected');
    expect(dmesg()).toContain('  lock((wq_completion)foxes);');
  });
});
