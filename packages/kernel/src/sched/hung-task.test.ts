import { beforeEach, describe, expect, it } from 'vitest';
import { lockdep_reset } from '../locking/lockdep.js';
import { DEFINE_MUTEX, mutex_lock, mutex_unlock } from '../locking/mutex.js';
import {
  DECLARE_WAIT_QUEUE_HEAD,
  wait_event,
  wait_event_killable,
  wake_up,
} from '../locking/wait.js';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_clear } from '../printk.js';
import { ktime_get } from '../time/clock.js';
import { sim_advance, sim_run_until_idle } from '../time/timer.js';
import { kthread_run, sim_run_pending } from './core.js';
import { hung_task_reset, set_hung_task_timeout_secs } from './hung-task.js';
import { SIGKILL, send_sig } from './signal.js';

function lines(): string[] {
  return dmesg({ notime: true }).split('\n');
}

let released = false;

beforeEach(async () => {
  released = false;
  hung_task_reset();
  await sim_run_until_idle();
  lockdep_reset();
  dmesg_clear();
  panic_reset();
});

describe('hung task detector', () => {
  it('reports a task stuck in D state with its stack and the locks held', async () => {
    const cfg = DEFINE_MUTEX('cfg_mutex');
    const wq = DECLARE_WAIT_QUEUE_HEAD();
    const k = kthread_run(
      async function foxd_wait() {
        await mutex_lock(cfg);
        await wait_event(wq, () => released);
        mutex_unlock(cfg);
        return 0;
      },
      null,
      'foxd',
    );
    await sim_run_pending();
    const start = ktime_get();
    await sim_run_until_idle();
    const waited = (ktime_get() - start) / 1e9;
    expect(waited).toBeGreaterThan(120);
    expect(waited).toBeLessThanOrEqual(240);
    const l = lines();
    expect(l[0]).toBe(`INFO: task foxd:${k.pid} blocked for more than 120 seconds.`);
    expect(l[1]).toBe('      Not tainted 6.12.0-rfl #1');
    expect(l[2]).toBe('"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.');
    expect(l[3]).toMatch(new RegExp(`^task:foxd +state:D stack:0 +pid:${k.pid} +tgid:${k.pid} `));
    expect(l[3]).toContain('flags:0x00200000');
    expect(l).toContain('Call Trace:');
    expect(l.some((x) => /^ foxd_wait .*hung-task\.test\.ts:\d+$/.test(x))).toBe(true);
    expect(l).toContain('Showing all locks held in the system:');
    expect(l).toContain(`1 lock held by foxd/${k.pid}:`);
    // Reported once: the machine is idle now.
    dmesg_clear();
    await sim_run_until_idle();
    expect(dmesg()).toBe('');
    released = true;
    wake_up(wq);
    await k.exited;
  });

  it('keeps reporting a stuck task at each check while the clock runs', async () => {
    const wq = DECLARE_WAIT_QUEUE_HEAD();
    const k = kthread_run(
      async () => {
        await wait_event(wq, () => released);
        return 0;
      },
      null,
      'stuck',
    );
    await sim_advance(600_000);
    expect(dmesg().split('INFO: task stuck:').length - 1).toBe(4);
    released = true;
    wake_up(wq);
    await k.exited;
  });

  it('leaves killable sleeps and short sleeps alone', async () => {
    const wq = DECLARE_WAIT_QUEUE_HEAD();
    const k = kthread_run(async () => wait_event_killable(wq, () => false), null, 'killable');
    await sim_advance(600_000);
    expect(dmesg()).toBe('');
    send_sig(SIGKILL, k);
    await k.exited;
  });

  it('is off with a timeout of 0', async () => {
    set_hung_task_timeout_secs(0);
    const wq = DECLARE_WAIT_QUEUE_HEAD();
    const k = kthread_run(
      async () => {
        await wait_event(wq, () => released);
        return 0;
      },
      null,
      'ignored',
    );
    await sim_advance(600_000);
    expect(dmesg()).toBe('');
    released = true;
    wake_up(wq);
    await k.exited;
  });
});
