import { beforeEach, describe, expect, it } from 'vitest';
import { lockdep_reset } from '../locking/lockdep.js';
import { readl } from '../mm/access.js';
import { GFP_KERNEL } from '../mm/gfp.js';
import { mm_init } from '../mm/init.js';
import { kmalloc } from '../mm/kmalloc.js';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_clear } from '../printk.js';
import { kthread_run, sim_run_pending } from '../sched/core.js';
import { current } from '../sched/task.js';
import { msleep, sim_advance } from '../time/timer.js';
import { kfree_rcu } from './kfree.js';
import {
  call_rcu,
  rcu_barrier,
  rcu_dereference,
  rcu_dereference_protected,
  type rcu_head,
  rcu_lockdep_reset,
  rcu_pointer,
  rcu_read_lock,
  rcu_read_lock_held,
  rcu_read_unlock,
  synchronize_rcu,
} from './update.js';

beforeEach(async () => {
  await sim_advance(1000);
  lockdep_reset();
  rcu_lockdep_reset();
  dmesg_clear();
  panic_reset();
});

/** A task that enters a reader, and leaves it when `release` is called. */
function reader(name: string): { release: () => void; done: Promise<number> } {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const task = kthread_run(
    async () => {
      rcu_read_lock();
      // Preempted inside the reader (PREEMPT_RCU allows that; sleeping would not be).
      await gate;
      rcu_read_unlock();
      return 0;
    },
    null,
    name,
  );
  return { release, done: task.exited };
}

describe('RCU', () => {
  it('nests read-side sections', () => {
    rcu_read_lock();
    rcu_read_lock();
    expect(current().rcu_read_lock_nesting).toBe(2);
    rcu_read_unlock();
    expect(rcu_read_lock_held()).toBe(true);
    rcu_read_unlock();
    expect(rcu_read_lock_held()).toBe(false);
    expect(current().rcu_read_lock_nesting).toBe(0);
  });

  it('synchronize_rcu waits for readers that started before it, and only those', async () => {
    const early = reader('early');
    await sim_run_pending();
    let gp_done = false;
    const gp = kthread_run(
      async () => {
        await synchronize_rcu();
        gp_done = true;
        return 0;
      },
      null,
      'updater',
    );
    await sim_run_pending();
    const late = reader('late');
    await sim_run_pending();
    expect(gp_done).toBe(false);
    early.release();
    await early.done;
    await sim_run_pending();
    // The late reader is still inside its section: it does not hold up the grace period.
    expect(gp_done).toBe(true);
    late.release();
    await late.done;
    await gp.exited;
  });

  it('ends a grace period with no readers without waiting for anything', async () => {
    await synchronize_rcu();
    expect(dmesg()).toBe('');
  });

  it('runs call_rcu callbacks after the grace period, in softirq on the idle task', async () => {
    const r = reader('holder');
    await sim_run_pending();
    const ran: string[] = [];
    const head: rcu_head = {};
    call_rcu(head, () => ran.push(`${current().pid}`));
    await sim_run_pending();
    expect(ran).toEqual([]);
    r.release();
    await rcu_barrier();
    expect(ran).toEqual(['0']);
  });

  it('rcu_barrier waits for every callback queued before it', async () => {
    const order: number[] = [];
    for (const n of [1, 2, 3]) call_rcu({}, () => order.push(n));
    await rcu_barrier();
    expect(order).toEqual([1, 2, 3]);
  });

  it('reports rcu_dereference outside a reader, once per call site', () => {
    const p = new rcu_pointer({ n: 1 });
    const load = () => rcu_dereference(p);
    rcu_read_lock();
    expect(load().n).toBe(1);
    rcu_read_unlock();
    expect(dmesg()).toBe('');
    load();
    load();
    const log = dmesg();
    expect(log.split('WARNING: suspicious RCU usage').length - 1).toBe(1);
    expect(log).toMatch(/update\.test\.ts:\d+ suspicious rcu_dereference_check\(\) usage!/);
    expect(log).toContain('rcu_scheduler_active = 2, debug_locks = 1');
    expect(log).toContain('no locks held by swapper/0/1.');
    rcu_dereference_protected(p, true);
    expect(dmesg().split('WARNING').length - 1).toBe(1);
  });

  it('reports synchronize_rcu inside a reader', async () => {
    const k = kthread_run(
      async () => {
        rcu_read_lock();
        void synchronize_rcu();
        rcu_read_unlock();
        return 0;
      },
      null,
      'selfish',
    );
    await k.exited;
    await sim_run_pending();
    const log = dmesg();
    expect(log).toContain('Illegal synchronize_rcu() in RCU read-side critical section!');
    expect(log).toMatch(/#0: [0-9a-f]{16} \(rcu_read_lock\)\{\.\.\.\.\}-\{1:2\}, at: /);
  });

  it('reports sleeping in a reader', async () => {
    const k = kthread_run(
      async () => {
        rcu_read_lock();
        await msleep(1);
        rcu_read_unlock();
        return 0;
      },
      null,
      'napper',
    );
    await sim_advance(10);
    await k.exited;
    const log = dmesg();
    expect(log).toContain(
      `in_atomic(): 0, irqs_disabled(): 0, non_block: 0, pid: ${k.pid}, name: napper`,
    );
    expect(log).toContain('RCU nest depth: 1, expected: 0');
    expect(log).toContain('Voluntary context switch within RCU read-side critical section!');
  });

  it('kfree_rcu frees only after the readers that could see the object', async () => {
    mm_init({ quiet: true, kasan: true });
    dmesg_clear();
    const fox = kmalloc(64, GFP_KERNEL);
    const r = reader('holder');
    await sim_run_pending();
    kfree_rcu(fox);
    await sim_run_pending();
    readl(fox);
    expect(dmesg()).toBe('');
    r.release();
    await rcu_barrier();
    readl(fox);
    expect(dmesg()).toContain('BUG: KASAN: slab-use-after-free');
    mm_init({ quiet: true });
  });
});
