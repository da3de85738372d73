/**
 * Device classes and their devices, the part of drivers/base/class.c and
 * drivers/base/core.c that character devices need: `class_create`,
 * `device_create`, `device_destroy`.
 *
 * A class device is what makes a device number visible: it gets a
 * directory (`/sys/devices/virtual/<class>/<name>` when it has no parent)
 * with `dev` (`<major>:<minor>`), `uevent` and a `subsystem` link, the links
 * `/sys/class/<class>/<name>` and `/sys/dev/char/<major>:<minor>`, an `add`
 * uevent, and a node in devtmpfs (`/dev/<name>`, or what the class's
 * `devnode` returns, with its mode). `device_destroy` undoes all of it.
 *
 * The full device model (buses, drivers, probing) is `struct device` of
 * drivers/base; this is the minimal record a class device needs, kept here
 * until the two meet.
 *
 * @example
 * ```ts
 * import { MKDEV, class_create, device_create, device_destroy, driver_core_fs_init, sysfs_read, sysfs_readlink } from '@rfl/kernel';
 * driver_core_fs_init();
 * const foxes = class_create('foxes');
 * if (typeof foxes === 'number') throw new Error('class_create');
 * const dev = device_create(foxes, null, MKDEV(240, 1), null, 'fox%d', 1);
 * sysfs_read('/sys/class/foxes/fox1/dev') // => '240:1\n'
 * sysfs_readlink('/sys/class/foxes/fox1') // => '../../devices/virtual/foxes/fox1'
 * device_destroy(foxes, MKDEV(240, 1));
 * sysfs_read('/sys/class/foxes/fox1/dev') // => -2
 * ```
 *
 * @module
 */

import { EEXIST, EINVAL, EIO, ENOMEM } from '../../errno.js';
import { devtmpfs_create_node, devtmpfs_delete_node } from '../../fs/devtmpfs.js';
import { MAJOR, MINOR } from '../../fs/kdev_t.js';
import type { attribute } from '../../fs/sysfs/file.js';
import { sysfs_create_file, sysfs_remove_file } from '../../fs/sysfs/file.js';
import {
  type attribute_group,
  sysfs_create_groups,
  sysfs_remove_groups,
} from '../../fs/sysfs/group.js';
import { sysfs_create_link, sysfs_remove_link } from '../../fs/sysfs/symlink.js';
import {
  type kobj_type,
  kobject,
  kobject_add,
  kobject_create_and_add,
  kobject_del,
  kobject_init,
  kobject_put,
  kobject_set_name,
  kset,
  kset_ktype,
  kset_register,
  kset_unregister,
} from '../../lib/kobject.js';
import { class_kset, devices_kset, sysfs_dev_char_kobj } from '../../lib/kobject_roots.js';
import {
  add_uevent_var,
  KOBJ_ADD,
  KOBJ_CHANGE,
  KOBJ_REMOVE,
  kobject_uevent,
  type kset_uevent_ops,
} from '../../lib/kobject_uevent.js';
import { sprintf } from '../../vsprintf.js';

/** `struct class`. */
export interface device_class {
  readonly name: string;
  /** The node name under /dev (null: the device's name) and its mode (`mode.value`, 0: 0600). */
  devnode?: (dev: class_device, mode: { value: number }) => string | null;
  /** Attribute groups every device of the class gets (`dev_groups`). */
  dev_groups?: readonly attribute_group[];
}

/** `struct device_attribute`: an attribute of a class device. */
export interface device_attribute extends attribute {
  show?: (dev: class_device, attr: device_attribute) => string | number;
  store?: (dev: class_device, attr: device_attribute, buf: string) => number;
}

/**
 * A parent for a class device: a kobject, or anything that embeds one as
 * `kobj` (the driver core's `struct device`, a platform device's `dev`).
 */
export type class_device_parent = kobject | { readonly kobj: kobject };

function parent_kobj(parent: class_device_parent | null): kobject | null {
  if (!parent) return null;
  return parent instanceof kobject ? parent : parent.kobj;
}

/** A device created by {@link device_create}. */
export class class_device {
  readonly kobj = new kobject();
  readonly cls: device_class;
  readonly devt: number;
  /** The kobject whose directory holds this device's (null: the class's virtual directory). */
  readonly parent: kobject | null;
  /** `dev_get_drvdata()`. */
  driver_data: unknown;
  groups: readonly attribute_group[] = [];
  constructor(cls: device_class, parent: kobject | null, devt: number, drvdata: unknown) {
    this.cls = cls;
    this.parent = parent;
    this.devt = devt;
    this.driver_data = drvdata;
    this.kobj.container = this;
  }
  get name(): string {
    return this.kobj.name;
  }
}

interface class_private {
  readonly subsys: kset;
  readonly devices: class_device[];
  glue: kobject | null;
}

let classes = new WeakMap<device_class, class_private>();
let virtual_dir: kobject | null = null;
let virtual_root: kobject | null = null;

/** Forgets every class (part of the driver-core boot). */
export function classes_reset(): void {
  classes = new WeakMap();
  virtual_dir = null;
  virtual_root = null;
}

function to_class_device(kobj: kobject): class_device | null {
  return kobj.container instanceof class_device ? kobj.container : null;
}

/** `device_get_devnode`: the node name below /dev and its mode (0 for the default). */
export function device_get_devnode(dev: class_device): { name: string; mode: number } {
  const mode = { value: 0 };
  const name = dev.cls.devnode?.(dev, mode) ?? dev.name.replaceAll('!', '/');
  return { name, mode: mode.value };
}

/** The device uevent variables (`dev_uevent`), for the `add` event and the `uevent` file. */
function dev_uevent_vars(dev: class_device): string[] {
  const vars: string[] = [];
  if (dev.devt) {
    const { name, mode } = device_get_devnode(dev);
    vars.push(`MAJOR=${MAJOR(dev.devt)}`, `MINOR=${MINOR(dev.devt)}`, `DEVNAME=${name}`);
    if (mode) vars.push(`DEVMODE=${sprintf('%#o', mode & 0o777)}`);
  }
  return vars;
}

/**
 * `device_uevent_ops` for class devices: only they send events, named by their class.
 * The driver core's `device_uevent_ops` defers to it for class devices.
 */
export const class_device_uevent_ops: kset_uevent_ops = {
  filter: (kobj) => to_class_device(kobj) !== null,
  name: (kobj) => to_class_device(kobj)?.cls.name ?? null,
  uevent: (kobj, env) => {
    const dev = to_class_device(kobj);
    for (const v of dev ? dev_uevent_vars(dev) : []) {
      const err = add_uevent_var(env, '%s', v);
      if (err) return err;
    }
    return 0;
  },
};

const uevent_actions = ['add', 'remove', 'change', 'move', 'online', 'offline', 'bind', 'unbind'];

const dev_attr_uevent: device_attribute = {
  name: 'uevent',
  mode: 0o644,
  show: (dev) =>
    dev_uevent_vars(dev)
      .map((v) => `${v}\n`)
      .join(''),
  store: (dev, _attr, buf) => {
    const action = uevent_actions.indexOf(buf.trim().split(/\s/)[0] ?? '');
    if (action < 0) return -EINVAL;
    kobject_uevent(dev.kobj, action);
    return buf.length;
  },
};

const dev_attr_dev: device_attribute = {
  name: 'dev',
  mode: 0o444,
  show: (dev) => `${MAJOR(dev.devt)}:${MINOR(dev.devt)}\n`,
};

function class_device_release(_kobj: kobject): void {}

/** `device_ktype`: attributes are {@link device_attribute}s (`dev_attr_show`/`dev_attr_store`). */
const device_ktype: kobj_type = {
  release: class_device_release,
  sysfs_ops: {
    show: (kobj, attr) => {
      const dattr = attr as device_attribute;
      const dev = to_class_device(kobj);
      return dev && dattr.show ? dattr.show(dev, dattr) : -EIO;
    },
    store: (kobj, attr, buf) => {
      const dattr = attr as device_attribute;
      const dev = to_class_device(kobj);
      return dev && dattr.store ? dattr.store(dev, dattr, buf) : -EIO;
    },
  },
};

/** `class_register`: `/sys/class/<name>`; `-EEXIST` if a class of that name exists. */
export function class_register(cls: device_class): number {
  if (classes.has(cls)) return -EEXIST;
  const subsys = new kset();
  kobject_set_name(subsys.kobj, '%s', cls.name);
  subsys.kobj.kset = class_kset;
  subsys.kobj.ktype = kset_ktype;
  const err = kset_register(subsys);
  if (err) return err;
  classes.set(cls, { subsys, devices: [], glue: null });
  return 0;
}

/** `class_unregister`. */
export function class_unregister(cls: device_class): void {
  const cp = classes.get(cls);
  if (!cp) return;
  classes.delete(cls);
  kset_unregister(cp.subsys);
}

/** `class_create`: a registered class named `name`, or a negative errno. */
export function class_create(name: string): device_class | number {
  const cls: device_class = { name };
  const err = class_register(cls);
  return err ? err : cls;
}

/** `class_destroy`. */
export function class_destroy(cls: device_class | null): void {
  if (cls) class_unregister(cls);
}

/** The class's directory `/sys/class/<name>`, for class attributes (`class_create_file`). */
export function class_kobj(cls: device_class): kobject | null {
  return classes.get(cls)?.subsys.kobj ?? null;
}

/** The devices of a class, oldest first (what `/sys/class/<name>/` lists). */
export function class_devices(cls: device_class): readonly class_device[] {
  return classes.get(cls)?.devices ?? [];
}

/** `get_device_parent`: the parent's directory, or `/sys/devices/virtual/<class>`. */
function get_device_parent(
  cls: device_class,
  cp: class_private,
  parent: kobject | null,
): kobject | null {
  if (parent) return parent;
  if (!virtual_root || virtual_root !== devices_kset.kobj) {
    virtual_root = devices_kset.kobj;
    virtual_dir = kobject_create_and_add('virtual', devices_kset.kobj);
  }
  if (!virtual_dir) return null;
  cp.glue ??= kobject_create_and_add(cls.name, virtual_dir);
  return cp.glue;
}

function cleanup_glue_dir(cp: class_private): void {
  if (cp.glue?.sd && cp.glue.sd.children.size === 0) {
    kobject_put(cp.glue);
    cp.glue = null;
  }
}

/**
 * `device_create_with_groups`: a device of `cls` with number `devt` (0 for
 * none) under `parent` (null: the class's virtual directory), named by
 * `fmt`, with `groups` of attributes. The device, or a negative errno
 * (`-EEXIST` when the name is taken, `-EINVAL` for an unregistered class).
 */
export function device_create_with_groups(
  cls: device_class,
  parent_dev: class_device_parent | null,
  devt: number,
  drvdata: unknown,
  groups: readonly attribute_group[] | null,
  fmt: string,
  ...args: unknown[]
): class_device | number {
  const cp = classes.get(cls);
  if (!cp) return -EINVAL;
  const parent = parent_kobj(parent_dev);
  if (!devices_kset.uevent_ops) devices_kset.uevent_ops = class_device_uevent_ops;
  const dev = new class_device(cls, parent, devt, drvdata);
  dev.groups = groups ?? [];
  kobject_init(dev.kobj, device_ktype);
  dev.kobj.kset = devices_kset;
  const dir = get_device_parent(cls, cp, parent);
  if (!dir) return -ENOMEM;
  let err = kobject_add(dev.kobj, dir, fmt, ...args);
  if (err) {
    kobject_put(dev.kobj);
    cleanup_glue_dir(cp);
    return err;
  }
  err =
    sysfs_create_file(dev.kobj, dev_attr_uevent) ||
    (devt ? sysfs_create_file(dev.kobj, dev_attr_dev) : 0) ||
    sysfs_create_link(dev.kobj, cp.subsys.kobj, 'subsystem') ||
    (parent ? sysfs_create_link(dev.kobj, parent, 'device') : 0) ||
    sysfs_create_link(cp.subsys.kobj, dev.kobj, dev.name) ||
    sysfs_create_groups(dev.kobj, cls.dev_groups ?? []) ||
    sysfs_create_groups(dev.kobj, dev.groups) ||
    (devt ? sysfs_create_link(sysfs_dev_char_kobj, dev.kobj, `${MAJOR(devt)}:${MINOR(devt)}`) : 0);
  if (err) {
    sysfs_remove_link(cp.subsys.kobj, dev.name);
    kobject_del(dev.kobj);
    kobject_put(dev.kobj);
    cleanup_glue_dir(cp);
    return err;
  }
  cp.devices.push(dev);
  kobject_uevent(dev.kobj, KOBJ_ADD);
  if (devt) {
    const { name, mode } = device_get_devnode(dev);
    devtmpfs_create_node(name, mode || 0o600, devt);
  }
  return dev;
}

/** `device_create`: {@link device_create_with_groups} without groups. */
export function device_create(
  cls: device_class,
  parent: class_device_parent | null,
  devt: number,
  drvdata: unknown,
  fmt: string,
  ...args: unknown[]
): class_device | number {
  return device_create_with_groups(cls, parent, devt, drvdata, null, fmt, ...args);
}

/** `device_unregister` of a class device: node, links, `remove` uevent, directory. */
export function class_device_unregister(dev: class_device): void {
  const cp = classes.get(dev.cls);
  if (dev.devt) {
    devtmpfs_delete_node(device_get_devnode(dev).name, dev.devt);
    sysfs_remove_link(sysfs_dev_char_kobj, `${MAJOR(dev.devt)}:${MINOR(dev.devt)}`);
  }
  if (cp) {
    sysfs_remove_link(cp.subsys.kobj, dev.name);
    const i = cp.devices.indexOf(dev);
    if (i >= 0) cp.devices.splice(i, 1);
  }
  sysfs_remove_groups(dev.kobj, dev.groups);
  sysfs_remove_groups(dev.kobj, dev.cls.dev_groups ?? []);
  sysfs_remove_file(dev.kobj, dev_attr_dev);
  kobject_uevent(dev.kobj, KOBJ_REMOVE);
  kobject_del(dev.kobj);
  kobject_put(dev.kobj);
  if (cp) cleanup_glue_dir(cp);
}

/** `device_destroy`: unregisters the device of `cls` numbered `devt`, if there is one. */
export function device_destroy(cls: device_class, devt: number): void {
  const dev = classes.get(cls)?.devices.find((d) => d.devt === devt);
  if (dev) class_device_unregister(dev);
}

/** `kobject_uevent(&dev->kobj, KOBJ_CHANGE)` for a class device. */
export function class_device_change(dev: class_device): number {
  return kobject_uevent(dev.kobj, KOBJ_CHANGE);
}
