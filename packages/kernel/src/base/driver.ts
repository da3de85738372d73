/**
 * Device drivers (`struct device_driver`, drivers/base/driver.c and the driver half of
 * bus.c). Registering a driver probes every device of its bus that it matches and that
 * no driver holds yet; unregistering it unbinds every device it holds.
 *
 * A registered driver has a directory `/sys/bus/<bus>/drivers/<drv>/` with the files
 * `bind`, `unbind` (unless `suppress_bind_attrs`) and `uevent`, and a link named after
 * each device it is bound to.
 *
 * @module
 */

import { EBUSY, EINVAL, EIO } from '../errno.js';
import type { attribute } from '../fs/sysfs/file.js';
import { sysfs_create_file, sysfs_remove_file } from '../fs/sysfs/file.js';
import {
  type attribute_group,
  sysfs_create_groups,
  sysfs_remove_groups,
} from '../fs/sysfs/group.js';
import { type kobj_type, kobject, kobject_init_and_add, kobject_put } from '../lib/kobject.js';
import { KOBJ_ADD, kobject_uevent } from '../lib/kobject_uevent.js';
import { WARN } from '../panic.js';
import { pr_debug, pr_err, pr_warn } from '../printk.js';
import { driver_attr_bind, driver_attr_uevent, driver_attr_unbind } from './bind.js';
import { bus_to_subsys, type bus_type } from './bus.js';
import { driver_attach, driver_detach } from './dd.js';
import type { device, maybe_async } from './device.js';

/**
 * Power management callbacks (`struct dev_pm_ops`), run by system sleep
 * (base/power.ts): each returns 0 or a negative errno.
 */
export interface dev_pm_ops {
  readonly prepare?: (dev: device) => maybe_async<number>;
  readonly complete?: (dev: device) => maybe_async<void>;
  readonly suspend?: (dev: device) => maybe_async<number>;
  readonly resume?: (dev: device) => maybe_async<number>;
  readonly freeze?: (dev: device) => maybe_async<number>;
  readonly thaw?: (dev: device) => maybe_async<number>;
  readonly poweroff?: (dev: device) => maybe_async<number>;
  readonly restore?: (dev: device) => maybe_async<number>;
  readonly suspend_late?: (dev: device) => maybe_async<number>;
  readonly resume_early?: (dev: device) => maybe_async<number>;
  readonly freeze_late?: (dev: device) => maybe_async<number>;
  readonly thaw_early?: (dev: device) => maybe_async<number>;
  readonly poweroff_late?: (dev: device) => maybe_async<number>;
  readonly restore_early?: (dev: device) => maybe_async<number>;
  readonly suspend_noirq?: (dev: device) => maybe_async<number>;
  readonly resume_noirq?: (dev: device) => maybe_async<number>;
  readonly freeze_noirq?: (dev: device) => maybe_async<number>;
  readonly thaw_noirq?: (dev: device) => maybe_async<number>;
  readonly poweroff_noirq?: (dev: device) => maybe_async<number>;
  readonly restore_noirq?: (dev: device) => maybe_async<number>;
}

/** How a driver wants to be probed (`enum probe_type`); every probe here is synchronous. */
export const PROBE_DEFAULT_STRATEGY = 0;
export const PROBE_PREFER_ASYNCHRONOUS = 1;
export const PROBE_FORCE_SYNCHRONOUS = 2;

/**
 * A driver (`struct device_driver`). Drivers of a real bus leave `probe`/`remove` to
 * the bus-specific driver (`platform_driver.probe` ...); the bus's callbacks call those.
 */
export interface device_driver {
  readonly name: string;
  bus?: bus_type;
  /** The module that provides the driver (`THIS_MODULE`), for module reference counts. */
  owner?: unknown;
  /** No `bind`/`unbind` files in sysfs (`suppress_bind_attrs`). */
  readonly suppress_bind_attrs?: boolean;
  readonly probe_type?: number;
  /** Binds to `dev`: 0, or a negative errno (`-EPROBE_DEFER` to be retried later). */
  probe?: (dev: device) => maybe_async<number>;
  remove?: (dev: device) => maybe_async<void>;
  shutdown?: (dev: device) => void;
  readonly pm?: dev_pm_ops;
  /** Attributes of the driver's directory (`groups`). */
  readonly groups?: readonly attribute_group[];
}

/** A file of `/sys/bus/<bus>/drivers/<drv>/` (`struct driver_attribute`). */
export interface driver_attribute extends attribute {
  readonly show?: (drv: device_driver) => string | number;
  readonly store?: (drv: device_driver, buf: string) => number | Promise<number>;
}

/**
 * The driver core's part of a driver (`struct driver_private`).
 *
 * # Invariants
 *
 * `devices` holds exactly the devices bound to the driver, in binding order; `kobj` is
 * the driver's directory while it is registered.
 */
export interface driver_private {
  readonly driver: device_driver;
  readonly devices: device[];
  readonly kobj: kobject;
}

const drivers = new Map<device_driver, driver_private>();

/** Forgets every driver; part of `driver_init()`. */
export function drivers_reset(): void {
  drivers.clear();
}

/** The private part of a registered driver, undefined when it is not registered. */
export function driver_to_private(drv: device_driver): driver_private | undefined {
  return drivers.get(drv);
}

/** The devices bound to a driver, in binding order (the symlinks in its sysfs directory). */
export function driver_devices(drv: device_driver): device[] {
  return [...(drivers.get(drv)?.devices ?? [])];
}

/** Finds a registered driver of `bus` by name (`driver_find()`). */
export function driver_find(name: string, bus: bus_type): device_driver | undefined {
  return bus_to_subsys(bus)?.drivers.find((d) => d.name === name);
}

function kobj_to_driver(kobj: kobject): device_driver {
  return (kobj.container as driver_private).driver;
}

/** The kobject type of a driver's directory: its files are {@link driver_attribute}s. */
const driver_ktype: kobj_type = {
  release: () => {},
  sysfs_ops: {
    show: (kobj, attr) => {
      const dattr = attr as driver_attribute;
      return dattr.show ? dattr.show(kobj_to_driver(kobj)) : -EIO;
    },
    store: (kobj, attr, buf) => {
      const dattr = attr as driver_attribute;
      return dattr.store ? dattr.store(kobj_to_driver(kobj), buf) : -EIO;
    },
  },
};

function driver_files(drv: device_driver): attribute[] {
  return drv.suppress_bind_attrs
    ? [driver_attr_uevent]
    : [driver_attr_uevent, driver_attr_bind, driver_attr_unbind];
}

/**
 * Registers a driver with its bus (`driver_register()`): its directory under
 * `/sys/bus/<bus>/drivers/`, then, when the bus autoprobes, a probe of every unbound
 * device it matches, then its files and the `add` uevent. Failed probes do not fail
 * the registration.
 */
export async function driver_register(drv: device_driver): Promise<number> {
  const sp = bus_to_subsys(drv.bus);
  if (!sp?.drivers_kset) {
    pr_err(
      "Driver '%s' was unable to register with bus_type '%s' because the bus was not initialized.\n",
      drv.name,
      drv.bus?.name ?? '(null)',
    );
    return -EINVAL;
  }
  const bus = sp.bus;
  if ((bus.probe && drv.probe) || (bus.remove && drv.remove) || (bus.shutdown && drv.shutdown)) {
    pr_warn("Driver '%s' needs updating - please use bus_type methods\n", drv.name);
  }
  if (driver_find(drv.name, bus)) {
    pr_err("Error: Driver '%s' is already registered, aborting...\n", drv.name);
    return -EBUSY;
  }
  const priv: driver_private = { driver: drv, devices: [], kobj: new kobject() };
  priv.kobj.container = priv;
  priv.kobj.kset = sp.drivers_kset;
  const error = kobject_init_and_add(priv.kobj, driver_ktype, null, '%s', drv.name);
  if (error) {
    kobject_put(priv.kobj);
    return error;
  }
  pr_debug("bus: '%s': add driver %s\n", bus.name, drv.name);
  drivers.set(drv, priv);
  sp.drivers.push(drv);
  if (sp.drivers_autoprobe) await driver_attach(drv);
  for (const attr of driver_files(drv)) sysfs_create_file(priv.kobj, attr);
  if (bus.drv_groups) sysfs_create_groups(priv.kobj, bus.drv_groups);
  if (drv.groups) sysfs_create_groups(priv.kobj, drv.groups);
  kobject_uevent(priv.kobj, KOBJ_ADD);
  return 0;
}

/** Unbinds the driver from every device and unregisters it (`driver_unregister()`). */
export async function driver_unregister(drv: device_driver): Promise<void> {
  const sp = bus_to_subsys(drv.bus);
  const priv = drivers.get(drv);
  if (!priv || !sp) {
    WARN(true, 'Unexpected driver unregister!\n');
    return;
  }
  if (drv.groups) sysfs_remove_groups(priv.kobj, drv.groups);
  if (sp.bus.drv_groups) sysfs_remove_groups(priv.kobj, sp.bus.drv_groups);
  for (const attr of driver_files(drv)) sysfs_remove_file(priv.kobj, attr);
  sp.drivers.splice(sp.drivers.indexOf(drv), 1);
  pr_debug("bus: '%s': remove driver %s\n", sp.bus.name, drv.name);
  await driver_detach(drv);
  drivers.delete(drv);
  kobject_put(priv.kobj);
}
