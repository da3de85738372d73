import { beforeEach, describe, expect, it } from 'vitest';
import { driver_core_fs_init } from '../drivers/char/boot.js';
import { EBUSY, EINVAL, EIO } from '../errno.js';
import { vfs_init } from '../fs/init.js';
import { sysfs_read, sysfs_write } from '../fs/sysfs/access.js';
import { irq_init } from '../irq/init.js';
import { IRQ_HANDLED } from '../irq/irqdesc.js';
import { enable_irq_wake, request_irq } from '../irq/manage.js';
import { sim_irq, sim_lower_irq, sim_raise_irq } from '../irq/sim-intc.js';
import { mm_init } from '../mm/init.js';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_clear } from '../printk.js';
import type { device } from './device.js';
import type { dev_pm_ops } from './driver.js';
import {
  platform_device_add,
  platform_device_alloc,
  platform_driver_register,
} from './platform.js';
import {
  hibernate,
  PM_SUSPEND_MEM,
  PM_SUSPEND_TO_IDLE,
  pm_init,
  pm_suspend,
  register_syscore_ops,
  SIMPLE_DEV_PM_OPS,
} from './power.js';

let log: string[];

beforeEach(() => {
  mm_init({ quiet: true });
  vfs_init();
  driver_core_fs_init();
  irq_init();
  pm_init();
  panic_reset();
  dmesg_clear();
  log = [];
});

function lines(): string[] {
  return dmesg({ notime: true }).split('\n').filter(Boolean);
}

function recorder(...names: (keyof dev_pm_ops)[]): dev_pm_ops {
  const ops: Record<string, (dev: device) => number> = {};
  for (const n of names) {
    ops[n] = (dev) => {
      log.push(`${n} ${dev.name}`);
      return 0;
    };
  }
  return ops as dev_pm_ops;
}

async function add(name: string, pm: dev_pm_ops, count = 2): Promise<void> {
  await platform_driver_register({ driver: { name, pm }, probe: () => 0 });
  for (let i = 0; i < count; i++) await platform_device_add(platform_device_alloc(name, i));
  dmesg_clear();
}

describe('suspend to RAM', () => {
  it('suspends newest first through each phase and resumes in the opposite order', async () => {
    await add(
      'fox',
      recorder(
        'suspend',
        'suspend_late',
        'suspend_noirq',
        'resume_noirq',
        'resume_early',
        'resume',
      ),
    );
    register_syscore_ops({
      suspend: () => {
        log.push('syscore suspend');
        return 0;
      },
      resume: () => log.push('syscore resume') && undefined,
    });
    expect(await pm_suspend(PM_SUSPEND_MEM)).toBe(0);
    expect(log).toEqual([
      'suspend fox.1',
      'suspend fox.0',
      'suspend_late fox.1',
      'suspend_late fox.0',
      'suspend_noirq fox.1',
      'suspend_noirq fox.0',
      'syscore suspend',
      'syscore resume',
      'resume_noirq fox.0',
      'resume_noirq fox.1',
      'resume_early fox.0',
      'resume_early fox.1',
      'resume fox.0',
      'resume fox.1',
    ]);
    expect(lines()).toEqual(['PM: suspend entry (deep)', 'PM: suspend exit']);
  });

  it('resumes the devices already suspended when one refuses, and reports it', async () => {
    await add(
      'fox',
      SIMPLE_DEV_PM_OPS(
        (dev) => {
          log.push(`suspend ${dev.name}`);
          return dev.name === 'fox.0' ? -EIO : 0;
        },
        (dev) => {
          log.push(`resume ${dev.name}`);
          return 0;
        },
      ),
    );
    expect(await pm_suspend(PM_SUSPEND_MEM)).toBe(-EIO);
    expect(log).toEqual(['suspend fox.1', 'suspend fox.0', 'resume fox.1']);
    expect(lines()).toEqual([
      'PM: suspend entry (deep)',
      'fox fox.0: failed to suspend: error -5',
      'PM: Some devices failed to suspend, or early wake event detected',
      'PM: suspend exit',
    ]);
  });

  it('keeps device interrupts off in the noirq phases, except wake-up sources', async () => {
    const quiet = sim_irq(10);
    const wake = sim_irq(11);
    const seen: string[] = [];
    request_irq(
      quiet,
      () => {
        seen.push('quiet');
        sim_lower_irq(10);
        return IRQ_HANDLED;
      },
      0,
      'quiet',
      null,
    );
    request_irq(
      wake,
      () => {
        seen.push('wake');
        sim_lower_irq(11);
        return IRQ_HANDLED;
      },
      0,
      'wake',
      null,
    );
    expect(enable_irq_wake(wake)).toBe(0);
    await add(
      'fox',
      {
        suspend_noirq: () => {
          sim_raise_irq(10);
          sim_raise_irq(11);
          seen.push('noirq');
          return 0;
        },
        resume_noirq: () => {
          seen.push('resume_noirq');
          return 0;
        },
      },
      1,
    );
    await pm_suspend(PM_SUSPEND_MEM);
    expect(seen).toEqual(['wake', 'noirq', 'resume_noirq', 'quiet']);
  });

  it('is what writing mem or freeze to /sys/power/state does', async () => {
    await add('fox', recorder('suspend', 'resume'), 1);
    expect(sysfs_read('/sys/power/state')).toBe('freeze mem disk\n');
    expect(sysfs_read('/sys/power/mem_sleep')).toBe('s2idle [deep]\n');
    expect(await sysfs_write('/sys/power/state', 'mem\n')).toBe(4);
    expect(await sysfs_write('/sys/power/state', 'freeze')).toBe(6);
    expect(await sysfs_write('/sys/power/state', 'standby')).toBe(-EINVAL);
    expect(log).toEqual(['suspend fox.0', 'resume fox.0', 'suspend fox.0', 'resume fox.0']);
    expect(lines()).toEqual([
      'PM: suspend entry (deep)',
      'PM: suspend exit',
      'PM: suspend entry (s2idle)',
      'PM: suspend exit',
    ]);
    expect(await pm_suspend(PM_SUSPEND_TO_IDLE + 7)).toBe(-EINVAL);
  });

  it('refuses a second transition while one runs', async () => {
    let inner = 0;
    await add(
      'fox',
      {
        suspend: async () => {
          inner = await pm_suspend(PM_SUSPEND_MEM);
          return 0;
        },
      },
      1,
    );
    expect(await pm_suspend(PM_SUSPEND_MEM)).toBe(0);
    expect(inner).toBe(-EBUSY);
  });
});

describe('hibernation', () => {
  it('freezes, thaws after the image, powers off and restores', async () => {
    await add('fox', recorder('freeze', 'thaw', 'poweroff', 'restore'), 1);
    expect(await sysfs_write('/sys/power/state', 'disk')).toBe(4);
    expect(log).toEqual(['freeze fox.0', 'thaw fox.0', 'poweroff fox.0', 'restore fox.0']);
    expect(lines()).toEqual([
      'PM: hibernation: hibernation entry',
      'PM: hibernation: Creating image:',
      'PM: hibernation: Image restored successfully.',
      'PM: hibernation: hibernation exit',
    ]);
    expect(await hibernate()).toBe(0);
  });
});
