import { beforeEach, describe, expect, it } from 'vitest';
import { lockdep_reset } from '../locking/lockdep.js';
import { panic_reset, print_tainted } from '../panic.js';
import { dmesg, dmesg_clear } from '../printk.js';
import { clock_set_ns, ktime_get } from '../time/clock.js';
import { msleep, sim_advance } from '../time/timer.js';
import { kthread_run, set_current_state } from './core.js';
import { might_sleep, non_block_end, non_block_start } from './might-sleep.js';
import {
  local_bh_disable,
  local_bh_enable,
  local_irq_disable,
  local_irq_enable,
  preempt_disable,
  preempt_enable,
  sim_hardirq,
  sim_softirq,
} from './preempt.js';
import { current, init_task, run_as, TASK_INTERRUPTIBLE } from './task.js';

function lines(): string[] {
  return dmesg({ notime: true }).split('\n');
}

describe('might_sleep', () => {
  beforeEach(() => {
    // The report is rate-limited to one per second: let a second pass between tests.
    clock_set_ns(ktime_get() + 1_000_000_000);
    dmesg_clear();
    panic_reset();
  });

  it('is silent in task context', () => {
    might_sleep();
    expect(dmesg()).toBe('');
  });

  it('reports with preemption disabled', () => {
    preempt_disable();
    might_sleep();
    preempt_enable();
    const l = lines();
    expect(l[0]).toMatch(
      /^BUG: sleeping function called from invalid context at packages\/kernel\/src\/sched\/might-sleep\.test\.ts:\d+$/,
    );
    expect(l[1]).toBe('in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1, name: swapper/0');
    expect(l[2]).toBe('preempt_count: 1, expected: 0');
    expect(l[3]).toBe('RCU nest depth: 0, expected: 0');
    expect(l[4]).toBe('no locks held by swapper/0/1.');
    expect(l[5]).toBe('Preemption disabled at:');
    expect(l[6]).toMatch(/might-sleep\.test\.ts:\d+$/);
    expect(l).toContain('Call Trace:');
    expect(print_tainted()).toMatch(/^Tainted: G {8}W/);
  });

  it('reports with interrupts disabled, with the irq event stamps', () => {
    local_irq_disable();
    might_sleep();
    local_irq_enable();
    const l = lines();
    expect(l[1]).toBe('in_atomic(): 0, irqs_disabled(): 1, non_block: 0, pid: 1, name: swapper/0');
    expect(l[2]).toBe('preempt_count: 0, expected: 0');
    expect(l.some((x) => /^hardirqs last disabled at \(\d+\): /.test(x))).toBe(true);
    expect(l).not.toContain('Preemption disabled at:');
  });

  it('reports in hardirq context', () => {
    sim_hardirq(() => might_sleep());
    const l = lines();
    expect(l[1]).toBe('in_atomic(): 1, irqs_disabled(): 1, non_block: 0, pid: 1, name: swapper/0');
    expect(l[2]).toBe('preempt_count: 10000, expected: 0');
  });

  it('reports in softirq context and with bottom halves disabled', () => {
    sim_softirq(() => might_sleep());
    expect(lines()[2]).toBe('preempt_count: 100, expected: 0');
    clock_set_ns(ktime_get() + 1_000_000_000);
    dmesg_clear();
    local_bh_disable();
    might_sleep();
    local_bh_enable();
    expect(lines()[2]).toBe('preempt_count: 200, expected: 0');
  });

  it('reports inside an RCU read-side critical section', () => {
    current().rcu_read_lock_nesting += 1;
    might_sleep();
    current().rcu_read_lock_nesting -= 1;
    const l = lines();
    expect(l[1]).toBe('in_atomic(): 0, irqs_disabled(): 0, non_block: 0, pid: 1, name: swapper/0');
    expect(l[3]).toBe('RCU nest depth: 1, expected: 0');
  });

  it('reports in a non-blocking section and on the idle task', () => {
    non_block_start();
    might_sleep();
    non_block_end();
    expect(lines()[1]).toBe(
      'in_atomic(): 0, irqs_disabled(): 0, non_block: 1, pid: 1, name: swapper/0',
    );
    clock_set_ns(ktime_get() + 1_000_000_000);
    dmesg_clear();
    run_as(init_task, () => might_sleep());
    expect(lines()[1]).toBe(
      'in_atomic(): 0, irqs_disabled(): 0, non_block: 0, pid: 0, name: swapper/0',
    );
  });

  it('reports at most once per second', () => {
    preempt_disable();
    might_sleep();
    might_sleep();
    expect(dmesg().split('BUG: sleeping function').length - 1).toBe(1);
    clock_set_ns(ktime_get() + 1_000_000_000);
    might_sleep();
    preempt_enable();
    expect(dmesg().split('BUG: sleeping function').length - 1).toBe(2);
  });

  it('refuses to let the preempt count underflow', () => {
    preempt_enable();
    expect(current().preempt_count).toBe(0);
    expect(dmesg()).toContain('DEBUG_LOCKS_WARN_ON(val > preempt_count())');
    lockdep_reset();
  });

  it('warns about a blocking call after set_current_state()', async () => {
    const k = kthread_run(
      async function wait_loop() {
        set_current_state(TASK_INTERRUPTIBLE);
        await msleep(1);
        return 0;
      },
      null,
      'waiter',
    );
    await sim_advance(10);
    await k.exited;
    expect(dmesg()).toMatch(
      /do not call blocking ops when !TASK_RUNNING; state=1 set at wait_loop .*might-sleep\.test\.ts:\d+/,
    );
  });
});
