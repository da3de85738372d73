import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kconfig_reset, kconfig_set } from '../kconfig.js';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_clear } from '../printk.js';
import { preempt_count } from '../sched/preempt.js';
import { alloc_task, current, run_as } from '../sched/task.js';
import { debug_locks_enabled, debug_locks_off, debug_locks_on } from './debug-locks.js';
import { lockdep_reset } from './lockdep.js';
import {
  DEFINE_SPINLOCK,
  SPINLOCK_MAGIC,
  spin_is_locked,
  spin_lock,
  spin_unlock,
  spinlock_t,
} from './spinlock.js';

// spin_lock() and spin_unlock() take a shortcut while lock debugging is off. These pin down
// what both paths do, so that the shortcut can be seen to change nothing a user notices.

/** dmesg without timestamps. */
function log(): string[] {
  return dmesg({ notime: true }).split('\n');
}

beforeEach(() => {
  lockdep_reset();
  dmesg_clear();
  panic_reset();
});

afterEach(() => {
  current().preempt_count = 0;
  kconfig_reset();
  lockdep_reset();
});

describe('CONFIG_DEBUG_SPINLOCK reports while lock debugging is on', () => {
  // Without lockdep, whose own reports come first and turn debugging off.
  beforeEach(() => {
    kconfig_set('CONFIG_PROVE_LOCKING', 'n');
  });

  it('reports unlocking a free lock and leaves the preempt count alone', () => {
    const lock = DEFINE_SPINLOCK('foxes_lock');
    spin_unlock(lock);
    const l = log();
    expect(l).toContain('BUG: spinlock already unlocked on CPU#0, swapper/0/1');
    expect(l).toContain(' lock: foxes_lock, .magic: dead4ead, .owner: <none>/-1, .owner_cpu: -1');
    expect(preempt_count()).toBe(0);
    expect(debug_locks_enabled()).toBe(false);
  });

  it('reports an unlock by a task that does not own the lock', () => {
    const lock = DEFINE_SPINLOCK('foxes_lock');
    spin_lock(lock);
    const other = alloc_task('other', 0);
    run_as(other, () => spin_unlock(lock));
    const l = log();
    expect(l).toContain(`BUG: spinlock wrong owner on CPU#0, other/${other.pid}`);
    expect(l).toContain(' lock: foxes_lock, .magic: dead4ead, .owner: swapper/0/1, .owner_cpu: 0');
    expect(spin_is_locked(lock)).toBe(false);
    expect(other.preempt_count).toBe(0);
    expect(preempt_count()).toBe(1);
  });

  it('reports recursion, then the soft lockup, and kills the spinning task', () => {
    const lock = DEFINE_SPINLOCK('foxes_lock');
    spin_lock(lock);
    expect(() => spin_lock(lock)).toThrow('soft lockup spinning on foxes_lock');
    const l = log();
    expect(l).toContain('BUG: spinlock recursion on CPU#0, swapper/0/1');
    expect(l).toContain(' lock: foxes_lock, .magic: dead4ead, .owner: swapper/0/1, .owner_cpu: 0');
    expect(l).toContain('watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [swapper/0:1]');
    expect(preempt_count()).toBe(1);
    spin_unlock(lock);
    expect(preempt_count()).toBe(0);
  });

  it('reports a lock that was never initialised, then initialises it', () => {
    const lock = new spinlock_t();
    spin_lock(lock);
    const l = log();
    expect(l).toContain('BUG: spinlock bad magic on CPU#0, swapper/0/1');
    expect(l).toContain(
      ' lock: (uninitialised), .magic: 00000000, .owner: <none>/-1, .owner_cpu: -1',
    );
    expect(lock.magic).toBe(SPINLOCK_MAGIC);
    expect(spin_is_locked(lock)).toBe(true);
    spin_unlock(lock);
    expect(preempt_count()).toBe(0);
  });

  it('still checks a lock taken while debugging was off', () => {
    const lock = DEFINE_SPINLOCK('foxes_lock');
    debug_locks_off();
    spin_lock(lock);
    debug_locks_on();
    const other = alloc_task('other', 0);
    run_as(other, () => spin_unlock(lock));
    expect(log()).toContain(`BUG: spinlock wrong owner on CPU#0, other/${other.pid}`);
    expect(log()).toContain(
      ' lock: foxes_lock, .magic: dead4ead, .owner: swapper/0/1, .owner_cpu: 0',
    );
  });
});

describe('spin_lock and spin_unlock while lock debugging is off', () => {
  beforeEach(() => {
    debug_locks_off();
  });

  it('move the preempt count and the owner, and print nothing', () => {
    const lock = DEFINE_SPINLOCK('foxes_lock');
    spin_lock(lock);
    expect(preempt_count()).toBe(1);
    expect(lock.owner).toBe(current());
    spin_unlock(lock);
    expect(preempt_count()).toBe(0);
    expect(lock.owner).toBeUndefined();
    expect(dmesg()).toBe('');
  });

  it('still stop a task spinning on a lock it holds, without the DEBUG_SPINLOCK lines', () => {
    const lock = DEFINE_SPINLOCK('foxes_lock');
    spin_lock(lock);
    expect(() => spin_lock(lock)).toThrow('soft lockup spinning on foxes_lock');
    const l = log();
    expect(l).toContain('watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [swapper/0:1]');
    expect(l.some((x) => x.startsWith('BUG: spinlock'))).toBe(false);
    expect(preempt_count()).toBe(1);
    expect(spin_is_locked(lock)).toBe(true);
  });

  it('do not underflow the preempt count on a free lock', () => {
    const lock = DEFINE_SPINLOCK('foxes_lock');
    spin_unlock(lock);
    expect(preempt_count()).toBe(0);
    expect(dmesg()).toBe('');
  });

  it('release a lock unlocked by another task, on that task', () => {
    const lock = DEFINE_SPINLOCK('foxes_lock');
    spin_lock(lock);
    const other = alloc_task('other', 0);
    run_as(other, () => spin_unlock(lock));
    expect(spin_is_locked(lock)).toBe(false);
    expect(other.preempt_count).toBe(0);
    expect(preempt_count()).toBe(1);
    expect(dmesg()).toBe('');
  });

  it('release a lock on the task that took it, also after that task awaited', async () => {
    // Holding a spinlock across an await is a bug (the kernel would report scheduling while
    // atomic when it sleeps), but the unlock after it must still release on the right task:
    // the continuation is a new async context, where the unlock cannot take its shortcut.
    const lock = DEFINE_SPINLOCK('foxes_lock');
    const task = alloc_task('holder', 0);
    await run_as(task, async () => {
      spin_lock(lock);
      expect(task.preempt_count).toBe(1);
      await null;
      spin_unlock(lock);
    });
    expect(spin_is_locked(lock)).toBe(false);
    expect(task.preempt_count).toBe(0);
    expect(preempt_count()).toBe(0);
    expect(dmesg()).toBe('');
  });

  it('initialise a lock that never was, silently', () => {
    const lock = new spinlock_t();
    spin_lock(lock);
    expect(lock.magic).toBe(SPINLOCK_MAGIC);
    expect(lock.dep_map?.name).toBe('&lock');
    spin_unlock(lock);
    expect(preempt_count()).toBe(0);
    expect(dmesg()).toBe('');
  });
});
