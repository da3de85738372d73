/**
 * Miscellaneous character devices (drivers/char/misc.c): one major, 10,
 * shared by many small drivers, each a {@link miscdevice} with its own minor.
 * `misc_register` creates the class device (`/sys/class/misc/<name>`, whose
 * `dev` reads `10:<minor>`) and the `/dev` node; opening the node finds the
 * miscdevice by minor, puts it in `file.private_data` and switches to its
 * `fops`.
 *
 * Minors follow the current kernel: a fixed minor must be below 255
 * (`MISC_DYNAMIC_MINOR`) and free, or the registration fails with
 * `-EBUSY`; a larger one is refused with `-EINVAL` and `Invalid fixed minor
 * <n> for miscdevice '<name>'`. `MISC_DYNAMIC_MINOR` takes the lowest free
 * minor from 256 up (the kernel stopped handing out dynamic minors below 256
 * in 6.15, so that they no longer collide with the reserved ones), and
 * `misc_deregister` gives it back and resets the field to
 * `MISC_DYNAMIC_MINOR`, so the same structure can be registered again.
 * Registering a miscdevice that is already registered is `-EINVAL` (its
 * dynamic minor now looks like an invalid fixed one) or `-EBUSY` (fixed).
 *
 * @example
 * ```ts
 * import { MISC_DYNAMIC_MINOR, driver_core_fs_init, misc_deregister, misc_register, sysfs_read } from '@rfl/kernel';
 * driver_core_fs_init();
 * const foxes = { minor: MISC_DYNAMIC_MINOR, name: 'foxes', fops: {} };
 * misc_register(foxes) // => 0
 * foxes.minor // => 256
 * sysfs_read('/sys/class/misc/foxes/dev') // => '10:256\n'
 * misc_register(foxes) // => -22
 * misc_deregister(foxes);
 * foxes.minor // => 255
 * ```
 *
 * @module
 */

import { EBUSY, EINVAL, ENODEV } from '../../errno.js';
import { __register_chrdev } from '../../fs/char_dev.js';
import { fops_get, replace_fops } from '../../fs/file_table.js';
import type { file, file_operations, inode } from '../../fs/fs.js';
import { MINOR, MINORMASK, MKDEV } from '../../fs/kdev_t.js';
import { noop_llseek } from '../../fs/libfs.js';
import type { attribute_group } from '../../fs/sysfs/group.js';
import { WARN_ON } from '../../panic.js';
import { pr_err } from '../../printk.js';
import {
  type class_device,
  type class_device_parent,
  class_register,
  type device_class,
  device_create_with_groups,
  device_destroy,
} from './class_device.js';

export const MISC_MAJOR = 10;
/** Ask for a dynamic minor. */
export const MISC_DYNAMIC_MINOR = 255;

/** `struct miscdevice`. */
export interface miscdevice {
  /** The minor, or {@link MISC_DYNAMIC_MINOR}; set to the one allocated. */
  minor: number;
  readonly name: string;
  readonly fops: file_operations;
  /** The parent device, if any: its directory holds the class device's. */
  readonly parent?: class_device_parent | null;
  /** The class device, while registered. */
  this_device?: class_device | null;
  readonly groups?: readonly attribute_group[];
  /** The node's name below /dev, when not `name` (may contain directories). */
  readonly nodename?: string;
  /** The node's permission bits, when not 0600. */
  readonly mode?: number;
}

/** Registered devices, the most recent first (`misc_list`: later ones override). */
let misc_list: miscdevice[] = [];
/** `misc_minors_ida`. */
let misc_minors = new Set<number>();

function misc_minor_alloc(minor: number): number {
  if (minor === MISC_DYNAMIC_MINOR) {
    for (let m = MISC_DYNAMIC_MINOR + 1; m <= MINORMASK; m++) {
      if (!misc_minors.has(m)) {
        misc_minors.add(m);
        return m;
      }
    }
    return -EBUSY;
  }
  if (misc_minors.has(minor)) return -EBUSY;
  misc_minors.add(minor);
  return minor;
}

function misc_minor_free(minor: number): void {
  misc_minors.delete(minor);
}

/** `misc_open`: the miscdevice of the minor in `private_data`, its fops, their open. */
function misc_open(node: inode, filp: file): number | Promise<number> {
  const minor = MINOR(node.i_rdev);
  const c = misc_list.find((m) => m.minor === minor);
  const new_fops = c ? fops_get(c.fops) : null;
  if (!c || !new_fops) return -ENODEV;
  filp.private_data = c;
  replace_fops(filp, new_fops);
  return new_fops.open ? new_fops.open(node, filp) : 0;
}

const misc_fops: file_operations = { open: misc_open, llseek: noop_llseek };

function to_miscdevice(dev: class_device): miscdevice {
  return dev.driver_data as miscdevice;
}

/** The `misc` class: node name and mode from the miscdevice (`misc_devnode`). */
const misc_class: device_class = {
  name: 'misc',
  devnode: (dev, mode) => {
    const c = to_miscdevice(dev);
    if (c.mode) mode.value = c.mode;
    return c.nodename ?? null;
  },
};

/** `misc_register`: 0, or `-EINVAL`, `-EBUSY`, `-EEXIST` (a name taken). */
export function misc_register(misc: miscdevice): number {
  const is_dynamic = misc.minor === MISC_DYNAMIC_MINOR;
  if (misc.minor > MISC_DYNAMIC_MINOR) {
    pr_err("Invalid fixed minor %d for miscdevice '%s'\n", misc.minor, misc.name);
    return -EINVAL;
  }
  if (is_dynamic) {
    const i = misc_minor_alloc(misc.minor);
    if (i < 0) return -EBUSY;
    misc.minor = i;
  } else {
    if (misc_list.some((c) => c.minor === misc.minor)) return -EBUSY;
    if (misc_minor_alloc(misc.minor) < 0) return -EBUSY;
  }
  const dev = device_create_with_groups(
    misc_class,
    misc.parent ?? null,
    MKDEV(MISC_MAJOR, misc.minor),
    misc,
    misc.groups ?? null,
    '%s',
    misc.name,
  );
  if (typeof dev === 'number') {
    misc_minor_free(misc.minor);
    if (is_dynamic) misc.minor = MISC_DYNAMIC_MINOR;
    return dev;
  }
  misc.this_device = dev;
  misc_list.unshift(misc);
  return 0;
}

/** `misc_deregister`: a WARNING for a miscdevice that is not registered. */
export function misc_deregister(misc: miscdevice): void {
  const i = misc_list.indexOf(misc);
  if (WARN_ON(i < 0)) return;
  misc_list.splice(i, 1);
  device_destroy(misc_class, MKDEV(MISC_MAJOR, misc.minor));
  misc.this_device = null;
  misc_minor_free(misc.minor);
  if (misc.minor > MISC_DYNAMIC_MINOR) misc.minor = MISC_DYNAMIC_MINOR;
}

/**
 * `misc_init`: the `misc` class and major 10 with all its minors. Part of
 * the driver-core boot; forgets every registered miscdevice.
 */
export function misc_init(): number {
  misc_list = [];
  misc_minors = new Set();
  const err = class_register(misc_class);
  if (err) return err;
  const major = __register_chrdev(MISC_MAJOR, 0, MINORMASK + 1, 'misc', misc_fops);
  if (major < 0) {
    pr_err('unable to get major %d for misc devices\n', MISC_MAJOR);
    return major;
  }
  return 0;
}
