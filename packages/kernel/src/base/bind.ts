/**
 * Binding from user space (the bus attributes of drivers/base/bus.c):
 *
 * - `echo 9030000.pl061 > /sys/bus/amba/drivers/pl061_gpio/unbind` unbinds a device,
 * - `echo 9030000.pl061 > /sys/bus/amba/drivers/pl061_gpio/bind` binds it again,
 * - `echo 9030000.pl061 > /sys/bus/amba/drivers_probe` lets the bus pick a driver,
 * - `/sys/bus/<bus>/drivers_autoprobe` turns automatic binding off and on.
 *
 * Each function is what writing the file does: it returns the number of bytes
 * consumed, or the negative errno `write(2)` fails with. The attributes below are
 * those files; the bus and driver directories get them when registered.
 *
 * @example
 * ```ts
 * import { bind_store, driver_init, platform_device_register_simple, platform_driver_register, unbind_store, type platform_driver } from '@rfl/kernel';
 * # driver_init();
 * const foxes: platform_driver = { driver: { name: 'foxes' }, probe: () => 0 };
 * await platform_driver_register(foxes);
 * const pdev = await platform_device_register_simple('foxes', 0);
 * await unbind_store(foxes.driver, 'foxes.0\n') // => 8
 * await unbind_store(foxes.driver, 'foxes.0\n') // => -19
 * await bind_store(foxes.driver, 'foxes.0\n') // => 8
 * await bind_store(foxes.driver, 'foxes.0\n') // => -16
 * ```
 *
 * @module
 */

import { EINVAL, ENODEV } from '../errno.js';
import type { kobject } from '../lib/kobject.js';
import { kobject_uevent_env } from '../lib/kobject_uevent.js';
import {
  type bus_attribute,
  bus_find_device_by_name,
  bus_get_drivers_autoprobe,
  bus_set_drivers_autoprobe,
  bus_to_subsys,
  type bus_type,
} from './bus.js';
import {
  device_attach,
  device_driver_attach,
  device_driver_detach,
  driver_match_device,
} from './dd.js';
import { put_device } from './device.js';
import { type device_driver, type driver_attribute, driver_to_private } from './driver.js';

/**
 * Writing a device name to a driver's `bind` (`bind_store()`): binds it if it is on
 * the driver's bus and the bus matches them. -ENODEV when it is not or does not match,
 * -EBUSY when it has a driver, -EAGAIN when the probe deferred, or the probe's errno.
 */
export async function bind_store(drv: device_driver, buf: string): Promise<number> {
  if (!drv.bus) return -ENODEV;
  const dev = bus_find_device_by_name(drv.bus, null, buf);
  let err = -ENODEV;
  if (dev && driver_match_device(drv, dev)) {
    err = await device_driver_attach(drv, dev);
    if (!err) err = buf.length;
  }
  put_device(dev);
  return err;
}

/**
 * Writing a device name to a driver's `unbind` (`unbind_store()`): unbinds it when this
 * driver holds it, else -ENODEV.
 */
export async function unbind_store(drv: device_driver, buf: string): Promise<number> {
  if (!drv.bus) return -ENODEV;
  const dev = bus_find_device_by_name(drv.bus, null, buf);
  let err = -ENODEV;
  if (dev && dev.driver === drv) {
    await device_driver_detach(dev);
    err = buf.length;
  }
  put_device(dev);
  return err;
}

/**
 * Writing a device name to `/sys/bus/<bus>/drivers_probe` (`drivers_probe_store()`):
 * tries the bus's drivers on it if it has none; -ENODEV for an unknown device,
 * -EINVAL when attaching failed.
 */
export async function drivers_probe_store(bus: bus_type, buf: string): Promise<number> {
  const dev = bus_find_device_by_name(bus, null, buf);
  if (!dev) return -ENODEV;
  let ret = 0;
  if (!dev.driver) ret = await device_attach(dev);
  put_device(dev);
  return ret < 0 ? -EINVAL : buf.length;
}

/** Reading `/sys/bus/<bus>/drivers_autoprobe`: `1\n` or `0\n`. */
export function drivers_autoprobe_show(bus: bus_type): string {
  return `${bus_get_drivers_autoprobe(bus) ? 1 : 0}\n`;
}

/** Writing `/sys/bus/<bus>/drivers_autoprobe`: `0` turns it off, anything else on. */
export function drivers_autoprobe_store(bus: bus_type, buf: string): number {
  bus_set_drivers_autoprobe(bus, !buf.startsWith('0'));
  return buf.length;
}

const kobject_actions = ['add', 'remove', 'change', 'move', 'online', 'offline', 'bind', 'unbind'];

/**
 * Sends the uevent named by what was written to a `uevent` file, with `SYNTH_UUID=0`
 * (`kobject_synth_uevent()`, what `udevadm trigger` relies on); -EINVAL for an unknown
 * action.
 */
export function kobject_synth_uevent(kobj: kobject, buf: string): number {
  const action = kobject_actions.indexOf(buf.trim().split(/\s+/)[0] ?? '');
  if (action < 0) return -EINVAL;
  return kobject_uevent_env(kobj, action, ['SYNTH_UUID=0']);
}

/** `/sys/bus/<bus>/uevent` (write-only). */
export const bus_attr_uevent: bus_attribute = {
  name: 'uevent',
  mode: 0o200,
  store: (bus, buf) => {
    const sp = bus_to_subsys(bus);
    const rc = sp ? kobject_synth_uevent(sp.subsys.kobj, buf) : -EINVAL;
    return rc || buf.length;
  },
};

/** `/sys/bus/<bus>/drivers_probe` (write-only). */
export const bus_attr_drivers_probe: bus_attribute = {
  name: 'drivers_probe',
  mode: 0o200,
  store: drivers_probe_store,
};

/** `/sys/bus/<bus>/drivers_autoprobe`. */
export const bus_attr_drivers_autoprobe: bus_attribute = {
  name: 'drivers_autoprobe',
  mode: 0o644,
  show: drivers_autoprobe_show,
  store: drivers_autoprobe_store,
};

/** `/sys/bus/<bus>/drivers/<drv>/bind` (write-only). */
export const driver_attr_bind: driver_attribute = { name: 'bind', mode: 0o200, store: bind_store };

/** `/sys/bus/<bus>/drivers/<drv>/unbind` (write-only). */
export const driver_attr_unbind: driver_attribute = {
  name: 'unbind',
  mode: 0o200,
  store: unbind_store,
};

/** `/sys/bus/<bus>/drivers/<drv>/uevent` (write-only). */
export const driver_attr_uevent: driver_attribute = {
  name: 'uevent',
  mode: 0o200,
  store: (drv, buf) => {
    const priv = driver_to_private(drv);
    const rc = priv ? kobject_synth_uevent(priv.kobj, buf) : -EINVAL;
    return rc || buf.length;
  },
};
