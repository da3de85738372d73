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

import { class_device_uevent_ops } from '../drivers/char/class_device.js';
import { EINVAL } from '../errno.js';
import { kobject_add, kobject_del } from '../lib/kobject.js';
import { devices_kset } from '../lib/kobject_roots.js';
import {
  add_uevent_var,
  KOBJ_ADD,
  KOBJ_REMOVE,
  type kobj_uevent_env,
  kobject_uevent,
  type kset_uevent_ops,
} from '../lib/kobject_uevent.js';
import { dev_err, pr_debug } from '../printk.js';
import { kobject_synth_uevent } from './bind.js';
import { bus_add_device, bus_remove_device } from './bus.js';
import { bus_probe_device, device_release_driver, driver_deferred_probe_del } from './dd.js';
import {
  DEVICE_ATTR_RW,
  dev_name,
  dev_set_name,
  type device,
  device_create_file,
  device_initialize,
  device_lock,
  device_remove_file,
  device_unlock,
  get_device,
  kobj_is_device,
  kobj_to_dev,
  put_device,
} from './device.js';

/** Registered devices without a parent, in the order they were added. */
let roots: device[] = [];

/** Forgets every registered device; part of `driver_init()`. */
export function devices_reset(): void {
  roots = [];
}

/** The registered children of `parent` (null: the top of `/sys/devices`), in the order they were added. */
export function device_children(parent: device | null): device[] {
  return [...(parent ? parent.p.children : roots)];
}

/** The device's directory while it is registered (`/sys/devices/platform/9030000.pl061`). */
export function device_sysfs_path(dev: device): string {
  const names: string[] = [];
  for (let d: device | null = dev; d; d = d.parent) names.unshift(dev_name(d));
  return `/sys/devices/${names.join('/')}`;
}

/**
 * `/sys/devices/.../uevent`: reading shows the device's variables; writing an action
 * (`add`, `change` ...) sends that event again with `SYNTH_UUID=0`, as udev's
 * `trigger` does (`uevent_show()`/`uevent_store()`).
 */
const dev_attr_uevent = DEVICE_ATTR_RW(
  'uevent',
  (dev) =>
    dev_uevent(dev)
      .map((v) => `${v}\n`)
      .join(''),
  (dev, _attr, buf) => {
    const rc = kobject_synth_uevent(dev.kobj, buf);
    if (rc) {
      dev_err(dev, 'uevent: failed to send synthetic uevent: %d\n', rc);
      return rc;
    }
    return buf.length;
  },
);

function dev_uevent_env(dev: device, env: kobj_uevent_env): number {
  if (dev.devt) {
    add_uevent_var(env, 'MAJOR=%u', dev.devt >>> 20);
    add_uevent_var(env, 'MINOR=%u', dev.devt & 0xfffff);
    add_uevent_var(env, 'DEVNAME=%s', dev_name(dev).replaceAll('!', '/'));
  }
  if (dev.driver) add_uevent_var(env, 'DRIVER=%s', dev.driver.name);
  if (dev.bus?.uevent) {
    const ret = dev.bus.uevent(dev, env);
    if (ret) {
      pr_debug("device: '%s': %s: bus uevent() returned %d\n", dev_name(dev), 'dev_uevent', ret);
    }
  }
  return 0;
}

/**
 * The device's uevent variables (`dev_uevent()`): `MAJOR`/`MINOR`/`DEVNAME` for a
 * device node, `DRIVER` when bound, then the bus's (`MODALIAS=platform:foo`). Reading
 * the device's `uevent` file prints them one per line.
 */
export function dev_uevent(dev: device): string[] {
  const env: kobj_uevent_env = { envp: [], buflen: 0 };
  dev_uevent_env(dev, env);
  return env.envp;
}

/**
 * The uevent hooks of `/sys/devices` (`device_uevent_ops`): devices on a bus send
 * events with the bus as `SUBSYSTEM`; class devices (`device_create()`) are their
 * class's business.
 */
export const device_uevent_ops: kset_uevent_ops = {
  filter: (kobj) =>
    kobj_is_device(kobj)
      ? kobj_to_dev(kobj).bus !== null
      : Boolean(class_device_uevent_ops.filter?.(kobj)),
  name: (kobj) =>
    kobj_is_device(kobj)
      ? (kobj_to_dev(kobj).bus?.name ?? null)
      : (class_device_uevent_ops.name?.(kobj) ?? null),
  uevent: (kobj, env) =>
    kobj_is_device(kobj)
      ? dev_uevent_env(kobj_to_dev(kobj), env)
      : (class_device_uevent_ops.uevent?.(kobj, env) ?? 0),
};

/**
 * The part of `device_add()` that cannot sleep: name, sysfs directory, bus links and
 * the `add` uevent. Returns 0 or a negative errno, with every step undone.
 */
function device_add_sysfs(dev: device): number {
  if (dev.init_name) {
    dev_set_name(dev, '%s', dev.init_name);
    dev.init_name = undefined;
  }
  if (!dev_name(dev) && dev.bus?.dev_name) dev_set_name(dev, '%s%u', dev.bus.dev_name, dev.id);
  if (!dev_name(dev)) return -EINVAL;
  pr_debug("device: '%s': %s\n", dev_name(dev), 'device_add');
  const parent = get_device(dev.parent);
  dev.kobj.kset = devices_kset;
  let error = kobject_add(dev.kobj, parent ? parent.kobj : null, '%s', dev_name(dev));
  if (error) {
    put_device(parent);
    return error;
  }
  error = device_create_file(dev, dev_attr_uevent);
  if (!error) {
    error = bus_add_device(dev);
    if (error) device_remove_file(dev, dev_attr_uevent);
  }
  if (error) {
    kobject_uevent(dev.kobj, KOBJ_REMOVE);
    kobject_del(dev.kobj);
    put_device(parent);
    return error;
  }
  kobject_uevent(dev.kobj, KOBJ_ADD);
  (parent ? parent.p.children : roots).push(dev);
  return 0;
}

/**
 * Adds a bus-less device without probing (a `device_register()` that cannot sleep):
 * the boot-time roots such as `/sys/devices/platform`, registered by `driver_init()`.
 */
export function device_add_root(dev: device): number {
  return device_add_sysfs(dev);
}

/**
 * Registers an initialised device (`device_add()`): names it (from `init_name`, or
 * `bus.dev_name` and `id`), creates its directory under its parent's, links it into its
 * bus, sends the `add` uevent and probes the bus's drivers for it. Returns 0 or a
 * negative errno (a name taken in the directory is -EEXIST with sysfs's warning); on
 * error the caller still owns its reference and drops it with `put_device()`.
 */
export async function device_add(dev: device): Promise<number> {
  get_device(dev);
  const error = device_add_sysfs(dev);
  if (!error) await bus_probe_device(dev);
  put_device(dev);
  return error;
}

/** Initialises and adds a device (`device_register()`). */
export function device_register(dev: device): Promise<number> {
  device_initialize(dev);
  return device_add(dev);
}

/**
 * Deletes a device (`device_del()`): no driver can bind to it any more, its driver is
 * unbound, it leaves its bus, the `remove` uevent goes out and its directory goes. The
 * reference `device_add()` took on the parent is dropped; the caller's own reference
 * is not.
 */
export async function device_del(dev: device): Promise<void> {
  await device_lock(dev);
  dev.p.dead = true;
  device_unlock(dev);
  const parent = dev.parent;
  const siblings = parent ? parent.p.children : roots;
  const i = siblings.indexOf(dev);
  if (i >= 0) siblings.splice(i, 1);
  device_remove_file(dev, dev_attr_uevent);
  bus_remove_device(dev);
  await device_release_driver(dev);
  driver_deferred_probe_del(dev);
  kobject_uevent(dev.kobj, KOBJ_REMOVE);
  kobject_del(dev.kobj);
  put_device(parent);
}

/** Deletes a device and drops the reference `device_register()` gave (`device_unregister()`). */
export async function device_unregister(dev: device): Promise<void> {
  pr_debug("device: '%s': %s\n", dev_name(dev), 'device_unregister');
  await device_del(dev);
  put_device(dev);
}
