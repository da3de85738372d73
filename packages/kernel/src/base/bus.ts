/**
 * Bus types (drivers/base/bus.c): the platform, AMBA and virtio buses each keep the
 * list of their devices and of their drivers, decide which driver fits which device
 * (`match`) and may wrap the driver's callbacks (`probe`, `remove`).
 *
 * A bus is a plain object, as a `static const struct bus_type` is in C; its lists
 * live in the driver core's private part (`struct subsys_private`), created by
 * {@link bus_register} with its sysfs directory: `/sys/bus/<bus>/` holding
 * `devices/` (links to the devices' directories), `drivers/` (a directory per driver),
 * and the files `uevent`, `drivers_probe` and `drivers_autoprobe`.
 *
 * @module
 */

import { EEXIST, EINVAL, EIO } from '../errno.js';
import type { attribute } from '../fs/sysfs/file.js';
import { sysfs_create_file, sysfs_remove_file } from '../fs/sysfs/file.js';
import {
  type attribute_group,
  sysfs_create_groups,
  sysfs_remove_groups,
} from '../fs/sysfs/group.js';
import { sysfs_create_link, sysfs_remove_link } from '../fs/sysfs/symlink.js';
import {
  type kobj_type,
  type kobject,
  kobject_set_name,
  kset,
  kset_create_and_add,
  kset_register,
  kset_unregister,
} from '../lib/kobject.js';
import { bus_kset } from '../lib/kobject_roots.js';
import type { kobj_uevent_env } from '../lib/kobject_uevent.js';
import { pr_debug } from '../printk.js';
import { bus_attr_drivers_autoprobe, bus_attr_drivers_probe, bus_attr_uevent } from './bind.js';
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
  /** Attributes of the bus's directory (`bus_groups`). */
  readonly bus_groups?: readonly attribute_group[];
  /** Attributes every device of the bus gets (`dev_groups`: `modalias`, `driver_override`). */
  readonly dev_groups?: readonly attribute_group[];
  /** Attributes every driver of the bus gets (`drv_groups`). */
  readonly drv_groups?: readonly attribute_group[];
}

/** A file of `/sys/bus/<bus>/` (`struct bus_attribute`). */
export interface bus_attribute extends attribute {
  readonly show?: (bus: bus_type) => string | number;
  readonly store?: (bus: bus_type, buf: string) => number | Promise<number>;
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
  /** `/sys/bus/<bus>`. */
  readonly subsys: kset;
  /** `/sys/bus/<bus>/devices` and `/sys/bus/<bus>/drivers`. */
  devices_kset: kset | null;
  drivers_kset: kset | null;
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

/** The bus a `/sys/bus/<bus>` kobject stands for. */
function kobj_to_bus(kobj: kobject): bus_type {
  return (kobj.container as { bus: bus_type }).bus;
}

/** The kobject type of `/sys/bus/<bus>`: its files are {@link bus_attribute}s. */
const bus_ktype: kobj_type = {
  release: () => {},
  sysfs_ops: {
    show: (kobj, attr) => {
      const battr = attr as bus_attribute;
      return battr.show ? battr.show(kobj_to_bus(kobj)) : -EIO;
    },
    store: (kobj, attr, buf) => {
      const battr = attr as bus_attribute;
      return battr.store ? battr.store(kobj_to_bus(kobj), buf) : -EIO;
    },
  },
};

/** Whether `kobj` is a bus's directory: `/sys/bus` sends uevents for buses only (`bus_uevent_filter`). */
export function kobj_is_bus(kobj: kobject): boolean {
  return kobj.ktype === bus_ktype;
}

/**
 * Registers a bus (`bus_register()`): its directory, `devices/`, `drivers/` and files.
 * A second bus of the same name is -EEXIST, with sysfs's duplicate-name warning.
 */
export function bus_register(bus: bus_type): number {
  const subsys = new kset();
  const sp: subsys_private = {
    bus,
    subsys,
    devices_kset: null,
    drivers_kset: null,
    drivers_autoprobe: true,
    devices: [],
    drivers: [],
  };
  subsys.kobj.container = sp;
  kobject_set_name(subsys.kobj, '%s', bus.name);
  subsys.kobj.kset = bus_kset;
  subsys.kobj.ktype = bus_ktype;
  let retval = kset_register(subsys);
  if (retval) return retval;
  buses.set(bus.name, sp);
  retval = sysfs_create_file(subsys.kobj, bus_attr_uevent);
  sp.devices_kset = kset_create_and_add('devices', null, subsys.kobj);
  sp.drivers_kset = kset_create_and_add('drivers', null, subsys.kobj);
  if (!retval) retval = sysfs_create_file(subsys.kobj, bus_attr_drivers_probe);
  if (!retval) retval = sysfs_create_file(subsys.kobj, bus_attr_drivers_autoprobe);
  if (!retval && bus.bus_groups) retval = sysfs_create_groups(subsys.kobj, bus.bus_groups);
  if (retval || !sp.devices_kset || !sp.drivers_kset) {
    bus_unregister(bus);
    return retval || -EEXIST;
  }
  pr_debug("bus: '%s': registered\n", bus.name);
  return 0;
}

/** Unregisters a bus (`bus_unregister()`); its devices and drivers must be gone first. */
export function bus_unregister(bus: bus_type): void {
  const sp = bus_to_subsys(bus);
  if (!sp) return;
  pr_debug("bus: '%s': unregistering\n", bus.name);
  if (bus.bus_groups) sysfs_remove_groups(sp.subsys.kobj, bus.bus_groups);
  sysfs_remove_file(sp.subsys.kobj, bus_attr_drivers_autoprobe);
  sysfs_remove_file(sp.subsys.kobj, bus_attr_drivers_probe);
  sysfs_remove_file(sp.subsys.kobj, bus_attr_uevent);
  kset_unregister(sp.drivers_kset);
  kset_unregister(sp.devices_kset);
  kset_unregister(sp.subsys);
  buses.delete(bus.name);
}

/**
 * Adds a device to its bus (`bus_add_device()`): the bus's device attributes, the
 * link `/sys/bus/<bus>/devices/<dev>` and the device's `subsystem` link. A device
 * without a bus is fine.
 */
export function bus_add_device(dev: device): number {
  if (!dev.bus) return 0;
  const sp = bus_to_subsys(dev.bus);
  if (!sp?.devices_kset) return -EINVAL;
  pr_debug("bus: '%s': add device %s\n", dev.bus.name, dev_name(dev));
  let error = dev.bus.dev_groups ? sysfs_create_groups(dev.kobj, dev.bus.dev_groups) : 0;
  if (error) return error;
  error = sysfs_create_link(sp.devices_kset.kobj, dev.kobj, dev_name(dev));
  if (!error) {
    error = sysfs_create_link(dev.kobj, sp.subsys.kobj, 'subsystem');
    if (error) sysfs_remove_link(sp.devices_kset.kobj, dev_name(dev));
  }
  if (error) {
    if (dev.bus.dev_groups) sysfs_remove_groups(dev.kobj, dev.bus.dev_groups);
    return error;
  }
  sp.devices.push(dev);
  return 0;
}

/**
 * Takes a device off its bus: links, attributes and list (`bus_remove_device()`
 * before it releases the driver, which `device_del()` then does).
 */
export function bus_remove_device(dev: device): void {
  const sp = bus_to_subsys(dev.bus);
  if (!sp) return;
  sysfs_remove_link(dev.kobj, 'subsystem');
  if (sp.devices_kset) sysfs_remove_link(sp.devices_kset.kobj, dev_name(dev));
  if (sp.bus.dev_groups) sysfs_remove_groups(dev.kobj, sp.bus.dev_groups);
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
