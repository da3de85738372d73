/**
 * Attribute groups (fs/sysfs/group.c): a set of attributes created and
 * removed together, in the kobject's directory or, when the group has a
 * name, in a subdirectory of that name. `is_visible` may hide an attribute
 * (return 0) or change its mode.
 *
 * As in the kernel, group files never get world-writable or executable bits:
 * a mode outside `0664` warns `Attribute <name>: Invalid permissions 0<mode>`
 * and is masked.
 *
 * @example
 * ```ts
 * import { __ATTR_RO, kernel_kobj, kobject_create_and_add, kobject_put, sysfs_create_group, sysfs_init, sysfs_readdir } from '@rfl/kernel';
 * # sysfs_init();
 * const den = kobject_create_and_add('den2', kernel_kobj)!;
 * const group = { name: 'stats', attrs: [__ATTR_RO('kits', () => '4\n'), __ATTR_RO('adults', () => '2\n')] };
 * sysfs_create_group(den, group) // => 0
 * sysfs_readdir('/sys/kernel/den2/stats') // => ['adults', 'kits']
 * kobject_put(den);
 * ```
 *
 * @module
 */

import { EEXIST, EINVAL } from '../../errno.js';
import type { kobject } from '../../lib/kobject.js';
import { WARN, WARN_ON } from '../../panic.js';
import { pr_debug, pr_warn } from '../../printk.js';
import { sysfs_warn_dup } from './dir.js';
import { type attribute, sysfs_add_file_mode_ns } from './file.js';
import {
  kernfs_create_dir,
  kernfs_find,
  type kernfs_node,
  kernfs_remove,
  kernfs_remove_by_name,
} from './kernfs.js';

/** `struct attribute_group`. */
export interface attribute_group {
  /** The subdirectory's name; the kobject's own directory when absent. */
  readonly name?: string;
  readonly attrs?: readonly attribute[];
  /** The mode of attribute `n`, or 0 to leave it out. */
  readonly is_visible?: (kobj: kobject, attr: attribute, n: number) => number;
}

function remove_files(parent: kernfs_node, grp: attribute_group): void {
  for (const attr of grp.attrs ?? []) kernfs_remove_by_name(parent, attr.name);
}

function create_files(
  parent: kernfs_node,
  kobj: kobject,
  grp: attribute_group,
  update: boolean,
): number {
  const attrs = grp.attrs ?? [];
  for (let i = 0; i < attrs.length; i++) {
    const attr = attrs[i]!;
    let mode = attr.mode;
    if (update) kernfs_remove_by_name(parent, attr.name);
    if (grp.is_visible) {
      mode = grp.is_visible(kobj, attr, i);
      if (!mode) continue;
    }
    WARN(mode & ~0o664, 'Attribute %s: Invalid permissions 0%o\n', attr.name, mode);
    mode &= 0o664;
    const error = sysfs_add_file_mode_ns(parent, attr, mode);
    if (error) {
      remove_files(parent, grp);
      return error;
    }
  }
  return 0;
}

function internal_create_group(kobj: kobject, update: boolean, grp: attribute_group): number {
  if (WARN_ON(!update && !kobj.sd)) return -EINVAL;
  if (update && !kobj.sd) return -EINVAL;
  const sd = kobj.sd!;
  if (!grp.attrs) {
    pr_debug(
      'sysfs: (bin_)attrs not set by subsystem for group: %s/%s, skipping\n',
      kobj.name,
      grp.name ?? '',
    );
    return 0;
  }
  let kn = sd;
  if (grp.name) {
    if (update) {
      const found = kernfs_find(sd, grp.name);
      if (!found) {
        pr_warn("Can't update unknown attr grp name: %s/%s\n", kobj.name, grp.name);
        return -EINVAL;
      }
      kn = found;
    } else {
      const created = kernfs_create_dir(sd, grp.name, 0o755, kobj);
      if (typeof created === 'number') {
        if (created === -EEXIST) sysfs_warn_dup(sd, grp.name);
        return created;
      }
      kn = created;
    }
  }
  const error = create_files(kn, kobj, grp, update);
  if (error && grp.name) kernfs_remove(kn);
  return error;
}

/** `sysfs_create_group`: 0 or a negative errno (nothing is left behind on failure). */
export function sysfs_create_group(kobj: kobject, grp: attribute_group): number {
  return internal_create_group(kobj, false, grp);
}

/** `sysfs_update_group`: re-evaluates `is_visible` and modes of an existing group. */
export function sysfs_update_group(kobj: kobject, grp: attribute_group): number {
  return internal_create_group(kobj, true, grp);
}

/** `sysfs_create_groups`: every group, or none. */
export function sysfs_create_groups(kobj: kobject, groups: readonly attribute_group[]): number {
  for (let i = 0; i < groups.length; i++) {
    const error = sysfs_create_group(kobj, groups[i]!);
    if (error) {
      for (let j = i - 1; j >= 0; j--) sysfs_remove_group(kobj, groups[j]!);
      return error;
    }
  }
  return 0;
}

/**
 * `sysfs_remove_group`. Removing a named group that is not there warns
 * `sysfs group '<name>' not found for kobject '<kobj>'`.
 */
export function sysfs_remove_group(kobj: kobject, grp: attribute_group): void {
  const parent = kobj.sd;
  if (!parent) return;
  let kn = parent;
  if (grp.name) {
    const found = kernfs_find(parent, grp.name);
    if (!found) {
      WARN(true, "sysfs group '%s' not found for kobject '%s'\n", grp.name, kobj.name);
      return;
    }
    kn = found;
  }
  remove_files(kn, grp);
  if (grp.name) kernfs_remove(kn);
}

/** `sysfs_remove_groups`. */
export function sysfs_remove_groups(kobj: kobject, groups: readonly attribute_group[]): void {
  for (const grp of groups) sysfs_remove_group(kobj, grp);
}
