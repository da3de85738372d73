/**
 * sysfs directories (fs/sysfs/dir.c): one per kobject that was added, under
 * its parent's directory or at the root of sysfs.
 *
 * @module
 */

import { EEXIST, EINVAL, ENOENT } from '../../errno.js';
import type { kobject } from '../../lib/kobject.js';
import { dump_stack, WARN_ON } from '../../panic.js';
import { pr_warn } from '../../printk.js';
import {
  kernfs_create_dir,
  kernfs_create_empty_dir,
  kernfs_create_root,
  kernfs_find,
  type kernfs_node,
  kernfs_path,
  kernfs_remove,
  kernfs_rename,
} from './kernfs.js';

/** The root of sysfs: what `/sys` shows. Replaced by `sysfs_init()`. */
export let sysfs_root_kn: kernfs_node = kernfs_create_root();

/** A fresh, empty sysfs tree (part of `sysfs_init()`). */
export function sysfs_root_reset(): void {
  sysfs_root_kn = kernfs_create_root();
}

/**
 * `sysfs_warn_dup`: `sysfs: cannot create duplicate filename '<path>'` and a
 * stack trace, for a directory, file or link whose name is taken.
 */
export function sysfs_warn_dup(parent: kernfs_node, name: string): void {
  const dir = kernfs_path(parent);
  pr_warn(
    "sysfs: cannot create duplicate filename '%s'\n",
    dir === '/' ? `/${name}` : `${dir}/${name}`,
  );
  dump_stack();
}

/** `sysfs_create_dir_ns`: the directory of `kobj`, under its parent's or the root. */
export function sysfs_create_dir_ns(kobj: kobject): number {
  const parent = kobj.parent ? kobj.parent.sd : sysfs_root_kn;
  if (!parent) return -ENOENT;
  const kn = kernfs_create_dir(parent, kobj.name, 0o755, kobj);
  if (typeof kn === 'number') {
    if (kn === -EEXIST) sysfs_warn_dup(parent, kobj.name);
    return kn;
  }
  kobj.sd = kn;
  return 0;
}

/** `sysfs_remove_dir`: removes the directory of `kobj` and everything in it. */
export function sysfs_remove_dir(kobj: kobject): void {
  const kn = kobj.sd;
  kobj.sd = null;
  kernfs_remove(kn);
}

/** `sysfs_rename_dir_ns`. */
export function sysfs_rename_dir_ns(kobj: kobject, new_name: string): number {
  const kn = kobj.sd;
  if (WARN_ON(!kn?.parent)) return -EINVAL;
  return kernfs_rename(kn!, kn!.parent!, new_name);
}

/** `sysfs_move_dir_ns`: moves the directory of `kobj` under `new_parent` (the root if null). */
export function sysfs_move_dir_ns(kobj: kobject, new_parent: kobject | null): number {
  const kn = kobj.sd;
  const parent = new_parent ? new_parent.sd : sysfs_root_kn;
  if (!kn || !parent) return -ENOENT;
  return kernfs_rename(kn, parent, kn.name);
}

/**
 * `sysfs_create_mount_point`: an empty directory `name` in `parent_kobj`'s
 * directory for another filesystem to be mounted on (`/sys/kernel/debug`).
 */
export function sysfs_create_mount_point(parent_kobj: kobject, name: string): number {
  const parent = parent_kobj.sd;
  if (!parent) return -ENOENT;
  const kn = kernfs_create_empty_dir(parent, name);
  if (typeof kn === 'number') {
    if (kn === -EEXIST) sysfs_warn_dup(parent, name);
    return kn;
  }
  return 0;
}

/** `sysfs_remove_mount_point`. */
export function sysfs_remove_mount_point(parent_kobj: kobject, name: string): void {
  const parent = parent_kobj.sd;
  if (parent) kernfs_remove(kernfs_find(parent, name));
}
