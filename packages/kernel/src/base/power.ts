/**
 * System sleep (drivers/base/power/main.c, kernel/power/main.c, suspend.c,
 * hibernate.c): the `dev_pm_ops` of every bound driver run in the kernel's
 * phases and order.
 *
 * Suspend to RAM ({@link pm_suspend} with PM_SUSPEND_MEM, or `mem` written to
 * `/sys/power/state`) calls `suspend` on every device from the newest to the
 * oldest (children before parents: the device list is in registration order),
 * then `suspend_late`, then disables the device interrupts that are not wake-up
 * sources and calls `suspend_noirq`, then the syscore suspend hooks; waking up
 * runs the `resume` side in the opposite order. Hibernation (`disk`) runs the
 * `freeze` phases, takes the image, `thaw`s, `poweroff`s, and — the machine
 * being "rebooted" from the image — `restore`s. A callback that fails stops the
 * transition: the devices already suspended are resumed and the error is
 * returned (and written to the log the kernel's way).
 *
 * The simulator does not freeze tasks, sync filesystems or take CPUs offline, so
 * the log has only the lines of what is done here: `PM: suspend entry (deep)`,
 * the devices' own messages, `PM: suspend exit`.
 *
 * A power-gated device model that forgets its registers while the machine sleeps
 * registers {@link register_syscore_ops} hooks: they run last on the way down,
 * first on the way up, with interrupts off, which is where the power goes.
 *
 * @example
 * ```ts
 * import { PM_SUSPEND_MEM, SIMPLE_DEV_PM_OPS, dmesg, dmesg_clear, driver_core_fs_init, platform_device_add, platform_device_alloc, platform_driver_register, pm_init, pm_suspend, vfs_init } from '@rfl/kernel';
 * # vfs_init();
 * # driver_core_fs_init();
 * # pm_init();
 * const log: string[] = [];
 * await platform_driver_register({
 *   driver: {
 *     name: 'fox-led',
 *     pm: SIMPLE_DEV_PM_OPS(
 *       (dev) => { log.push(`suspend ${dev.name}`); return 0; },
 *       (dev) => { log.push(`resume ${dev.name}`); return 0; },
 *     ),
 *   },
 *   probe: () => 0,
 * });
 * await platform_device_add(platform_device_alloc('fox-led', 0));
 * await platform_device_add(platform_device_alloc('fox-led', 1));
 * # dmesg_clear();
 * await pm_suspend(PM_SUSPEND_MEM) // => 0
 * log // => ['suspend fox-led.1', 'suspend fox-led.0', 'resume fox-led.0', 'resume fox-led.1']
 * dmesg().split('\n').map((l) => l.slice(15)).filter(Boolean) // => ['PM: suspend entry (deep)', 'PM: suspend exit']
 * ```
 *
 * @module
 */

import { EBUSY, EINVAL } from '../errno.js';
import type { attribute } from '../fs/sysfs/file.js';
import { sysfs_create_file } from '../fs/sysfs/file.js';
import { IRQF_NO_SUSPEND, irq_descs } from '../irq/irqdesc.js';
import { disable_irq_nosync, enable_irq } from '../irq/manage.js';
import { type kobj_type, kobject, kobject_del, kobject_init_and_add } from '../lib/kobject.js';
import { devices_kset } from '../lib/kobject_roots.js';
import { dev_err, pr_err, pr_info } from '../printk.js';
import { local_irq_disable, local_irq_enable } from '../sched/preempt.js';
import {
  type device,
  device_is_bound,
  get_device,
  kobj_is_device,
  kobj_to_dev,
  type maybe_async,
  put_device,
} from './device.js';
import type { dev_pm_ops } from './driver.js';

/** `suspend_state_t` values (include/linux/suspend.h). */
export const PM_SUSPEND_ON = 0;
export const PM_SUSPEND_TO_IDLE = 1;
export const PM_SUSPEND_STANDBY = 2;
export const PM_SUSPEND_MEM = 3;

/** `mem_sleep_labels[]`: what `PM: suspend entry (...)` names each state. */
const mem_sleep_labels = ['', 's2idle', 'shallow', 'deep'];

/** The `pm_message_t` events: which phase of which transition runs. */
type pm_event = 'suspend' | 'resume' | 'freeze' | 'thaw' | 'poweroff' | 'restore';

/**
 * `SIMPLE_DEV_PM_OPS(suspend, resume)` / `DEFINE_SIMPLE_DEV_PM_OPS`: the same pair
 * for suspend, hibernation's freeze and poweroff, and the matching resumes.
 */
export function SIMPLE_DEV_PM_OPS(
  suspend: ((dev: device) => maybe_async<number>) | undefined,
  resume: ((dev: device) => maybe_async<number>) | undefined,
): dev_pm_ops {
  return {
    ...(suspend && { suspend, freeze: suspend, poweroff: suspend }),
    ...(resume && { resume, thaw: resume, restore: resume }),
  };
}

/** `DEFINE_SIMPLE_DEV_PM_OPS()`: the newer name of the same table. */
export const DEFINE_SIMPLE_DEV_PM_OPS = SIMPLE_DEV_PM_OPS;

/** `NOIRQ_SYSTEM_SLEEP_PM_OPS(suspend, resume)`: the pair in the noirq phases. */
export function NOIRQ_SYSTEM_SLEEP_PM_OPS(
  suspend: (dev: device) => maybe_async<number>,
  resume: (dev: device) => maybe_async<number>,
): dev_pm_ops {
  return {
    suspend_noirq: suspend,
    freeze_noirq: suspend,
    poweroff_noirq: suspend,
    resume_noirq: resume,
    thaw_noirq: resume,
    restore_noirq: resume,
  };
}

/** `pm_sleep_ptr(ops)`: the ops, CONFIG_PM_SLEEP being set. */
export function pm_sleep_ptr<T>(ops: T): T {
  return ops;
}

/** `pm_ptr(ops)`: the ops, CONFIG_PM being set. */
export const pm_ptr = pm_sleep_ptr;

/** `struct syscore_ops`: machine-wide hooks run last on suspend, first on resume. */
export interface syscore_ops {
  readonly suspend?: () => number;
  readonly resume?: () => void;
  readonly shutdown?: () => void;
}

let syscore: syscore_ops[] = [];
let in_transition = false;

/** `register_syscore_ops()`. */
export function register_syscore_ops(ops: syscore_ops): void {
  syscore.push(ops);
}

/** `unregister_syscore_ops()`. */
export function unregister_syscore_ops(ops: syscore_ops): void {
  syscore = syscore.filter((o) => o !== ops);
}

type phase = '' | '_late' | '_noirq';

const verbs: Record<pm_event, string> = {
  suspend: 'suspend',
  resume: 'resume',
  freeze: 'freeze',
  thaw: 'thaw',
  poweroff: 'hibernate',
  restore: 'restore',
};

/** The callback names of each event in each phase (`pm_op()`, `pm_late_early_op()`, `pm_noirq_op()`). */
const callbacks: Record<pm_event, Record<phase, keyof dev_pm_ops>> = {
  suspend: { '': 'suspend', _late: 'suspend_late', _noirq: 'suspend_noirq' },
  resume: { '': 'resume', _late: 'resume_early', _noirq: 'resume_noirq' },
  freeze: { '': 'freeze', _late: 'freeze_late', _noirq: 'freeze_noirq' },
  thaw: { '': 'thaw', _late: 'thaw_early', _noirq: 'thaw_noirq' },
  poweroff: { '': 'poweroff', _late: 'poweroff_late', _noirq: 'poweroff_noirq' },
  restore: { '': 'restore', _late: 'restore_early', _noirq: 'restore_noirq' },
};

/** The devices with a bound driver, in registration order (`dpm_list`). */
function dpm_list(): device[] {
  return devices_kset.list.filter(kobj_is_device).map(kobj_to_dev).filter(device_is_bound);
}

/** Runs one device's callback; logs a failure as `pm_dev_err()` does. */
async function dpm_run_callback(dev: device, event: pm_event, ph: phase): Promise<number> {
  const cb = dev.driver?.pm?.[callbacks[event][ph]] as
    | ((dev: device) => maybe_async<number>)
    | undefined;
  if (!cb) return 0;
  const ret = await cb(dev);
  if (ret) {
    const info = ph === '_noirq' ? ' noirq' : ph === '_late' ? ' late' : '';
    dev_err(dev, 'failed to %s%s: error %d\n', verbs[event], info, ret);
  }
  return ret;
}

/**
 * Runs the "down" callbacks of `event` in `ph` newest device first; on failure
 * runs the matching "up" callbacks on those already done, and returns the error.
 */
async function dpm_down(event: pm_event, up: pm_event, ph: phase): Promise<number> {
  const done: device[] = [];
  for (const dev of dpm_list().reverse()) {
    get_device(dev);
    const ret = await dpm_run_callback(dev, event, ph);
    if (ret) {
      put_device(dev);
      for (const d of done.reverse()) {
        await dpm_run_callback(d, up, ph);
        put_device(d);
      }
      return ret;
    }
    done.push(dev);
  }
  for (const d of done) put_device(d);
  return 0;
}

async function dpm_up(event: pm_event, ph: phase): Promise<void> {
  for (const dev of dpm_list()) {
    get_device(dev);
    await dpm_run_callback(dev, event, ph);
    put_device(dev);
  }
}

/** The irqs `suspend_device_irqs()` disabled, to enable again on resume. */
let suspended_irqs: number[] = [];

/**
 * `suspend_device_irqs()`: every line with handlers is disabled, except those
 * requested IRQF_NO_SUSPEND and those armed as wake-up sources (`enable_irq_wake`).
 */
function suspend_device_irqs(): void {
  suspended_irqs = [];
  for (const desc of irq_descs()) {
    if (desc.actions.length === 0) continue;
    if (desc.actions.some((a) => a.flags & IRQF_NO_SUSPEND)) continue;
    if (desc.irq_data.wakeup) continue;
    disable_irq_nosync(desc.irq);
    suspended_irqs.push(desc.irq);
  }
}

function resume_device_irqs(): void {
  for (const irq of suspended_irqs) enable_irq(irq);
  suspended_irqs = [];
}

function syscore_suspend(): number {
  const done: syscore_ops[] = [];
  for (const ops of [...syscore].reverse()) {
    const ret = ops.suspend?.() ?? 0;
    if (ret) {
      pr_err('PM: System core suspend callback %ps failed.\n', ops.suspend);
      for (const d of done.reverse()) d.resume?.();
      return ret;
    }
    done.push(ops);
  }
  return 0;
}

function syscore_resume(): void {
  for (const ops of syscore) ops.resume?.();
}

/**
 * Takes every device through the down phases of `down` and back up through
 * `up`, with `asleep` run at the bottom (interrupts off). Returns 0 or the
 * first error, after bringing back what went down.
 */
async function dpm_cycle(down: pm_event, up: pm_event, asleep: () => number): Promise<number> {
  let error = await dpm_down(down, up, '');
  if (error) return error;
  error = await dpm_down(down, up, '_late');
  if (!error) {
    suspend_device_irqs();
    error = await dpm_down(down, up, '_noirq');
    if (!error) {
      local_irq_disable();
      error = syscore_suspend();
      if (!error) {
        error = asleep();
        syscore_resume();
      }
      local_irq_enable();
      await dpm_up(up, '_noirq');
    }
    resume_device_irqs();
    await dpm_up(up, '_late');
  }
  await dpm_up(up, '');
  return error;
}

/**
 * Suspends the system into `state` and wakes it up again at once (`pm_suspend()`):
 * 0, -EINVAL for a state the machine does not have, -EBUSY while another
 * transition runs, or the error of the callback that refused.
 */
export async function pm_suspend(state: number): Promise<number> {
  if (state !== PM_SUSPEND_TO_IDLE && state !== PM_SUSPEND_MEM) return -EINVAL;
  if (in_transition) return -EBUSY;
  in_transition = true;
  try {
    pr_info('PM: suspend entry (%s)\n', mem_sleep_labels[state]);
    const error = await dpm_cycle('suspend', 'resume', () => 0);
    if (error) pr_err('PM: Some devices failed to suspend, or early wake event detected\n');
    pr_info('PM: suspend exit\n');
    return error;
  } finally {
    in_transition = false;
  }
}

/**
 * Hibernates and resumes from the image at once (`hibernate()`): freeze, image,
 * thaw, poweroff, then restore as after booting from the image. 0 or an error.
 */
export async function hibernate(): Promise<number> {
  if (in_transition) return -EBUSY;
  in_transition = true;
  try {
    pr_info('PM: hibernation: hibernation entry\n');
    let error = await dpm_cycle('freeze', 'thaw', () => {
      pr_info('PM: hibernation: Creating image:\n');
      return 0;
    });
    if (!error) {
      error = await dpm_cycle('poweroff', 'restore', () => {
        pr_info('PM: hibernation: Image restored successfully.\n');
        return 0;
      });
    }
    pr_info('PM: hibernation: hibernation exit\n');
    return error;
  } finally {
    in_transition = false;
  }
}

/** A file of `/sys/power`. */
interface power_attr extends attribute {
  readonly show?: () => string;
  readonly store?: (buf: string) => number | Promise<number>;
}

const state_attr: power_attr = {
  name: 'state',
  mode: 0o644,
  show: () => 'freeze mem disk\n',
  store: async (buf) => {
    const s = buf.replace(/\n$/, '');
    let error: number;
    if (s === 'mem') error = await pm_suspend(mem_sleep_current);
    else if (s === 'freeze') error = await pm_suspend(PM_SUSPEND_TO_IDLE);
    else if (s === 'disk') error = await hibernate();
    else error = -EINVAL;
    return error || buf.length;
  },
};

/** What `mem` means (`mem_sleep_current`): deep unless `s2idle` was written to mem_sleep. */
let mem_sleep_current = PM_SUSPEND_MEM;

const mem_sleep_attr: power_attr = {
  name: 'mem_sleep',
  mode: 0o644,
  show: () => (mem_sleep_current === PM_SUSPEND_MEM ? 's2idle [deep]\n' : '[s2idle] deep\n'),
  store: (buf) => {
    const s = buf.replace(/\n$/, '');
    if (s === 'deep') mem_sleep_current = PM_SUSPEND_MEM;
    else if (s === 's2idle') mem_sleep_current = PM_SUSPEND_TO_IDLE;
    else return -EINVAL;
    return buf.length;
  },
};

const power_ktype: kobj_type = {
  release: () => {},
  sysfs_ops: {
    show: (_kobj, attr) => (attr as power_attr).show?.() ?? -EINVAL,
    store: (_kobj, attr, buf) => (attr as power_attr).store?.(buf) ?? -EINVAL,
  },
};

let power_kobj: kobject | null = null;

/**
 * (Re)boots power management (`pm_init()`): `/sys/power` with `state` and
 * `mem_sleep`, no syscore hooks. Call it after `sysfs_init()`.
 */
export function pm_init(): void {
  if (power_kobj?.state_in_sysfs) kobject_del(power_kobj);
  syscore = [];
  in_transition = false;
  suspended_irqs = [];
  mem_sleep_current = PM_SUSPEND_MEM;
  const kobj = new kobject();
  if (kobject_init_and_add(kobj, power_ktype, null, 'power')) return;
  sysfs_create_file(kobj, state_attr);
  sysfs_create_file(kobj, mem_sleep_attr);
  power_kobj = kobj;
}
