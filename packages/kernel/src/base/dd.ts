/**
 * Binding devices to drivers (drivers/base/dd.c).
 *
 * A device and a driver of the same bus meet in two ways: adding the device tries every
 * driver of the bus ({@link device_attach}), registering the driver tries every device
 * ({@link driver_attach}). When the bus's `match` accepts the pair, `really_probe()`
 * sets `dev.driver`, calls the probe and either records the binding or undoes it,
 * releasing whatever devres the probe acquired.
 *
 * What a failed probe prints depends on its errno, as in the kernel: `-EPROBE_DEFER`
 * and `-ENODEV`/`-ENXIO` only at debug level, anything else
 * `probe with driver <drv> failed with error <err>` at KERN_ERR (6.12's text; kernels
 * before 6.10 printed `<drv>: probe of <dev> failed with error <err>` with pr_warn).
 *
 * A probe that returns `-EPROBE_DEFER` is missing a supplier (a clock, a GPIO, a
 * regulator). The device goes on the deferred list, and every time any driver binds
 * to any device the list is retried from a work item (`deferred_probe_work`) on
 * `system_unbound_wq`; {@link wait_for_device_probe} waits for that.
 *
 * @module
 */

import { EAGAIN, EBUSY, ENODEV, ENOMEM, ENXIO, EPROBE_DEFER } from '../errno.js';
import { sysfs_create_link, sysfs_remove_link } from '../fs/sysfs/symlink.js';
import { KOBJ_BIND, KOBJ_UNBIND, kobject_uevent } from '../lib/kobject_uevent.js';
import { DECLARE_WAIT_QUEUE_HEAD, wait_event, wake_up_all } from '../locking/wait.js';
import { dev_crit, dev_dbg, dev_err, dev_warn, pr_err } from '../printk.js';
import {
  flush_work,
  INIT_WORK,
  queue_work,
  system_unbound_wq,
  work_struct,
} from '../sched/workqueue.js';
import { sprintf } from '../vsprintf.js';
import { bus_for_each_dev, bus_for_each_drv, bus_to_subsys } from './bus.js';
import {
  dev_name,
  type device,
  device_is_bound,
  device_is_registered,
  device_lock,
  device_unlock,
  get_device,
  put_device,
} from './device.js';
import { devres_release_all } from './devres.js';
import { type device_driver, driver_to_private } from './driver.js';

/** The deferred-probe state (`deferred_probe_pending_list` and friends). */
const deferred = {
  pending: [] as device[],
  active: [] as device[],
  trigger_count: 0,
  /** `driver_deferred_probe_enable`: the kernel sets it at late_initcall. */
  enable: true,
  work: new work_struct(),
  /** Probes running now (`probe_count`), for wait_for_device_probe(). */
  probe_count: 0,
  probe_waitqueue: DECLARE_WAIT_QUEUE_HEAD(),
};

/** Forgets deferred devices and running probes; part of `driver_init()`. */
export function dd_reset(): void {
  deferred.pending = [];
  deferred.active = [];
  deferred.trigger_count = 0;
  deferred.enable = true;
  deferred.work = new work_struct();
  INIT_WORK(deferred.work, deferred_probe_work_func, 'deferred_probe_work_func');
  deferred.probe_count = 0;
  deferred.probe_waitqueue = DECLARE_WAIT_QUEUE_HEAD();
}
dd_reset();

async function deferred_probe_work_func(): Promise<void> {
  for (;;) {
    const dev = deferred.active.shift();
    if (!dev) return;
    dev.p.deferred = false;
    get_device(dev);
    dev.p.deferred_probe_reason = undefined;
    dev_dbg(dev, 'Retrying from deferred list\n');
    await bus_probe_device(dev);
    put_device(dev);
  }
}

/** Puts a device that could not probe yet on the pending list (`driver_deferred_probe_add()`). */
export function driver_deferred_probe_add(dev: device): void {
  if (!dev.can_match) return;
  if (!dev.p.deferred) {
    dev_dbg(dev, 'Added to deferred list\n');
    dev.p.deferred = true;
    deferred.pending.push(dev);
  }
}

/** Takes a device off the deferred lists (`driver_deferred_probe_del()`). */
export function driver_deferred_probe_del(dev: device): void {
  if (!dev.p.deferred) return;
  dev_dbg(dev, 'Removed from deferred list\n');
  for (const list of [deferred.pending, deferred.active]) {
    const i = list.indexOf(dev);
    if (i >= 0) list.splice(i, 1);
  }
  dev.p.deferred = false;
  dev.p.deferred_probe_reason = undefined;
}

/** Moves every pending device to the active list and queues the retry (`driver_deferred_probe_trigger()`). */
function driver_deferred_probe_trigger(): void {
  if (!deferred.enable) return;
  deferred.trigger_count++;
  deferred.active.push(...deferred.pending);
  deferred.pending = [];
  queue_work(system_unbound_wq, deferred.work);
}

/**
 * The devices waiting for a retry, one line each: name, a tab, the reason
 * `dev_err_probe()` recorded with its newline (`/sys/kernel/debug/devices_deferred`).
 */
export function devices_deferred_show(): string {
  return deferred.pending
    .map((dev) => `${dev_name(dev)}\t${dev.p.deferred_probe_reason ?? '\n'}`)
    .join('');
}

/**
 * Waits until no probe runs and the deferred list has been retried
 * (`wait_for_device_probe()`).
 */
export async function wait_for_device_probe(): Promise<void> {
  await flush_work(deferred.work);
  await wait_event(deferred.probe_waitqueue, () => deferred.probe_count === 0);
}

/**
 * Reports a probe error and returns `err` (`dev_err_probe()`): `-EPROBE_DEFER` is
 * recorded as the deferral reason and logged at debug level only, `-ENOMEM` is not
 * logged (the allocator already was loud), anything else is
 * `error -EINVAL: <message>` at KERN_ERR.
 */
export function dev_err_probe(dev: device, err: number, fmt: string, ...args: unknown[]): number {
  const msg = sprintf(fmt, ...args);
  if (err === -EPROBE_DEFER) {
    dev.p.deferred_probe_reason = msg;
    dev_dbg(dev, 'error %pe: %s', err, msg);
  } else if (err !== -ENOMEM) {
    dev_err(dev, 'error %pe: %s', err, msg);
  }
  return err;
}

/** Asks the bus whether `drv` fits `dev` (`driver_match_device()`). */
export function driver_match_device(drv: device_driver, dev: device): number {
  return drv.bus?.match ? drv.bus.match(dev, drv) : 1;
}

/**
 * Links the device and its driver in sysfs (`driver_sysfs_add()`):
 * `/sys/bus/<bus>/drivers/<drv>/<dev>` and the device's `driver` link.
 */
function driver_sysfs_add(dev: device): number {
  const priv = driver_to_private(dev.driver!);
  if (!priv) return 0;
  let ret = sysfs_create_link(priv.kobj, dev.kobj, dev_name(dev));
  if (ret) return ret;
  ret = sysfs_create_link(dev.kobj, priv.kobj, 'driver');
  if (ret) sysfs_remove_link(priv.kobj, dev_name(dev));
  return ret;
}

function driver_sysfs_remove(dev: device): void {
  const priv = dev.driver ? driver_to_private(dev.driver) : undefined;
  if (!priv) return;
  sysfs_remove_link(priv.kobj, dev_name(dev));
  sysfs_remove_link(dev.kobj, 'driver');
}

/** Records a successful binding and retries the deferred devices (`driver_bound()`). */
function driver_bound(dev: device): void {
  if (device_is_bound(dev)) {
    dev_warn(dev, '%s: device already bound\n', 'driver_bound');
    return;
  }
  const drv = dev.driver!;
  dev_dbg(dev, "driver: '%s': %s: bound to device\n", drv.name, 'driver_bound');
  dev.p.bound = true;
  driver_to_private(drv)?.devices.push(dev);
  driver_deferred_probe_del(dev);
  driver_deferred_probe_trigger();
  kobject_uevent(dev.kobj, KOBJ_BIND);
}

/** What a failed probe or an unbind leaves behind is undone (`device_unbind_cleanup()`). */
function device_unbind_cleanup(dev: device): void {
  devres_release_all(dev);
  dev.driver = null;
  dev.driver_data = undefined;
}

async function call_driver_probe(dev: device, drv: device_driver): Promise<number> {
  let ret = 0;
  if (dev.bus?.probe) ret = await dev.bus.probe(dev);
  else if (drv.probe) ret = await drv.probe(dev);
  switch (ret) {
    case 0:
      break;
    case -EPROBE_DEFER:
      dev_dbg(dev, 'Driver %s requests probe deferral\n', drv.name);
      break;
    case -ENODEV:
    case -ENXIO:
      dev_dbg(dev, 'probe with driver %s rejects match %d\n', drv.name, ret);
      break;
    default:
      dev_err(dev, 'probe with driver %s failed with error %d\n', drv.name, ret);
  }
  return ret;
}

/** Probes `dev` with `drv`; returns 0, or a probe's errno made positive (`really_probe()`). */
async function really_probe(dev: device, drv: device_driver): Promise<number> {
  const bus = drv.bus?.name ?? '';
  dev_dbg(dev, "bus: '%s': %s: probing driver %s with device\n", bus, 'really_probe', drv.name);
  if (dev.devres_head.length > 0) {
    dev_crit(dev, 'Resources present before probing\n');
    return -EBUSY;
  }
  dev.driver = drv;
  const link_err = driver_sysfs_add(dev);
  if (link_err) {
    pr_err('%s: driver_sysfs_add(%s) failed\n', 'really_probe', dev_name(dev));
    dev.driver = null;
    return link_err;
  }
  const ret = await call_driver_probe(dev, drv);
  if (ret) {
    driver_sysfs_remove(dev);
    device_unbind_cleanup(dev);
    // Positive, so that callers can tell a probe's error from their own.
    return -ret;
  }
  driver_bound(dev);
  dev_dbg(dev, "bus: '%s': %s: bound device to driver %s\n", bus, 'really_probe', drv.name);
  return 0;
}

async function __driver_probe_device(drv: device_driver, dev: device): Promise<number> {
  if (dev.p.dead || !device_is_registered(dev)) return -ENODEV;
  if (dev.driver) return -EBUSY;
  dev.can_match = true;
  dev_dbg(
    dev,
    "bus: '%s': %s: matched device with driver %s\n",
    drv.bus?.name ?? '',
    '__driver_probe_device',
    drv.name,
  );
  return really_probe(dev, drv);
}

/** Probes with the device lock held; a deferral queues the device (`driver_probe_device()`). */
async function driver_probe_device(drv: device_driver, dev: device): Promise<number> {
  const trigger_count = deferred.trigger_count;
  deferred.probe_count++;
  try {
    const ret = await __driver_probe_device(drv, dev);
    if (ret === -EPROBE_DEFER || ret === EPROBE_DEFER) {
      driver_deferred_probe_add(dev);
      // A driver bound while this one probed: its retry may have missed us.
      if (trigger_count !== deferred.trigger_count) driver_deferred_probe_trigger();
    }
    return ret;
  } finally {
    deferred.probe_count--;
    wake_up_all(deferred.probe_waitqueue);
  }
}

/**
 * Binds `drv` to `dev` now (`device_driver_attach()`, what writing `bind` does): 0,
 * -EBUSY when the device has a driver, -EAGAIN when the probe deferred, or the
 * probe's errno.
 */
export async function device_driver_attach(drv: device_driver, dev: device): Promise<number> {
  await device_lock(dev);
  let ret: number;
  try {
    ret = await driver_probe_device(drv, dev);
  } finally {
    device_unlock(dev);
  }
  if (ret > 0) ret = -ret;
  if (ret === -EPROBE_DEFER) return -EAGAIN;
  return ret;
}

async function __device_attach_driver(drv: device_driver, dev: device): Promise<number> {
  const match = driver_match_device(drv, dev);
  if (match === 0) return 0;
  if (match === -EPROBE_DEFER) {
    dev_dbg(dev, 'Device match requests probe deferral\n');
    dev.can_match = true;
    driver_deferred_probe_add(dev);
    return match;
  }
  if (match < 0) {
    dev_dbg(dev, 'Bus failed to match device: %d\n', match);
    return match;
  }
  const ret = await driver_probe_device(drv, dev);
  if (ret < 0) return ret;
  return ret === 0 ? 1 : 0;
}

async function __device_attach(dev: device): Promise<number> {
  await device_lock(dev);
  try {
    if (dev.p.dead) return 0;
    if (dev.driver) {
      if (device_is_bound(dev)) return 1;
      const ret = device_bind_driver(dev);
      if (ret === 0) return 1;
      dev.driver = null;
      return 0;
    }
    if (!dev.bus) return 0;
    return await bus_for_each_drv(dev.bus, (drv) => __device_attach_driver(drv, dev));
  } finally {
    device_unlock(dev);
  }
}

/**
 * Tries every driver of the device's bus until one binds (`device_attach()`):
 * 1 when bound, 0 when no driver took it, a negative errno on error.
 */
export function device_attach(dev: device): Promise<number> {
  return __device_attach(dev);
}

/** Probes a newly added device if its bus autoprobes (`bus_probe_device()`). */
export async function bus_probe_device(dev: device): Promise<void> {
  const sp = bus_to_subsys(dev.bus);
  if (!sp) return;
  if (sp.drivers_autoprobe) await __device_attach(dev);
}

async function __driver_attach(dev: device, drv: device_driver): Promise<number> {
  const match = driver_match_device(drv, dev);
  if (match === 0) return 0;
  if (match === -EPROBE_DEFER) {
    dev_dbg(dev, 'Device match requests probe deferral\n');
    dev.can_match = true;
    driver_deferred_probe_add(dev);
    return 0;
  }
  if (match < 0) {
    dev_dbg(dev, 'Bus failed to match device: %d\n', match);
    return 0;
  }
  await device_lock(dev);
  try {
    await driver_probe_device(drv, dev);
  } finally {
    device_unlock(dev);
  }
  return 0;
}

/** Tries `drv` on every device of its bus (`driver_attach()`); returns 0. */
export async function driver_attach(drv: device_driver): Promise<number> {
  if (!drv.bus) return 0;
  return bus_for_each_dev(drv.bus, null, (dev) => __driver_attach(dev, drv));
}

/**
 * Binds the device to the driver already in `dev.driver` without probing
 * (`device_bind_driver()`), for buses that bind by other means.
 */
export function device_bind_driver(dev: device): number {
  const ret = driver_sysfs_add(dev);
  if (!ret) driver_bound(dev);
  return ret;
}

/** Unbinds with the device lock held (`__device_release_driver()`). */
async function __device_release_driver(dev: device): Promise<void> {
  const drv = dev.driver;
  if (!drv) return;
  driver_sysfs_remove(dev);
  if (dev.bus?.remove) await dev.bus.remove(dev);
  else if (drv.remove) await drv.remove(dev);
  const devices = driver_to_private(drv)?.devices;
  const i = devices ? devices.indexOf(dev) : -1;
  if (devices && i >= 0) devices.splice(i, 1);
  dev.p.bound = false;
  device_unbind_cleanup(dev);
  kobject_uevent(dev.kobj, KOBJ_UNBIND);
}

/** Unbinds `dev` if `drv` (or, when null, any driver) holds it (`device_release_driver_internal()`). */
async function device_release_driver_internal(
  dev: device,
  drv: device_driver | null,
): Promise<void> {
  await device_lock(dev);
  try {
    if (dev.driver && (!drv || drv === dev.driver)) await __device_release_driver(dev);
  } finally {
    device_unlock(dev);
  }
}

/**
 * Unbinds the device from its driver (`device_release_driver()`): the driver's
 * `remove()` runs, then the device's devres are released newest first.
 */
export function device_release_driver(dev: device): Promise<void> {
  return device_release_driver_internal(dev, null);
}

/** What writing a device's name to a driver's `unbind` does (`device_driver_detach()`). */
export function device_driver_detach(dev: device): Promise<void> {
  return device_release_driver_internal(dev, null);
}

/** Unbinds a driver from every device it holds, newest first (`driver_detach()`). */
export async function driver_detach(drv: device_driver): Promise<void> {
  const priv = driver_to_private(drv);
  if (!priv) return;
  for (;;) {
    const dev = priv.devices.at(-1);
    if (!dev) return;
    get_device(dev);
    await device_release_driver_internal(dev, drv);
    put_device(dev);
    // Only a remove() that threw leaves the device on the list; do not spin on it.
    if (priv.devices.at(-1) === dev) return;
  }
}
