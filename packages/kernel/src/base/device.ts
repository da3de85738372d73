/**
 * `struct device` and its reference count (include/linux/device.h, drivers/base/core.c).
 *
 * A device is reference counted: {@link device_initialize} gives it one reference,
 * {@link get_device}/{@link put_device} take and drop more, and the last
 * `put_device()` calls its `release` callback. Registering a device
 * (`device_add`, in `core.ts`) makes it visible to its bus and probes drivers for
 * it; deleting it unbinds its driver, but the structure stays valid for everyone
 * who still holds a reference — an open file of a char device its driver created,
 * for example — until the last reference goes.
 *
 * The count is the embedded kobject's kref, a `refcount_t`, so a `get_device()`
 * after the last put reports `refcount_t: addition on 0; use-after-free.` as in the
 * kernel. Once added, the kobject is the device's directory in `/sys/devices`.
 *
 * Device attributes (`DEVICE_ATTR_RO` ...) are sysfs files of that directory whose
 * show/store get the device.
 *
 * @example
 * ```ts
 * import { dev_name, dev_set_name, device, device_initialize, get_device, put_device } from '@rfl/kernel';
 * const released: string[] = [];
 * const dev = new device();
 * device_initialize(dev);
 * dev.release = (d) => released.push(dev_name(d));
 * dev_set_name(dev, 'fox%d', 0);
 * get_device(dev);
 * put_device(dev);
 * released // => []
 * put_device(dev);
 * released // => ['fox0']
 * ```
 *
 * @module
 */

import { EIO } from '../errno.js';
import { type attribute, sysfs_create_file, sysfs_remove_file } from '../fs/sysfs/file.js';
import {
  type kobj_type,
  kobject,
  kobject_get,
  kobject_init,
  kobject_name,
  kobject_put,
  kobject_refcount,
  kobject_set_name,
} from '../lib/kobject.js';
import { devices_kset } from '../lib/kobject_roots.js';
import { lock_class_key } from '../locking/lockdep-types.js';
import { mutex, mutex_init, mutex_lock, mutex_unlock } from '../locking/mutex.js';
import { WARN } from '../panic.js';
import type { bus_type } from './bus.js';
import type { devres_node } from './devres.js';
import type { device_driver } from './driver.js';

/** What a bus or driver callback may return: an errno, now or after sleeping. */
export type maybe_async<T> = T | Promise<T>;

/**
 * The driver core's private part of a device (`struct device_private`).
 *
 * # Invariants
 *
 * `children` holds the registered devices whose parent this is; `deferred` is true
 * exactly while the device is on one of the deferred-probe lists.
 */
export class device_private {
  /** `kill_device()` ran: no driver may bind any more (`dead`). */
  dead = false;
  /** `driver_bound()` ran and the driver has not been released (`knode_driver` linked). */
  bound = false;
  /** On the deferred probe pending or active list. */
  deferred = false;
  /** Why the last probe deferred, from `dev_err_probe()`; shown in `devices_deferred`. */
  deferred_probe_reason: string | undefined;
  readonly children: device[] = [];
}

/**
 * A device (`struct device`). Bus-specific devices (`platform_device`, `amba_device`,
 * `virtio_device`) embed one as `dev` and point back at themselves from `container`.
 *
 * There is no `of_node`: the simulated machine describes its devices in code.
 */
export class device {
  /** A name to use until the first `device_add()` (`init_name`). */
  init_name: string | undefined;
  /** Its name, reference count and `/sys/devices` directory. */
  readonly kobj = new kobject();
  parent: device | null = null;
  bus: bus_type | null = null;
  /** The bound driver; set while probing and while bound. */
  driver: device_driver | null = null;
  /** The driver's per-device state: {@link dev_get_drvdata}/{@link dev_set_drvdata}. */
  driver_data: unknown = undefined;
  /** Board data the device's creator hands to its driver (`platform_data`). */
  platform_data: unknown = undefined;
  /** Called by the last `put_device()`; a device without one is a bug the kernel warns about. */
  release: ((dev: device) => void) | undefined;
  /** The instance number `device_add()` uses with `bus.dev_name` (`id`). */
  id = 0;
  /** `MKDEV(major, minor)` of the device node, 0 for none. */
  devt = 0;
  /** Managed resources, oldest first (`devres_head`); released in reverse order. */
  devres_head: devres_node[] = [];
  /** The addresses the device can DMA to (`*dma_mask`), undefined when it does no DMA. */
  dma_mask: bigint | undefined;
  /** The addresses coherent allocations for it may use. */
  coherent_dma_mask = 0n;
  /** A bus or driver matched this device at least once (`can_match`). */
  can_match = false;
  /** The bus-specific structure that embeds this device (`container_of`). */
  container: unknown = undefined;
  /** Serialises probe, remove and unbind (`device_lock`). */
  readonly mutex = new mutex();
  p = new device_private();
  /** The last `put_device()` ran. */
  released = false;

  constructor() {
    this.kobj.container = this;
  }

  /** `dev_name()`, so that a device is a `dev_printk` target. */
  get name(): string {
    return dev_name(this);
  }

  /** `dev_driver_string()`: the driver's name, else the bus's, else empty. */
  get driver_string(): string {
    return this.driver?.name ?? this.bus?.name ?? '';
  }
}

/** The device's name (`dev_name()`): `init_name` until `device_add()`, then its kobject's. */
export function dev_name(dev: device): string {
  return dev.init_name || kobject_name(dev.kobj);
}

/** Sets the device's name from a printf format (`dev_set_name()`); returns 0. */
export function dev_set_name(dev: device, fmt: string, ...args: unknown[]): number {
  return kobject_set_name(dev.kobj, fmt, ...args);
}

/** The device that embeds `kobj` (`kobj_to_dev()`). */
export function kobj_to_dev(kobj: kobject): device {
  return kobj.container as device;
}

/** The driver's per-device data (`dev_get_drvdata()`). */
export function dev_get_drvdata<T = unknown>(dev: device): T {
  return dev.driver_data as T;
}

/** Stores the driver's per-device data (`dev_set_drvdata()`). */
export function dev_set_drvdata(dev: device, data: unknown): void {
  dev.driver_data = data;
}

/**
 * Prepares a device for use (`device_initialize()`): one reference, an empty devres
 * list, its lock. A device must be initialised before anything else is done with it,
 * and after this it must be freed with {@link put_device}, never directly.
 */
export function device_initialize(dev: device): void {
  dev.kobj.kset = devices_kset;
  kobject_init(dev.kobj, device_ktype);
  dev.devres_head = [];
  dev.p = new device_private();
  dev.released = false;
  dev.can_match = false;
  // Every device lock is its own lockdep class: the kernel puts them all in the
  // no-validate class, because a probe legitimately takes a child's lock under its
  // parent's; one class per instance is exact for that nesting instead of blind.
  mutex_init(dev.mutex, '&dev->mutex', new lock_class_key('&dev->mutex'));
}

/** Takes a reference (`get_device()`); returns the device, or null for null. */
export function get_device<T extends device | null>(dev: T): T {
  if (dev) kobject_get(dev.kobj);
  return dev;
}

/** The driver core's part of the release, set by devres (which core.ts cannot import first). */
let release_hook: (dev: device) => void = () => {};

/** Lets devres free what a device still holds when it is released. */
export function set_device_release_hook(hook: (dev: device) => void): void {
  release_hook = hook;
}

/**
 * The last reference is gone (`device_release()`): free what devres still holds and
 * call the release callback, warning when there is none as the kernel does.
 */
function device_release(kobj: kobject): void {
  const dev = kobj_to_dev(kobj);
  dev.released = true;
  release_hook(dev);
  if (dev.release) {
    dev.release(dev);
  } else {
    WARN(
      true,
      "Device '%s' does not have a release() function, it is broken and must be fixed. See Documentation/core-api/kobject.rst.\n",
      dev_name(dev),
    );
  }
}

/** Drops a reference (`put_device()`); the last one releases the device. */
export function put_device(dev: device | null | undefined): void {
  if (dev) kobject_put(dev.kobj);
}

/** The number of references held (`kref_read(&dev->kobj.kref)`). */
export function device_refcount(dev: device): number {
  return kobject_refcount(dev.kobj);
}

/** `device_is_registered()`: added and not yet deleted (`kobj.state_in_sysfs`). */
export function device_is_registered(dev: device): boolean {
  return dev.kobj.state_in_sysfs;
}

/** A sysfs file of a device (`struct device_attribute`). */
export interface device_attribute extends attribute {
  readonly show?: (dev: device, attr: device_attribute) => string | number;
  /** Returns the bytes consumed or a negative errno; a store that sleeps returns a promise. */
  readonly store?: (dev: device, attr: device_attribute, buf: string) => number | Promise<number>;
}

type dev_show = NonNullable<device_attribute['show']>;
type dev_store = NonNullable<device_attribute['store']>;

/** `DEVICE_ATTR_RO(name)`: mode 0444. */
export function DEVICE_ATTR_RO(name: string, show: dev_show): device_attribute {
  return { name, mode: 0o444, show };
}

/** `DEVICE_ATTR_WO(name)`: mode 0200. */
export function DEVICE_ATTR_WO(name: string, store: dev_store): device_attribute {
  return { name, mode: 0o200, store };
}

/** `DEVICE_ATTR_RW(name)`: mode 0644. */
export function DEVICE_ATTR_RW(name: string, show: dev_show, store: dev_store): device_attribute {
  return { name, mode: 0o644, show, store };
}

/** Creates the attribute's file in the device's directory (`device_create_file()`). */
export function device_create_file(dev: device, attr: device_attribute): number {
  return sysfs_create_file(dev.kobj, attr);
}

/** Removes it (`device_remove_file()`). */
export function device_remove_file(dev: device, attr: device_attribute): void {
  sysfs_remove_file(dev.kobj, attr);
}

/** A device's kobject type: its release and `dev_sysfs_ops` (-EIO without a method). */
const device_ktype: kobj_type = {
  release: device_release,
  sysfs_ops: {
    show: (kobj, attr) => {
      const dattr = attr as device_attribute;
      return dattr.show ? dattr.show(kobj_to_dev(kobj), dattr) : -EIO;
    },
    store: (kobj, attr, buf) => {
      const dattr = attr as device_attribute;
      return dattr.store ? dattr.store(kobj_to_dev(kobj), dattr, buf) : -EIO;
    },
  },
};

/** Whether `kobj` is a device's (`kobj->ktype == &device_ktype`). */
export function kobj_is_device(kobj: kobject): boolean {
  return kobj.ktype === device_ktype;
}

/** Whether a driver is bound (`device_is_bound()`). */
export function device_is_bound(dev: device): boolean {
  return dev.driver !== null && dev.p.bound;
}

/** Takes the device lock, sleeping (`device_lock()`). */
export function device_lock(dev: device): Promise<void> {
  return mutex_lock(dev.mutex);
}

/** Releases the device lock (`device_unlock()`). */
export function device_unlock(dev: device): void {
  mutex_unlock(dev.mutex);
}
