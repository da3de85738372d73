import { beforeEach, describe, expect, it } from 'vitest';
import { EINTR, ERESTARTSYS } from '../errno.js';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_clear } from '../printk.js';
import { kthread_run, sim_run_pending } from '../sched/core.js';
import {
  in_atomic,
  in_softirq,
  irqs_disabled,
  preempt_count,
  sim_hardirq,
} from '../sched/preempt.js';
import { SIGINT, SIGKILL, send_sig } from '../sched/signal.js';
import { msecs_to_jiffies } from '../time/jiffies.js';
import { sim_advance } from '../time/timer.js';
import {
  complete,
  complete_all,
  DECLARE_COMPLETION,
  try_wait_for_completion,
  wait_for_completion,
  wait_for_completion_interruptible,
  wait_for_completion_timeout,
} from './completion.js';
import { lockdep_off, lockdep_on, lockdep_reset } from './lockdep.js';
import {
  DEFINE_MUTEX,
  mutex_lock,
  mutex_lock_interruptible,
  mutex_lock_killable,
  mutex_trylock,
  mutex_unlock,
} from './mutex.js';
import {
  DEFINE_RAW_SPINLOCK,
  DEFINE_SPINLOCK,
  raw_spin_lock,
  raw_spin_unlock,
  spin_lock,
  spin_lock_bh,
  spin_lock_irq,
  spin_lock_irqsave,
  spin_trylock,
  spin_unlock,
  spin_unlock_bh,
  spin_unlock_irq,
  spin_unlock_irqrestore,
} from './spinlock.js';
import {
  DECLARE_WAIT_QUEUE_HEAD,
  wait_event_interruptible,
  wait_event_killable,
  wait_event_timeout,
  wake_up,
  wake_up_all,
} from './wait.js';

beforeEach(async () => {
  await sim_advance(1000);
  lockdep_reset();
  dmesg_clear();
  panic_reset();
});

describe('spinlocks', () => {
  it('disable preemption, interrupts or bottom halves as their variant says', () => {
    const lock = DEFINE_SPINLOCK('l');
    spin_lock(lock);
    expect(preempt_count()).toBe(1);
    expect(irqs_disabled()).toBe(false);
    spin_unlock(lock);
    spin_lock_irq(lock);
    expect(irqs_disabled()).toBe(true);
    spin_unlock_irq(lock);
    expect(irqs_disabled()).toBe(false);
    spin_lock_bh(lock);
    expect(preempt_count()).toBe(0x201);
    expect(in_softirq()).toBe(true);
    spin_unlock_bh(lock);
    expect(preempt_count()).toBe(0);
    expect(dmesg()).toBe('');
  });

  it('irqsave restores the state it found', () => {
    const lock = DEFINE_SPINLOCK('l');
    sim_hardirq(() => {
      const flags = spin_lock_irqsave(lock);
      spin_unlock_irqrestore(lock, flags);
      expect(irqs_disabled()).toBe(true);
    });
    const flags = spin_lock_irqsave(lock);
    expect(flags).toBe(0x200);
    spin_unlock_irqrestore(lock, flags);
    expect(irqs_disabled()).toBe(false);
  });

  it('trylock fails on a held lock without spinning', () => {
    const lock = DEFINE_RAW_SPINLOCK('raw');
    raw_spin_lock(lock);
    expect(spin_trylock(lock)).toBe(0);
    raw_spin_unlock(lock);
    expect(spin_trylock(lock)).toBe(1);
    spin_unlock(lock);
    expect(in_atomic()).toBe(false);
  });

  it('reports unlocking a lock that is not locked', () => {
    const lock = DEFINE_SPINLOCK('never_taken');
    spin_unlock(lock);
    expect(dmesg()).toContain('WARNING: bad unlock balance detected!');
  });
});

describe('mutexes', () => {
  it('serialises tasks in the order they asked', async () => {
    const m = DEFINE_MUTEX('m');
    const log: string[] = [];
    const body = async (name: string) => {
      await mutex_lock(m);
      log.push(`${name} in`);
      await sim_advance_inside(5);
      log.push(`${name} out`);
      mutex_unlock(m);
      return 0;
    };
    const tasks = ['a', 'b', 'c'].map((n) => kthread_run(body, n, n));
    await sim_advance(100);
    await Promise.all(tasks.map((t) => t.exited));
    expect(log).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
  });

  it('mutex_trylock never sleeps', async () => {
    const m = DEFINE_MUTEX('m');
    expect(mutex_trylock(m)).toBe(1);
    expect(mutex_trylock(m)).toBe(0);
    mutex_unlock(m);
  });

  it('mutex_lock_interruptible returns -EINTR when signalled while waiting', async () => {
    const m = DEFINE_MUTEX('m');
    await mutex_lock(m);
    let ret = 1;
    const k = kthread_run(
      async () => {
        ret = await mutex_lock_interruptible(m);
        return 0;
      },
      null,
      'waiter',
    );
    await sim_run_pending();
    expect(ret).toBe(1);
    send_sig(SIGINT, k);
    await k.exited;
    expect(ret).toBe(-EINTR);
    mutex_unlock(m);
    expect(dmesg()).toBe('');
  });

  it('mutex_lock_interruptible returns -EINTR at once with a signal already pending', async () => {
    const m = DEFINE_MUTEX('m');
    await mutex_lock(m);
    const k = kthread_run(
      async () => {
        send_sig(SIGINT, (await import('../sched/task.js')).current());
        return mutex_lock_interruptible(m);
      },
      null,
      'pending',
    );
    expect(await k.exited).toBe(-EINTR);
    mutex_unlock(m);
  });

  it('mutex_lock_killable ignores SIGINT but not SIGKILL', async () => {
    const m = DEFINE_MUTEX('m');
    await mutex_lock(m);
    const k = kthread_run(async () => mutex_lock_killable(m), null, 'killable');
    await sim_run_pending();
    send_sig(SIGINT, k);
    await sim_run_pending();
    expect(k.exit_state).toBe(0);
    send_sig(SIGKILL, k);
    expect(await k.exited).toBe(-EINTR);
    mutex_unlock(m);
  });

  it('reports a task unlocking a mutex another task holds', async () => {
    const m = DEFINE_MUTEX('owned');
    const wq = DECLARE_WAIT_QUEUE_HEAD();
    const k = kthread_run(
      async () => {
        await mutex_lock(m);
        await wait_event_killable(wq, () => false);
        return 0;
      },
      null,
      'owner',
    );
    await sim_run_pending();
    mutex_unlock(m);
    // lockdep sees the imbalance first and turns lock debugging off, as in the kernel.
    expect(dmesg()).toContain('WARNING: bad unlock balance detected!');
    expect(dmesg()).not.toContain('DEBUG_LOCKS_WARN_ON');
    send_sig(SIGKILL, k);
    await k.exited;
  });

  it('checks the owner itself when lockdep does not track the task', async () => {
    const m = DEFINE_MUTEX('owned');
    const wq = DECLARE_WAIT_QUEUE_HEAD();
    const k = kthread_run(
      async () => {
        await mutex_lock(m);
        await wait_event_killable(wq, () => false);
        return 0;
      },
      null,
      'owner',
    );
    await sim_run_pending();
    lockdep_off();
    mutex_unlock(m);
    lockdep_on();
    expect(dmesg()).toContain('DEBUG_LOCKS_WARN_ON(__owner_task(owner) != current)');
    send_sig(SIGKILL, k);
    await k.exited;
  });

  it('reports mutex_lock in atomic context', async () => {
    const m = DEFINE_MUTEX('m');
    const lock = DEFINE_SPINLOCK('outer');
    spin_lock(lock);
    const p = mutex_lock(m);
    spin_unlock(lock);
    await p;
    mutex_unlock(m);
    expect(dmesg()).toMatch(
      /BUG: sleeping function called from invalid context at packages\/kernel\/src\/locking\/mutex\.ts:\d+/,
    );
    expect(dmesg()).toMatch(/ #0: [0-9a-f]{16} \(outer\)\{\+\.\+\.\}-\{2:2\}, at: /);
  });
});

/** Sleeps the current task for `ms` (a helper so task bodies read naturally). */
async function sim_advance_inside(ms: number): Promise<void> {
  const { msleep } = await import('../time/timer.js');
  await msleep(ms);
}

describe('wait queues', () => {
  it('wait_event_interruptible returns -ERESTARTSYS on a signal', async () => {
    const wq = DECLARE_WAIT_QUEUE_HEAD();
    const k = kthread_run(async () => wait_event_interruptible(wq, () => false), null, 'w');
    await sim_run_pending();
    send_sig(SIGINT, k);
    expect(await k.exited).toBe(-ERESTARTSYS);
    expect(wq.head).toHaveLength(0);
  });

  it('wait_event_killable ignores SIGINT', async () => {
    const wq = DECLARE_WAIT_QUEUE_HEAD();
    let flag = false;
    const k = kthread_run(async () => wait_event_killable(wq, () => flag), null, 'w');
    await sim_run_pending();
    send_sig(SIGINT, k);
    await sim_run_pending();
    flag = true;
    wake_up(wq);
    expect(await k.exited).toBe(0);
  });

  it('wait_event_timeout returns 0 on timeout and the time left otherwise', async () => {
    const wq = DECLARE_WAIT_QUEUE_HEAD();
    let flag = false;
    const a = kthread_run(async () => wait_event_timeout(wq, () => flag, 25), null, 'a');
    await sim_advance(100);
    expect(await a.exited).toBe(0);
    const b = kthread_run(async () => wait_event_timeout(wq, () => flag, 25), null, 'b');
    await sim_advance(40);
    flag = true;
    wake_up_all(wq);
    expect(await b.exited).toBe(15);
  });

  it('wake_up wakes one exclusive waiter, wake_up_all every waiter', async () => {
    const x = DECLARE_COMPLETION();
    const woken: string[] = [];
    for (const n of ['1', '2', '3']) {
      kthread_run(
        async () => {
          await wait_for_completion(x);
          woken.push(n);
          return 0;
        },
        null,
        n,
      );
    }
    await sim_run_pending();
    complete(x);
    await sim_run_pending();
    expect(woken).toEqual(['1']);
    complete_all(x);
    await sim_run_pending();
    expect(woken).toEqual(['1', '2', '3']);
  });
});

describe('completions', () => {
  it('counts completes done before the wait', async () => {
    const x = DECLARE_COMPLETION();
    complete(x);
    complete(x);
    await wait_for_completion(x);
    expect(try_wait_for_completion(x)).toBe(true);
    expect(try_wait_for_completion(x)).toBe(false);
  });

  it('times out and is interruptible', async () => {
    const x = DECLARE_COMPLETION();
    const a = kthread_run(
      async () => wait_for_completion_timeout(x, msecs_to_jiffies(40)),
      null,
      'a',
    );
    await sim_advance(100);
    expect(await a.exited).toBe(0);
    const b = kthread_run(async () => wait_for_completion_interruptible(x), null, 'b');
    await sim_run_pending();
    send_sig(SIGINT, b);
    expect(await b.exited).toBe(-ERESTARTSYS);
  });

  it('reports waiting in hard interrupt context', () => {
    const x = DECLARE_COMPLETION();
    complete(x);
    sim_hardirq(() => {
      void wait_for_completion(x);
    });
    expect(dmesg()).toContain('preempt_count: 10000, expected: 0');
  });
});
