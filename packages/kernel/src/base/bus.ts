/**
 * Bus types (drivers/base/bus.c): the platform, AMBA and virtio buses each keep the
 * list of their devices and of their drivers, decide which driver fits which device
 * (`match`) and may wrap the driver's callbacks (`probe`, `remove`).
 *
 * A bus is a plain object, as a `static const struct bus_type` is in C; its lists
 * live in the driver core's private part (`struct subsys_private`), created by
 * {@link bus_register}.
 *
 * @module
 */

import { EEXIST, EINVAL } from '../errno.js';
import type { kobj_uevent_env } from '../lib/kobject_uevent.js';
import { pr_debug, pr_err } from '../printk.js';
import { dev_name, type device, get_device, type maybe_async, put_device } from './device.js';
import type { device_driver } from './driver.js';

/** A bus type (`struct bus_type`). */
export interface bus_type {
  readonly name: string;
  /** The prefix of `"<dev_name><id>"` for devices added without a name. */
  readonly dev_name?: string;
  /**
   * Whether `drv` can drive `dev`: positive for a match, 0 for none, a negative errno
   * when matching failed (`-EPROBE_DEFER` puts the device on the deferred list).
   */
  readonly match?: (dev: device, drv: device_driver) => number;
  /** Adds the bus's variables to a device's uevent (`MODALIAS=...`). */
  readonly uevent?: (dev: device, env: kobj_uevent_env) => number;
  /** Probes `dev` with `dev.driver`, calling the bus-specific driver's probe. */
  readonly probe?: (dev: device) => maybe_async<number>;
  /** Calls the bus-specific driver's remove. */
  readonly remove?: (dev: device) => maybe_async<void>;
  readonly shutdown?: (dev: device) => void;
}

/**
 * The driver core's part of a bus (`struct subsys_private`).
 *
 * # Invariants
 *
 * `devices` holds the bus's registered devices in the order they were added and
 * `drivers` its registered drivers, in the same order.
 */
export interface subsys_private {
  readonly bus: bus_type;
  /** `/sys/bus/<bus>/drivers_autoprobe`: bind drivers to new devices and devices to new drivers. */
  drivers_autoprobe: boolean;
  readonly devices: device[];
  readonly drivers: device_driver[];
}

const buses = new Map<string, subsys_private>();

/** Forgets every bus; part of `driver_init()`. */
export function buses_reset(): void {
  buses.clear();
}

/** The private part of a registered bus (`bus_to_subsys()`), undefined when it is not registered. */
export function bus_to_subsys(bus: bus_type | null | undefined): subsys_private | undefined {
  if (!bus) return undefined;
  const sp = buses.get(bus.name);
  return sp?.bus === bus ? sp : undefined;
}

/** The registered buses, in registration order (`/sys/bus`). */
export function bus_list(): bus_type[] {
  return [...buses.values()].map((sp) => sp.bus);
}

/** Finds a registered bus by name (`bus_find_by_name`). */
export function bus_find_by_name(name: string): bus_type | undefined {
  return buses.get(name)?.bus;
}

/** Registers a bus (`bus_register()`); -EEXIST when a bus of that name exists. */
export function bus_register(bus: bus_type): number {
  if (!bus.name) return -EINVAL;
  if (buses.has(bus.name)) {
    pr_err("sysfs: cannot create duplicate filename '/bus/%s'\n", bus.name);
    return -EEXIST;
  }
  buses.set(bus.name, { bus, drivers_autoprobe: true, devices: [], drivers: [] });
  pr_debug("bus: '%s': registered\n", bus.name);
  return 0;
}

/** Unregisters a bus (`bus_unregister()`); its devices and drivers must be gone first. */
export function bus_unregister(bus: bus_type): void {
  if (!bus_to_subsys(bus)) return;
  pr_debug("bus: '%s': unregistering\n", bus.name);
  buses.delete(bus.name);
}

/** Adds a device to its bus's list (`bus_add_device()`); a device without a bus is fine. */
export function bus_add_device(dev: device): number {
  if (!dev.bus) return 0;
  const sp = bus_to_subsys(dev.bus);
  if (!sp) return -EINVAL;
  pr_debug("bus: '%s': add device %s\n", dev.bus.name, dev_name(dev));
  sp.devices.push(dev);
  return 0;
}

/** Takes a device off its bus's list (the list part of `bus_remove_device()`). */
export function bus_unlink_device(dev: device): void {
  const sp = bus_to_subsys(dev.bus);
  if (!sp) return;
  const i = sp.devices.indexOf(dev);
  if (i >= 0) sp.devices.splice(i, 1);
  pr_debug("bus: '%s': remove device %s\n", sp.bus.name, dev_name(dev));
}

/**
 * Calls `fn` for each device of the bus, from the one after `start` (`bus_for_each_dev()`),
 * stopping at the first nonzero return, which it returns. Devices added or removed while
 * it runs are seen or skipped as the kernel's klist walk would.
 */
export async function bus_for_each_dev(
  bus: bus_type,
  start: device | null,
  fn: (dev: device) => maybe_async<number>,
): Promise<number> {
  const sp = bus_to_subsys(bus);
  if (!sp) return -EINVAL;
  let i = start ? sp.devices.indexOf(start) + 1 : 0;
  for (;;) {
    const dev = sp.devices[i];
    if (!dev) return 0;
    get_device(dev);
    const ret = await fn(dev);
    put_device(dev);
    if (ret) return ret;
    const now = sp.devices.indexOf(dev);
    i = now >= 0 ? now + 1 : i;
  }
}

/** Calls `fn` for each driver of the bus until one returns nonzero (`bus_for_each_drv()`). */
export async function bus_for_each_drv(
  bus: bus_type,
  fn: (drv: device_driver) => maybe_async<number>,
): Promise<number> {
  const sp = bus_to_subsys(bus);
  if (!sp) return -EINVAL;
  for (const drv of [...sp.drivers]) {
    if (!sp.drivers.includes(drv)) continue;
    const ret = await fn(drv);
    if (ret) return ret;
  }
  return 0;
}

/** `sysfs_streq()`: equal, ignoring one trailing newline on either side. */
export function sysfs_streq(a: string, b: string): boolean {
  return a.replace(/\n$/, '') === b.replace(/\n$/, '');
}

/**
 * The first device of the bus after `start` that `match` accepts, with a reference the
 * caller drops with `put_device()` (`bus_find_device()`); null when none.
 */
export function bus_find_device(
  bus: bus_type,
  start: device | null,
  match: (dev: device) => boolean,
): device | null {
  const sp = bus_to_subsys(bus);
  if (!sp) return null;
  const from = start ? sp.devices.indexOf(start) + 1 : 0;
  for (const dev of sp.devices.slice(from)) {
    if (match(dev)) return get_device(dev);
  }
  return null;
}

/** {@link bus_find_device} by name, as sysfs compares names (`bus_find_device_by_name()`). */
export function bus_find_device_by_name(
  bus: bus_type,
  start: device | null,
  name: string,
): device | null {
  return bus_find_device(bus, start, (dev) => sysfs_streq(dev_name(dev), name));
}

/** The bus's devices, in the order they were added (`/sys/bus/<bus>/devices`). */
export function bus_devices(bus: bus_type): device[] {
  return [...(bus_to_subsys(bus)?.devices ?? [])];
}

/** The bus's drivers, in registration order (`/sys/bus/<bus>/drivers`). */
export function bus_drivers(bus: bus_type): device_driver[] {
  return [...(bus_to_subsys(bus)?.drivers ?? [])];
}

/** Reads `/sys/bus/<bus>/drivers_autoprobe`. */
export function bus_get_drivers_autoprobe(bus: bus_type): boolean {
  return bus_to_subsys(bus)?.drivers_autoprobe ?? false;
}

/** Writes `/sys/bus/<bus>/drivers_autoprobe`. */
export function bus_set_drivers_autoprobe(bus: bus_type, on: boolean): void {
  const sp = bus_to_subsys(bus);
  if (sp) sp.drivers_autoprobe = on;
}
