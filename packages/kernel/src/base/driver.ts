/**
 * Device drivers (`struct device_driver`, drivers/base/driver.c and the driver half of
 * bus.c). Registering a driver probes every device of its bus that it matches and that
 * no driver holds yet; unregistering it unbinds every device it holds.
 *
 * @module
 */

import { EBUSY, EINVAL } from '../errno.js';
import { WARN } from '../panic.js';
import { pr_debug, pr_err, pr_warn } from '../printk.js';
import { bus_to_subsys, type bus_type } from './bus.js';
import { driver_attach, driver_detach } from './dd.js';
import type { device, maybe_async } from './device.js';

/** Power management callbacks (`struct dev_pm_ops`); the simulation never suspends yet. */
export interface dev_pm_ops {
  readonly suspend?: (dev: device) => maybe_async<number>;
  readonly resume?: (dev: device) => maybe_async<number>;
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
}

/**
 * The driver core's part of a driver (`struct driver_private`).
 *
 * # Invariants
 *
 * `devices` holds exactly the devices bound to the driver, in binding order.
 */
export interface driver_private {
  readonly driver: device_driver;
  readonly devices: device[];
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

/**
 * Registers a driver with its bus (`driver_register()`) and, when the bus autoprobes,
 * probes every unbound device it matches. Failed probes do not fail the registration.
 */
export async function driver_register(drv: device_driver): Promise<number> {
  const sp = bus_to_subsys(drv.bus);
  if (!sp) {
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
  pr_debug("bus: '%s': add driver %s\n", bus.name, drv.name);
  drivers.set(drv, { driver: drv, devices: [] });
  sp.drivers.push(drv);
  if (sp.drivers_autoprobe) await driver_attach(drv);
  return 0;
}

/** Unbinds the driver from every device and unregisters it (`driver_unregister()`). */
export async function driver_unregister(drv: device_driver): Promise<void> {
  const sp = bus_to_subsys(drv.bus);
  if (!drivers.has(drv) || !sp) {
    WARN(true, 'Unexpected driver unregister!\n');
    return;
  }
  sp.drivers.splice(sp.drivers.indexOf(drv), 1);
  pr_debug("bus: '%s': remove driver %s\n", sp.bus.name, drv.name);
  await driver_detach(drv);
  drivers.delete(drv);
}
