/**
 * sysfs symlinks (fs/sysfs/symlink.c): a link named `name` in a kobject's
 * directory (or at the root of sysfs) to another kobject's directory. Its
 * text is the relative path `readlink` prints, e.g.
 * `../../devices/virtual/misc/foxes`; it follows renames of the target.
 *
 * @example
 * ```ts
 * import { kernel_kobj, kobject_create_and_add, kobject_put, sysfs_create_link, sysfs_init, sysfs_read, sysfs_readlink, sysfs_remove_link } from '@rfl/kernel';
 * # sysfs_init();
 * const a = kobject_create_and_add('den_a', kernel_kobj)!;
 * const b = kobject_create_and_add('den_b', a)!;
 * sysfs_create_link(kernel_kobj, b, 'den_link') // => 0
 * sysfs_readlink('/sys/kernel/den_link') // => 'den_a/den_b'
 * sysfs_create_link(kernel_kobj, b, 'den_link') // => -17
 * kobject_put(b);
 * sysfs_read('/sys/kernel/den_link') // => -2
 * sysfs_remove_link(kernel_kobj, 'den_link');
 * kobject_put(a);
 * ```
 *
 * @module
 */

import { EEXIST, EFAULT, ENOENT } from '../../errno.js';
import type { kobject } from '../../lib/kobject.js';
import { sysfs_root_kn, sysfs_warn_dup } from './dir.js';
import { kernfs_create_link, kernfs_find, kernfs_remove_by_name } from './kernfs.js';

function sysfs_do_create_link(
  kobj: kobject | null,
  target: kobject,
  name: string,
  warn: boolean,
): number {
  const parent = kobj ? kobj.sd : sysfs_root_kn;
  if (!parent) return -EFAULT;
  const target_kn = target.sd;
  if (!target_kn) return -ENOENT;
  const kn = kernfs_create_link(parent, name, target_kn);
  if (typeof kn !== 'number') return 0;
  if (warn && kn === -EEXIST) sysfs_warn_dup(parent, name);
  return kn;
}

/** `sysfs_create_link`: 0, `-EEXIST` (with a warning), `-ENOENT` for a target not in sysfs. */
export function sysfs_create_link(kobj: kobject | null, target: kobject, name: string): number {
  return sysfs_do_create_link(kobj, target, name, true);
}

/** `sysfs_create_link_nowarn`: the same, silent about `-EEXIST`. */
export function sysfs_create_link_nowarn(
  kobj: kobject | null,
  target: kobject,
  name: string,
): number {
  return sysfs_do_create_link(kobj, target, name, false);
}

/** `sysfs_remove_link`: removes the link `name` of `kobj`'s directory (the root's when null). */
export function sysfs_remove_link(kobj: kobject | null, name: string): void {
  const parent = kobj ? kobj.sd : sysfs_root_kn;
  if (parent) kernfs_remove_by_name(parent, name);
}

/** `sysfs_rename_link_ns`: renames the link `old` of `kobj` to `new_name`. */
export function sysfs_rename_link(
  kobj: kobject | null,
  target: kobject,
  old: string,
  new_name: string,
): number {
  const parent = kobj ? kobj.sd : sysfs_root_kn;
  if (!parent) return -ENOENT;
  const kn = kernfs_find(parent, old);
  if (kn?.type !== 'link' || kn.target !== target.sd) return -ENOENT;
  if (parent.children.has(new_name)) return -EEXIST;
  kernfs_remove_by_name(parent, old);
  return sysfs_do_create_link(kobj, target, new_name, true);
}
