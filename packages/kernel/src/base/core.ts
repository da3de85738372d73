/**
 * Adding and deleting devices (drivers/base/core.c).
 *
 * {@link device_add} names the device, puts it under its parent in `/sys/devices`,
 * on its bus's list, and probes the bus's drivers for it. {@link device_del} undoes
 * that: the device is marked dead so no driver can bind any more, its driver is
 * unbound (its `remove()` runs and its devres are released) — even while others still
 * hold references to the device, which stays valid until the last `put_device()`.
 *
 * @module
 */

import { EEXIST, EINVAL } from '../errno.js';
import { add_uevent_var, type kobj_uevent_env } from '../lib/kobject_uevent.js';
import { dump_stack } from '../panic.js';
import { pr_debug, pr_err } from '../printk.js';
import { stack_capture } from '../stacktrace.js';
import { bus_add_device, bus_unlink_device } from './bus.js';
import { bus_probe_device, device_release_driver, driver_deferred_probe_del } from './dd.js';
import {
  dev_name,
  dev_set_name,
  type device,
  device_initialize,
  device_lock,
  device_unlock,
  get_device,
  put_device,
} from './device.js';

/** Registered devices without a parent: the top of `/sys/devices`. */
let roots: device[] = [];

/** Forgets every registered device; part of `driver_init()`. */
export function devices_reset(): void {
  roots = [];
}

/**
 * Adds a bus-less device at the top of `/sys/devices` without probing: the boot-time
 * roots such as `platform`, which `driver_init()` registers before any bus exists.
 */
export function device_add_root(dev: device): void {
  dev.p.registered = true;
  roots.push(dev);
}

/** The registered children of `parent` (null: the top of `/sys/devices`), in the order they were added. */
export function device_children(parent: device | null): device[] {
  return [...(parent ? parent.p.children : roots)];
}

/** The device's directory (`/sys/devices/platform/9030000.pl061`), from its ancestors' names. */
export function device_sysfs_path(dev: device): string {
  const names: string[] = [];
  for (let d: device | null = dev; d; d = d.parent) names.unshift(dev_name(d));
  return `/sys/devices/${names.join('/')}`;
}

/** Prints the kernel's complaint about a name already taken in a directory (`sysfs_warn_dup()`). */
function sysfs_warn_dup(path: string, name: string): void {
  pr_err("sysfs: cannot create duplicate filename '%s'\n", path);
  dump_stack(stack_capture(sysfs_warn_dup));
  pr_err(
    "kobject: kobject_add_internal failed for %s with -EEXIST, don't try to register things with the same name in the same directory.\n",
    name,
  );
}

/**
 * Registers an initialised device (`device_add()`): names it (from `init_name`, or
 * `bus.dev_name` and `id`), links it under its parent and on its bus, and probes the
 * bus's drivers for it. Returns 0 or a negative errno; on error the caller still owns
 * its reference and drops it with `put_device()`.
 */
export async function device_add(dev: device): Promise<number> {
  get_device(dev);
  if (dev.init_name) {
    dev_set_name(dev, '%s', dev.init_name);
    dev.init_name = undefined;
  }
  if (!dev_name(dev) && dev.bus?.dev_name) dev_set_name(dev, '%s%u', dev.bus.dev_name, dev.id);
  if (!dev_name(dev)) {
    put_device(dev);
    return -EINVAL;
  }
  pr_debug("device: '%s': %s\n", dev_name(dev), 'device_add');
  const parent = get_device(dev.parent);
  const siblings = parent ? parent.p.children : roots;
  if (siblings.some((s) => dev_name(s) === dev_name(dev))) {
    sysfs_warn_dup(device_sysfs_path(dev).slice('/sys'.length), dev_name(dev));
    put_device(parent);
    put_device(dev);
    return -EEXIST;
  }
  const err = bus_add_device(dev);
  if (err) {
    put_device(parent);
    put_device(dev);
    return err;
  }
  dev.p.registered = true;
  siblings.push(dev);
  await bus_probe_device(dev);
  put_device(dev);
  return 0;
}

/** Initialises and adds a device (`device_register()`). */
export function device_register(dev: device): Promise<number> {
  device_initialize(dev);
  return device_add(dev);
}

/**
 * Deletes a device (`device_del()`): no driver can bind to it any more, its driver is
 * unbound, it leaves its bus and `/sys/devices`. The reference `device_add()` took on
 * the parent is dropped; the caller's own reference is not.
 */
export async function device_del(dev: device): Promise<void> {
  await device_lock(dev);
  dev.p.dead = true;
  device_unlock(dev);
  const parent = dev.parent;
  const siblings = parent ? parent.p.children : roots;
  const i = siblings.indexOf(dev);
  if (i >= 0) siblings.splice(i, 1);
  bus_unlink_device(dev);
  await device_release_driver(dev);
  driver_deferred_probe_del(dev);
  dev.p.registered = false;
  put_device(parent);
}

/** Deletes a device and drops the reference `device_register()` gave (`device_unregister()`). */
export async function device_unregister(dev: device): Promise<void> {
  pr_debug("device: '%s': %s\n", dev_name(dev), 'device_unregister');
  await device_del(dev);
  put_device(dev);
}

/**
 * The device's uevent variables (`dev_uevent()`): `MAJOR`/`MINOR` for a device node,
 * `DRIVER` when bound, then the bus's (`MODALIAS=platform:foo`). Reading the device's
 * `uevent` file prints them one per line.
 */
export function dev_uevent(dev: device): string[] {
  const env: kobj_uevent_env = { envp: [], buflen: 0 };
  if (dev.devt) {
    add_uevent_var(env, 'MAJOR=%u', dev.devt >>> 20);
    add_uevent_var(env, 'MINOR=%u', dev.devt & 0xfffff);
  }
  if (dev.driver) add_uevent_var(env, 'DRIVER=%s', dev.driver.name);
  if (dev.bus?.uevent) {
    const ret = dev.bus.uevent(dev, env);
    if (ret)
      pr_debug("device: '%s': %s: bus uevent() returned %d\n", dev_name(dev), 'dev_uevent', ret);
  }
  return env.envp;
}
