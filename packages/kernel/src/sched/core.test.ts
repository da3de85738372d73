import { beforeEach, describe, expect, it } from 'vitest';
import { EINTR } from '../errno.js';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_clear } from '../printk.js';
import { ktime_get } from '../time/clock.js';
import { fsleep, mdelay, udelay } from '../time/delay.js';
import { jiffies } from '../time/jiffies.js';
import {
  mod_timer,
  msleep,
  msleep_interruptible,
  sim_advance,
  sim_run_until_idle,
  timer_setup,
} from '../time/timer.js';
import {
  kthread_create,
  kthread_run,
  kthread_should_stop,
  kthread_stop,
  schedule,
  set_current_state,
  sim_run_pending,
  sim_spawn,
  wake_up_process,
} from './core.js';
import { preempt_disable, preempt_enable } from './preempt.js';
import { SIGINT, send_sig, signal_pending } from './signal.js';
import { current, find_task_by_vpid, PF_KTHREAD, TASK_INTERRUPTIBLE } from './task.js';

beforeEach(async () => {
  await sim_advance(1000);
  dmesg_clear();
  panic_reset();
});

describe('tasks', () => {
  it('runs a kthread under its own pid and name', async () => {
    const seen: string[] = [];
    const k = kthread_run(
      async (n: number) => {
        seen.push(`${current().comm}/${current().pid}/${n}`);
        return 7;
      },
      3,
      'foxd/%d',
      0,
    );
    expect(k.flags & PF_KTHREAD).toBe(PF_KTHREAD);
    expect(find_task_by_vpid(k.pid)).toBe(k);
    await sim_run_pending();
    expect(seen).toEqual([`foxd/0/${k.pid}/3`]);
    expect(await k.exited).toBe(7);
    expect(find_task_by_vpid(k.pid)).toBeUndefined();
  });

  it('gives each task its own pid, in order', () => {
    const a = kthread_create(async () => 0, null, 'a');
    const b = kthread_create(async () => 0, null, 'b');
    expect(b.pid).toBe(a.pid + 1);
  });

  it('keeps current across awaits while tasks interleave', async () => {
    const log: string[] = [];
    const body = async () => {
      log.push(`${current().comm}:1`);
      await msleep(10);
      log.push(`${current().comm}:2`);
      return 0;
    };
    kthread_run(body, null, 'one');
    kthread_run(body, null, 'two');
    await sim_run_until_idle();
    expect(log).toEqual(['one:1', 'two:1', 'one:2', 'two:2']);
  });

  it('does not lose a wake-up that comes before schedule()', async () => {
    const log: string[] = [];
    const k = kthread_run(
      async () => {
        set_current_state(TASK_INTERRUPTIBLE);
        wake_up_process(current());
        await schedule();
        log.push('ran');
        return 0;
      },
      null,
      'early',
    );
    await sim_run_pending();
    expect(log).toEqual(['ran']);
    expect(await k.exited).toBe(0);
  });

  it('stops a kthread with kthread_stop()', async () => {
    let loops = 0;
    const k = kthread_run(
      async () => {
        while (!kthread_should_stop()) {
          loops += 1;
          await msleep(100);
        }
        return 42;
      },
      null,
      'poller',
    );
    await sim_advance(250);
    expect(loops).toBe(3);
    const stop = kthread_stop(k);
    await sim_advance(200);
    expect(await stop).toBe(42);
  });

  it('never runs a kthread stopped before it was woken', async () => {
    let ran = false;
    const k = kthread_create(
      async () => {
        ran = true;
        return 0;
      },
      null,
      'stillborn',
    );
    expect(await kthread_stop(k)).toBe(-EINTR);
    expect(ran).toBe(false);
  });

  it('turns an exception in a task into an Oops and keeps running', async () => {
    const k = sim_spawn('crasher', async () => {
      throw new TypeError("Cannot read properties of null (reading 'ops')");
    });
    expect(await k.exited).toBe(-1);
    expect(dmesg()).toContain("Oops: TypeError: Cannot read properties of null (reading 'ops')");
    expect(dmesg()).toContain(`Comm: crasher`);
  });

  it('turns an exception in a timer callback into an Oops on the idle task', async () => {
    const t = timer_setup(() => {
      throw new RangeError('fox index out of range');
    }, 0);
    mod_timer(t, jiffies() + 1);
    await sim_advance(10);
    expect(dmesg()).toContain('Oops: RangeError: fox index out of range');
    expect(dmesg()).toContain('PID: 0 Comm: swapper/0');
  });
});

describe('scheduling while atomic', () => {
  it('is reported when a task sleeps with preemption disabled', async () => {
    const k = kthread_run(
      async () => {
        preempt_disable();
        await msleep(1);
        preempt_enable();
        return 0;
      },
      null,
      'atomic-sleeper',
    );
    await sim_run_until_idle();
    await k.exited;
    expect(dmesg()).toContain(`BUG: scheduling while atomic: atomic-sleeper/${k.pid}/0x00000001`);
  });

  it('is reported when a task exits with preemption disabled', async () => {
    const k = kthread_run(
      async () => {
        preempt_disable();
        return 0;
      },
      null,
      'leaky',
    );
    await k.exited;
    expect(dmesg()).toContain(`BUG: scheduling while atomic: leaky/${k.pid}/0x00000001`);
  });
});

describe('time', () => {
  it('msleep sleeps one jiffy more than asked', async () => {
    let woke = 0;
    const start = jiffies();
    kthread_run(
      async () => {
        await msleep(10);
        woke = jiffies() - start;
        return 0;
      },
      null,
      'sleeper',
    );
    // Wherever in the current jiffy it starts, 4 jiffies end after 12 < t <= 16 ms.
    await sim_advance(12);
    expect(woke).toBe(0);
    await sim_advance(4);
    expect(woke).toBe(4);
  });

  it('msleep_interruptible returns the time left when signalled', async () => {
    let left = -1;
    const k = kthread_run(
      async () => {
        left = await msleep_interruptible(1000);
        return signal_pending() ? 1 : 0;
      },
      null,
      'napper',
    );
    await sim_advance(400);
    send_sig(SIGINT, k);
    await sim_run_pending();
    expect(left).toBe(604);
    expect(await k.exited).toBe(1);
  });

  it('busy-waits in atomic context without sleeping, and fsleep picks a sleep', async () => {
    const before = ktime_get();
    preempt_disable();
    udelay(5);
    mdelay(1);
    preempt_enable();
    expect(ktime_get() - before).toBe(1_005_000);
    expect(dmesg()).toBe('');
    let done = false;
    kthread_run(
      async () => {
        await fsleep(30_000);
        done = true;
        return 0;
      },
      null,
      'fsleeper',
    );
    await sim_advance(30);
    expect(done).toBe(false);
    await sim_advance(10);
    expect(done).toBe(true);
  });
});
