import { beforeEach, describe, expect, it } from 'vitest';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_clear } from '../printk.js';
import { kthread_run, sim_run_pending, sim_spawn } from '../sched/core.js';
import { sim_hardirq, sim_softirq } from '../sched/preempt.js';
import { debug_locks_enabled } from './debug-locks.js';
import { lockdep_assert_held, lockdep_reset, lockdep_sys_exit } from './lockdep.js';
import { DEFINE_MUTEX, mutex, mutex_init, mutex_lock, mutex_unlock } from './mutex.js';
import {
  DEFINE_SPINLOCK,
  spin_lock,
  spin_lock_init,
  spin_lock_irq,
  spin_lock_irqsave,
  spin_lock_nested,
  spin_trylock,
  spin_unlock,
  spin_unlock_irq,
  spin_unlock_irqrestore,
  spinlock_t,
} from './spinlock.js';

/** dmesg without timestamps. */
function log(): string[] {
  return dmesg({ notime: true }).split('\n');
}

beforeEach(() => {
  lockdep_reset();
  dmesg_clear();
  panic_reset();
});

describe('lockdep: recursive locking', () => {
  it('reports taking a spinlock class already held, then stops the spinning task', () => {
    const lock = DEFINE_SPINLOCK('foxes_lock');
    spin_lock(lock);
    expect(() => spin_lock(lock)).toThrow(/soft lockup/);
    spin_unlock(lock);
    const l = log();
    const at = l.indexOf('WARNING: possible recursive locking detected');
    expect(at).toBeGreaterThan(0);
    expect(l[at - 1]).toBe('============================================');
    expect(l[at + 1]).toMatch(/^6\.12\.0-rfl #1 (Not tainted|Tainted: .*)$/);
    expect(l[at + 2]).toBe('--------------------------------------------');
    expect(l[at + 3]).toBe('swapper/0/1 is trying to acquire lock:');
    expect(l[at + 4]).toMatch(
      /^ffff888[0-9a-f]{9} \(foxes_lock\)\{\+\.\+\.\}-\{2:2\}, at: .*lockdep\.test\.ts:\d+$/,
    );
    expect(l[at + 6]).toBe('but task is already holding lock:');
    expect(l).toContain(' Possible unsafe locking scenario:');
    expect(l).toContain('  lock(foxes_lock);');
    expect(l).toContain(' *** DEADLOCK ***');
    expect(l).toContain(' May be due to missing lock nesting notation');
    expect(l).toContain('1 lock held by swapper/0/1:');
    expect(
      l.some((x) => /^ #0: ffff888[0-9a-f]{9} \(foxes_lock\)\{\+\.\+\.\}-\{2:2\}, at: /.test(x)),
    ).toBe(true);
    expect(l).toContain('stack backtrace:');
    expect(l).toContain('watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [swapper/0:1]');
    expect(debug_locks_enabled()).toBe(false);
  });

  it('reports two locks of one class, unless nested with a subclass', () => {
    const make = () => {
      const l = new spinlock_t();
      spin_lock_init(l, '&node->lock');
      return l;
    };
    const a = make();
    const b = make();
    spin_lock(a);
    spin_lock_nested(b, 1);
    spin_unlock(b);
    spin_unlock(a);
    expect(dmesg()).toBe('');
    spin_lock(a);
    spin_lock(b);
    spin_unlock(b);
    spin_unlock(a);
    expect(dmesg()).toContain('WARNING: possible recursive locking detected');
    expect(dmesg()).toContain('  lock(&node->lock);\n');
  });

  it('reports a mutex taken twice by its owner', async () => {
    const m = DEFINE_MUTEX('dev_mutex');
    const k = kthread_run(
      async () => {
        await mutex_lock(m);
        await mutex_lock(m);
        return 0;
      },
      null,
      'twice',
    );
    await sim_run_pending();
    expect(dmesg()).toContain(`twice/${k.pid} is trying to acquire lock:`);
    expect(dmesg()).toMatch(/\(dev_mutex\)\{\+\.\+\.\}-\{3:3\}, at: /);
  });
});

describe('lockdep: circular dependency', () => {
  it('reports AB-BA with both chains and the scenario', () => {
    const a = DEFINE_SPINLOCK('lock_a');
    const b = DEFINE_SPINLOCK('lock_b');
    spin_lock(a);
    spin_lock(b);
    spin_unlock(b);
    spin_unlock(a);
    expect(dmesg()).toBe('');
    spin_lock(b);
    spin_lock(a);
    spin_unlock(a);
    spin_unlock(b);
    const l = log();
    const at = l.indexOf('WARNING: possible circular locking dependency detected');
    expect(at).toBeGreaterThan(0);
    expect(l[at - 1]).toBe('======================================================');
    expect(l[at + 2]).toBe('------------------------------------------------------');
    expect(l[at + 3]).toBe('swapper/0/1 is trying to acquire lock:');
    expect(l[at + 4]).toMatch(/ \(lock_a\)\{\+\.\+\.\}-\{2:2\}, at: /);
    expect(l[at + 6]).toBe('but task is already holding lock:');
    expect(l[at + 7]).toMatch(/ \(lock_b\)\{\+\.\+\.\}-\{2:2\}, at: /);
    expect(l).toContain('which lock already depends on the new lock.');
    expect(l).toContain('the existing dependency chain (in reverse order) is:');
    const one = l.indexOf('-> #1 (lock_b){+.+.}-{2:2}:');
    const zero = l.indexOf('-> #0 (lock_a){+.+.}-{2:2}:');
    expect(one).toBeGreaterThan(at);
    expect(zero).toBeGreaterThan(one);
    // Each chain entry carries the stack that created the dependency.
    expect(l[one + 1]).toMatch(/^ {7}\S+ .*lockdep\.test\.ts:\d+$/);
    expect(l[zero + 1]).toMatch(/^ {7}\S+ .*lockdep\.test\.ts:\d+$/);
    const scenario = l.indexOf(' Possible unsafe locking scenario:');
    expect(l.slice(scenario + 2, scenario + 8)).toEqual([
      '       CPU0                    CPU1',
      '       ----                    ----',
      '  lock(lock_b);',
      '                               lock(lock_a);',
      '                               lock(lock_b);',
      '  lock(lock_a);',
    ]);
    expect(l).toContain('1 lock held by swapper/0/1:');
  });

  it('finds a longer cycle and names the chain', () => {
    const a = DEFINE_SPINLOCK('A');
    const b = DEFINE_SPINLOCK('B');
    const c = DEFINE_SPINLOCK('C');
    for (const [x, y] of [
      [a, b],
      [b, c],
    ] as const) {
      spin_lock(x);
      spin_lock(y);
      spin_unlock(y);
      spin_unlock(x);
    }
    spin_lock(c);
    spin_lock(a);
    spin_unlock(a);
    spin_unlock(c);
    const l = log();
    expect(l).toContain('-> #2 (C){+.+.}-{2:2}:');
    expect(l).toContain('-> #1 (B){+.+.}-{2:2}:');
    expect(l).toContain('-> #0 (A){+.+.}-{2:2}:');
    expect(l).toContain('Chain exists of:');
    expect(l).toContain('  A --> B --> C');
  });

  it('sees a cycle between a mutex and a spinlock across tasks', async () => {
    const m = DEFINE_MUTEX('cfg_mutex');
    const s = DEFINE_SPINLOCK('stats_lock');
    await mutex_lock(m);
    spin_lock(s);
    spin_unlock(s);
    mutex_unlock(m);
    const k = kthread_run(
      async () => {
        spin_lock(s);
        const r = mutex_lock(m);
        spin_unlock(s);
        await r;
        mutex_unlock(m);
        return 0;
      },
      null,
      'inverter',
    );
    await sim_run_pending();
    await k.exited;
    expect(dmesg()).toContain(`inverter/${k.pid} is trying to acquire lock:`);
    expect(dmesg()).toContain('WARNING: possible circular locking dependency detected');
  });

  it('does not report a trylock, which cannot deadlock', () => {
    const a = DEFINE_SPINLOCK('ta');
    const b = DEFINE_SPINLOCK('tb');
    spin_lock(a);
    spin_lock(b);
    spin_unlock(b);
    spin_unlock(a);
    spin_lock(b);
    expect(spin_trylock(a)).toBe(1);
    spin_unlock(a);
    spin_unlock(b);
    expect(dmesg()).toBe('');
  });
});

describe('lockdep: inconsistent irq usage', () => {
  it('reports {HARDIRQ-ON-W} -> {IN-HARDIRQ-W}', () => {
    const lock = DEFINE_SPINLOCK('pl061_lock');
    spin_lock(lock);
    spin_unlock(lock);
    sim_hardirq(() => {
      spin_lock(lock);
      spin_unlock(lock);
    });
    const l = log();
    const at = l.indexOf('WARNING: inconsistent lock state');
    expect(at).toBeGreaterThan(0);
    expect(l[at - 1]).toBe('================================');
    expect(l[at + 2]).toBe('--------------------------------');
    expect(l[at + 3]).toBe('inconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-W} usage.');
    expect(l[at + 4]).toBe('swapper/0/1 [HC1[1]:SC0[0]:HE0:SE1] takes:');
    expect(l[at + 5]).toMatch(/ \(pl061_lock\)\{\?\.\+\.\}-\{2:2\}, at: /);
    expect(l[at + 6]).toBe('{HARDIRQ-ON-W} state was registered at:');
    expect(l[at + 7]).toMatch(/lockdep\.test\.ts:\d+$/);
    expect(l.some((x) => /^irq event stamp: \d+$/.test(x))).toBe(true);
    expect(l.some((x) => /^hardirqs last disabled at \(\d+\): /.test(x))).toBe(true);
    const scenario = l.indexOf(' Possible unsafe locking scenario:');
    expect(l.slice(scenario + 2, scenario + 7)).toEqual([
      '       CPU0',
      '       ----',
      '  lock(pl061_lock);',
      '  <Interrupt>',
      '    lock(pl061_lock);',
    ]);
  });

  it('reports {IN-HARDIRQ-W} -> {HARDIRQ-ON-W} in the other order', () => {
    const lock = DEFINE_SPINLOCK('irq_first');
    sim_hardirq(() => {
      spin_lock(lock);
      spin_unlock(lock);
    });
    spin_lock(lock);
    spin_unlock(lock);
    expect(dmesg()).toContain('inconsistent {IN-HARDIRQ-W} -> {HARDIRQ-ON-W} usage.');
    expect(dmesg()).toContain('swapper/0/1 [HC0[0]:SC0[0]:HE1:SE1] takes:');
  });

  it('accepts a lock taken with interrupts disabled in task context', () => {
    const lock = DEFINE_SPINLOCK('irq_safe');
    const flags = spin_lock_irqsave(lock);
    spin_unlock_irqrestore(lock, flags);
    spin_lock_irq(lock);
    spin_unlock_irq(lock);
    sim_hardirq(() => {
      spin_lock(lock);
      spin_unlock(lock);
    });
    expect(dmesg()).toBe('');
  });

  it('reports {SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W}', () => {
    const lock = DEFINE_SPINLOCK('timer_data_lock');
    spin_lock(lock);
    spin_unlock(lock);
    sim_softirq(() => {
      spin_lock(lock);
      spin_unlock(lock);
    });
    expect(dmesg()).toContain('inconsistent {SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W} usage.');
    expect(dmesg()).toContain('swapper/0/1 [HC0[0]:SC1[1]:HE1:SE0] takes:');
  });
});

describe('lockdep: irq-safe -> irq-unsafe dependencies', () => {
  it('reports HARDIRQ-safe -> HARDIRQ-unsafe lock order with both paths', () => {
    const irq_lock = DEFINE_SPINLOCK('&pl061->irq_lock');
    const cfg_lock = DEFINE_SPINLOCK('&pl061->cfg_lock');
    sim_hardirq(() => {
      spin_lock(irq_lock);
      spin_unlock(irq_lock);
    });
    spin_lock(cfg_lock);
    spin_unlock(cfg_lock);
    expect(dmesg()).toBe('');
    const flags = spin_lock_irqsave(irq_lock);
    spin_lock(cfg_lock);
    spin_unlock(cfg_lock);
    spin_unlock_irqrestore(irq_lock, flags);
    const l = log();
    const at = l.indexOf('WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected');
    expect(at).toBeGreaterThan(0);
    expect(l[at - 1]).toBe('=====================================================');
    expect(l[at + 3]).toBe('swapper/0/1 [HC0[0]:SC0[0]:HE0:SE1] is trying to acquire:');
    expect(l[at + 4]).toMatch(/ \(&pl061->cfg_lock\)\{\+\.\+\.\}-\{2:2\}, at: /);
    expect(l).toContain('and this task is already holding:');
    expect(l).toContain('which would create a new lock dependency:');
    expect(l).toContain(' (&pl061->irq_lock){-...}-{2:2} -> (&pl061->cfg_lock){+.+.}-{2:2}');
    expect(l).toContain('but this new dependency connects a HARDIRQ-irq-safe lock:');
    expect(l).toContain('... which became HARDIRQ-irq-safe at:');
    expect(l).toContain('to a HARDIRQ-irq-unsafe lock:');
    expect(l).toContain('... which became HARDIRQ-irq-unsafe at:');
    const scenario = l.indexOf(' Possible interrupt unsafe locking scenario:');
    expect(l.slice(scenario + 2, scenario + 10)).toEqual([
      '       CPU0                    CPU1',
      '       ----                    ----',
      '  lock(&pl061->cfg_lock);',
      '                               local_irq_disable();',
      '                               lock(&pl061->irq_lock);',
      '                               lock(&pl061->cfg_lock);',
      '  <Interrupt>',
      '    lock(&pl061->irq_lock);',
    ]);
    expect(l).toContain('the dependencies between HARDIRQ-irq-safe lock and the holding lock:');
    expect(l).toContain('-> (&pl061->irq_lock){-...}-{2:2} {');
    expect(l).toContain('   IN-HARDIRQ-W at:');
    expect(l).toContain(
      'the dependencies between the lock to be acquired and HARDIRQ-irq-unsafe lock:',
    );
    expect(l).toContain('   HARDIRQ-ON-W at:');
  });

  it('follows a chain through a third lock', () => {
    const a = DEFINE_SPINLOCK('A');
    const b = DEFINE_SPINLOCK('B');
    const c = DEFINE_SPINLOCK('C');
    sim_hardirq(() => {
      spin_lock(a);
      spin_unlock(a);
    });
    spin_lock(c);
    spin_unlock(c);
    spin_lock_irq(b);
    spin_lock(c);
    spin_unlock(c);
    spin_unlock_irq(b);
    expect(dmesg()).toBe('');
    spin_lock_irq(a);
    spin_lock(b);
    spin_unlock(b);
    spin_unlock_irq(a);
    const l = log();
    expect(l).toContain('WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected');
    expect(l).toContain('Chain exists of:');
    expect(l).toContain('  A --> B --> C');
  });

  it('reports an irq lock inversion when a lock becomes irq-safe after the dependency', () => {
    const irq_lock = DEFINE_SPINLOCK('&priv->irq_lock');
    const cfg_lock = DEFINE_SPINLOCK('&priv->cfg_lock');
    const flags = spin_lock_irqsave(irq_lock);
    spin_lock(cfg_lock);
    spin_unlock(cfg_lock);
    spin_unlock_irqrestore(irq_lock, flags);
    spin_lock(cfg_lock);
    spin_unlock(cfg_lock);
    expect(dmesg()).toBe('');
    sim_hardirq(() => {
      spin_lock(irq_lock);
      spin_unlock(irq_lock);
    });
    const l = log();
    const at = l.indexOf('WARNING: possible irq lock inversion dependency detected');
    expect(at).toBeGreaterThan(0);
    expect(l[at - 1]).toBe('========================================================');
    expect(l[at + 3]).toBe('swapper/0/1 just changed the state of lock:');
    expect(l[at + 4]).toMatch(/ \(&priv->irq_lock\)\{-\.\.\.\}-\{2:2\}, at: /);
    expect(l[at + 5]).toBe('but this lock took another, HARDIRQ-unsafe lock in the past:');
    expect(l[at + 6]).toBe(' (&priv->cfg_lock){+.+.}-{2:2}');
    expect(l).toContain('and interrupts could create inverse lock ordering between them.');
    expect(l).toContain('  lock(&priv->cfg_lock);');
    expect(l).toContain('    lock(&priv->irq_lock);');
    expect(l).toContain('the shortest dependencies between 2nd lock and 1st lock:');
  });

  it('reports an irq lock inversion when a lock becomes irq-unsafe after the dependency', () => {
    const irq_lock = DEFINE_SPINLOCK('&priv->irq_lock');
    const cfg_lock = DEFINE_SPINLOCK('&priv->cfg_lock');
    const flags = spin_lock_irqsave(irq_lock);
    spin_lock(cfg_lock);
    spin_unlock(cfg_lock);
    spin_unlock_irqrestore(irq_lock, flags);
    sim_hardirq(() => {
      spin_lock(irq_lock);
      spin_unlock(irq_lock);
    });
    expect(dmesg()).toBe('');
    spin_lock(cfg_lock);
    spin_unlock(cfg_lock);
    const l = log();
    expect(l).toContain('WARNING: possible irq lock inversion dependency detected');
    expect(l).toContain('but this lock was taken by another, HARDIRQ-safe lock in the past:');
    expect(l).toContain(' (&priv->irq_lock){-...}-{2:2}');
  });

  it('accepts irq-safe locks nested in irq-safe locks', () => {
    const a = DEFINE_SPINLOCK('outer_irq');
    const b = DEFINE_SPINLOCK('inner_irq');
    sim_hardirq(() => {
      spin_lock(a);
      spin_lock(b);
      spin_unlock(b);
      spin_unlock(a);
    });
    const flags = spin_lock_irqsave(a);
    spin_lock(b);
    spin_unlock(b);
    spin_unlock_irqrestore(a, flags);
    expect(dmesg()).toBe('');
  });
});

describe('lockdep: unlock balance and assertions', () => {
  it('reports releasing a lock that is not held', () => {
    const m = new mutex();
    mutex_init(m, '&priv->mutex');
    mutex_unlock(m);
    const l = log();
    expect(l).toContain('WARNING: bad unlock balance detected!');
    expect(l).toContain('swapper/0/1 is trying to release lock (&priv->mutex) at:');
    expect(l).toContain('but there are no more locks to release!');
    expect(l).toContain('no locks held by swapper/0/1.');
  });

  it('warns when lockdep_assert_held() fails', () => {
    const lock = DEFINE_SPINLOCK('must_hold');
    spin_lock(lock);
    lockdep_assert_held(lock);
    spin_unlock(lock);
    expect(dmesg()).toBe('');
    lockdep_assert_held(lock);
    expect(dmesg()).toContain('lockdep_assert_held(must_hold) failed');
  });

  it('reports a system call returning to user space with a lock held', async () => {
    const lock = DEFINE_SPINLOCK('foxes_lock');
    const cat = sim_spawn('cat', async () => {
      spin_lock(lock);
      lockdep_sys_exit();
      spin_unlock(lock);
      return 0;
    });
    await cat.exited;
    const l = log();
    expect(l).toContain('WARNING: lock held when returning to user space!');
    expect(l).toContain(`cat/${cat.pid} is leaving the kernel with locks still held!`);
    expect(l).toContain(`1 lock held by cat/${cat.pid}:`);
  });

  it('reports only the first bug', () => {
    const a = DEFINE_SPINLOCK('first');
    spin_lock(a);
    expect(() => spin_lock(a)).toThrow();
    spin_unlock(a);
    dmesg_clear();
    const b = DEFINE_SPINLOCK('second');
    spin_lock(b);
    spin_unlock(b);
    sim_hardirq(() => {
      spin_lock(b);
      spin_unlock(b);
    });
    expect(dmesg()).not.toContain('WARNING');
  });
});
