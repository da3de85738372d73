import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  config_value,
  IS_BUILTIN,
  IS_ENABLED,
  IS_MODULE,
  kconfig_dump,
  kconfig_load,
  kconfig_reset,
  kconfig_set,
} from './kconfig.js';
import { lockdep_reset } from './locking/lockdep.js';
import { DEFINE_SPINLOCK, spin_lock, spin_unlock } from './locking/spinlock.js';
import { DECLARE_WAIT_QUEUE_HEAD, wait_event, wake_up } from './locking/wait.js';
import { readl } from './mm/access.js';
import { failslab } from './mm/fault-inject.js';
import { GFP_KERNEL } from './mm/gfp.js';
import { mm_init } from './mm/init.js';
import { kasan_enable, kasan_enabled, kasan_report_count } from './mm/kasan.js';
import { kfree, kmalloc } from './mm/kmalloc.js';
import { kmemleak_enabled, kmemleak_scan } from './mm/kmemleak.js';
import { PAGE_SIZE } from './mm/layout.js';
import { copy_to_user } from './mm/uaccess.js';
import { sim_user_alloc } from './mm/uaccess-user.js';
import { Oops, panic_reset } from './panic.js';
import { dmesg, dmesg_clear } from './printk.js';
import { kthread_run, sim_run_pending } from './sched/core.js';
import { hung_task_reset } from './sched/hung-task.js';
import { might_sleep } from './sched/might-sleep.js';
import { preempt_disable, preempt_enable } from './sched/preempt.js';
import { sim_advance } from './time/timer.js';

beforeEach(() => {
  kconfig_reset();
  lockdep_reset();
  dmesg_clear();
  panic_reset();
});

afterEach(() => {
  kconfig_reset();
  lockdep_reset();
  mm_init({ quiet: true });
});

function use_after_free(): void {
  const p = kmalloc(32, GFP_KERNEL);
  kfree(p);
  readl(p);
}

describe('kconfig: values', () => {
  it('reads bool, tristate, int and string symbols of the default configuration', () => {
    expect(IS_ENABLED('CONFIG_KASAN')).toBe(true);
    expect(IS_BUILTIN('CONFIG_KASAN')).toBe(true);
    expect(IS_MODULE('CONFIG_KASAN')).toBe(false);
    expect(config_value('CONFIG_LOG_BUF_SHIFT')).toBe(17);
    expect(config_value('CONFIG_LOCALVERSION')).toBe('-rfl');
    expect(IS_ENABLED('CONFIG_MODULE_FORCE_UNLOAD')).toBe(false);
    expect(IS_ENABLED('CONFIG_NO_SUCH_OPTION')).toBe(false);
  });

  it('loads .config text over the defaults, with m, hex and escaped strings', () => {
    const config = [
      '#',
      '# Automatically generated file; DO NOT EDIT.',
      '#',
      'CONFIG_FOXES=m',
      'CONFIG_PHYSICAL_START=0x1000000',
      'CONFIG_CMDLINE="console=ttyS0 quiet \\"x\\""',
      '# CONFIG_DEBUG_ATOMIC_SLEEP is not set',
      '',
    ].join('\n');
    expect(kconfig_load(config)).toBe(0);
    expect(IS_MODULE('CONFIG_FOXES')).toBe(true);
    expect(IS_ENABLED('CONFIG_FOXES')).toBe(true);
    expect(IS_BUILTIN('CONFIG_FOXES')).toBe(false);
    expect(config_value('CONFIG_PHYSICAL_START')).toBe(0x1000000);
    expect(config_value('CONFIG_CMDLINE')).toBe('console=ttyS0 quiet "x"');
    expect(IS_ENABLED('CONFIG_DEBUG_ATOMIC_SLEEP')).toBe(false);
    expect(IS_ENABLED('CONFIG_KASAN')).toBe(true);
    const dump = kconfig_dump().split('\n');
    expect(dump).toContain('CONFIG_FOXES=m');
    expect(dump).toContain('CONFIG_PHYSICAL_START=0x1000000');
    expect(dump).toContain('CONFIG_CMDLINE="console=ttyS0 quiet \\"x\\""');
    expect(dump).toContain('# CONFIG_DEBUG_ATOMIC_SLEEP is not set');
  });

  it('round-trips its own dump', () => {
    kconfig_set('CONFIG_NR_CPUS', 8);
    kconfig_set('CONFIG_PROVE_LOCKING', 'n');
    const dump = kconfig_dump();
    kconfig_reset();
    expect(kconfig_load(dump)).toBe(0);
    expect(kconfig_dump()).toBe(dump);
  });

  it('rejects malformed lines and mistyped values, changing nothing', () => {
    expect(kconfig_load('CONFIG_NR_CPUS=4\nCONFIG_KASAN=maybe\n')).toBe(-22);
    expect(config_value('CONFIG_NR_CPUS')).toBe(1);
    expect(kconfig_load('KASAN=y')).toBe(-22);
    expect(kconfig_set('CONFIG_NR_CPUS', 'y')).toBe(-22);
    expect(kconfig_set('CONFIG_LOCALVERSION', 3)).toBe(-22);
    expect(kconfig_set('KASAN', 'y')).toBe(-22);
    expect(config_value('CONFIG_NR_CPUS')).toBe(1);
  });

  it('reads a symbol whose dependency is off as not set', () => {
    expect(kconfig_set('CONFIG_LOCKDEP', 'n')).toBe(0);
    expect(IS_ENABLED('CONFIG_PROVE_LOCKING')).toBe(false);
    expect(IS_ENABLED('CONFIG_PROVE_RCU')).toBe(false);
    expect(kconfig_dump()).toContain('# CONFIG_PROVE_LOCKING is not set\n');
    kconfig_set('CONFIG_LOCKDEP', 'y');
    expect(IS_ENABLED('CONFIG_PROVE_RCU')).toBe(true);
  });
});

describe('kconfig: the detectors follow it', () => {
  it('CONFIG_KASAN off makes a use-after-free silent', () => {
    mm_init({ quiet: true, kasan: true });
    use_after_free();
    expect(dmesg()).toContain('BUG: KASAN: slab-use-after-free in use_after_free');
    dmesg_clear();

    kconfig_set('CONFIG_KASAN', 'n');
    expect(kasan_enabled()).toBe(false);
    use_after_free();
    mm_init({ quiet: true, kasan: true });
    expect(kasan_enabled()).toBe(false);
    kasan_enable();
    expect(kasan_enabled()).toBe(false);
    use_after_free();
    expect(kasan_report_count()).toBe(0);
    expect(dmesg()).toBe('');
  });

  it('CONFIG_PROVE_LOCKING off lets an AB-BA pass unreported', () => {
    kconfig_set('CONFIG_PROVE_LOCKING', 'n');
    const a = DEFINE_SPINLOCK('kconfig_a');
    const b = DEFINE_SPINLOCK('kconfig_b');
    spin_lock(a);
    spin_lock(b);
    spin_unlock(b);
    spin_unlock(a);
    spin_lock(b);
    spin_lock(a);
    spin_unlock(a);
    spin_unlock(b);
    expect(dmesg()).toBe('');

    kconfig_set('CONFIG_PROVE_LOCKING', 'y');
    spin_lock(a);
    spin_lock(b);
    spin_unlock(b);
    spin_unlock(a);
    spin_lock(b);
    spin_lock(a);
    spin_unlock(a);
    spin_unlock(b);
    expect(dmesg()).toContain('WARNING: possible circular locking dependency detected');
  });

  it('CONFIG_DEBUG_ATOMIC_SLEEP off silences might_sleep', async () => {
    await sim_advance(2000);
    kconfig_load('# CONFIG_DEBUG_ATOMIC_SLEEP is not set');
    preempt_disable();
    might_sleep();
    preempt_enable();
    expect(dmesg()).toBe('');
    kconfig_reset();
    preempt_disable();
    might_sleep();
    preempt_enable();
    expect(dmesg()).toContain('BUG: sleeping function called from invalid context at ');
  });

  it('CONFIG_DEBUG_KMEMLEAK off stops kmemleak', () => {
    mm_init({ quiet: true, kmemleak: true });
    expect(kmemleak_enabled()).toBe(true);
    kconfig_set('CONFIG_DEBUG_KMEMLEAK', 'n');
    expect(kmemleak_enabled()).toBe(false);
    kmalloc(48, GFP_KERNEL);
    expect(kmemleak_scan()).toBe(0);
    mm_init({ quiet: true, kmemleak: true });
    expect(kmemleak_enabled()).toBe(false);
  });

  it('CONFIG_DETECT_HUNG_TASK off leaves a task in D state unreported', async () => {
    const wq = DECLARE_WAIT_QUEUE_HEAD();
    let released = false;
    kconfig_set('CONFIG_DETECT_HUNG_TASK', 'n');
    hung_task_reset();
    const k = kthread_run(
      async () => {
        await wait_event(wq, () => released);
        return 0;
      },
      null,
      'foxd',
    );
    await sim_run_pending();
    await sim_advance(600_000);
    expect(dmesg()).toBe('');
    kconfig_reset();
    kconfig_set('CONFIG_DEFAULT_HUNG_TASK_TIMEOUT', 30);
    hung_task_reset();
    await sim_advance(60_000);
    expect(dmesg()).toMatch(
      new RegExp(`INFO: task foxd:${k.pid} blocked for more than \\d+ seconds\\.`),
    );
    released = true;
    wake_up(wq);
    await k.exited;
    kconfig_reset();
    hung_task_reset();
  });

  it('CONFIG_HARDENED_USERCOPY off lets an overlong copy_to_user through', () => {
    mm_init({ quiet: true });
    const u = sim_user_alloc(PAGE_SIZE);
    const k = kmalloc(16, GFP_KERNEL);
    kconfig_set('CONFIG_HARDENED_USERCOPY', 'n');
    expect(copy_to_user(u, k, 20)).toBe(0);
    expect(dmesg()).toBe('');
    kconfig_reset();
    expect(() => copy_to_user(u, k, 20)).toThrow(Oops);
    expect(dmesg()).toContain(
      "usercopy: Kernel memory exposure attempt detected from SLUB object 'kmalloc-16' (offset 0, size 20)!",
    );
  });

  it('CONFIG_FAULT_INJECTION off makes no allocation fail', () => {
    mm_init({ quiet: true });
    failslab.ignore_gfp_reclaim = false;
    failslab.attr.probability = 100;
    failslab.attr.times = -1;
    kconfig_set('CONFIG_FAULT_INJECTION', 'n');
    expect(kmalloc(32, GFP_KERNEL)).not.toBe(0);
    kconfig_set('CONFIG_FAULT_INJECTION', 'y');
    expect(kmalloc(32, GFP_KERNEL)).toBe(0);
    expect(dmesg()).toContain('FAULT_INJECTION: forcing a failure.');
  });
});
