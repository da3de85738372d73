/**
 * sysfs attribute files (fs/sysfs/file.c): each attribute of a kobject is a
 * file of its directory; reading calls the ktype's `sysfs_ops.show`, writing
 * its `sysfs_ops.store`.
 *
 * The kernel's contracts, in TypeScript:
 * - `show(kobj, attr)` returns the file's text (what it would `sysfs_emit`
 *   into its PAGE_SIZE buffer) or a negative errno, which the read returns.
 *   Text of PAGE_SIZE bytes or more is what overflows the kernel's buffer:
 *   as sysfs does, the read logs `fill_read_buffer: <show> returned bad
 *   count` and returns the first PAGE_SIZE - 1 bytes.
 * - `store(kobj, attr, buf)` gets the written text (at most PAGE_SIZE bytes
 *   of it) and returns how many bytes it consumed — normally `buf.length` —
 *   or a negative errno, which the write returns.
 * - The mode is the file's: without a write bit a write fails with
 *   `-EACCES`, without a read bit a read does, root included; a
 *   {@link kobj_attribute} with no `show` (or `store`) fails with `-EIO`.
 *
 * @example
 * ```ts
 * import { __ATTR_RW, kernel_kobj, kobject_create_and_add, kobject_put, sysfs_create_file, sysfs_init, sysfs_read, sysfs_write } from '@rfl/kernel';
 * # sysfs_init();
 * let foxes = 3;
 * const attr = __ATTR_RW('count',
 *   () => `${foxes}\n`,
 *   (_kobj, _attr, buf) => { foxes = Number.parseInt(buf, 10); return buf.length; });
 * const dir = kobject_create_and_add('den', kernel_kobj)!;
 * sysfs_create_file(dir, attr) // => 0
 * sysfs_read('/sys/kernel/den/count') // => '3\n'
 * sysfs_write('/sys/kernel/den/count', '7\n') // => 2
 * foxes // => 7
 * kobject_put(dir);
 * ```
 *
 * @module
 */

import { EEXIST, EINVAL, ENOENT } from '../../errno.js';
import type { kobj_attribute, kobject } from '../../lib/kobject.js';
import { PAGE_SIZE } from '../../mm/layout.js';
import { WARN, WARN_ON } from '../../panic.js';
import { printk } from '../../printk.js';
import { sprintf } from '../../vsprintf.js';
import { sysfs_warn_dup } from './dir.js';
import {
  kernfs_create_file,
  kernfs_find,
  type kernfs_node,
  kernfs_notify,
  type kernfs_ops,
  kernfs_remove_by_name,
} from './kernfs.js';

/** `struct attribute`: a file name and its permission bits. */
export interface attribute {
  readonly name: string;
  readonly mode: number;
}

/** The kobject whose directory holds `kn` (a group subdirectory holds its kobject too). */
function sysfs_file_kobj(kn: kernfs_node): kobject {
  return kn.parent!.priv as kobject;
}

function sysfs_kf_seq_show(kn: kernfs_node): string | number {
  const kobj = sysfs_file_kobj(kn);
  const ops = kobj.ktype?.sysfs_ops;
  if (!ops?.show) return -EINVAL;
  const text = ops.show(kobj, kn.priv as attribute);
  if (typeof text === 'number') return text < 0 ? text : '';
  const bytes = Buffer.from(text);
  if (bytes.length >= PAGE_SIZE) {
    printk('fill_read_buffer: %pS returned bad count\n', ops.show);
    return bytes.subarray(0, PAGE_SIZE - 1).toString();
  }
  return text;
}

function sysfs_kf_write(kn: kernfs_node, buf: string): number | Promise<number> {
  const kobj = sysfs_file_kobj(kn);
  const ops = kobj.ktype?.sysfs_ops;
  if (!ops?.store) return -EINVAL;
  return ops.store(kobj, kn.priv as attribute, buf);
}

const sysfs_file_kfops_rw: kernfs_ops = { seq_show: sysfs_kf_seq_show, write: sysfs_kf_write };
const sysfs_file_kfops_ro: kernfs_ops = { seq_show: sysfs_kf_seq_show };
const sysfs_file_kfops_wo: kernfs_ops = { write: sysfs_kf_write };
const sysfs_file_kfops_empty: kernfs_ops = {};

/** `sysfs_add_file_mode_ns`: the file of `attr` in directory `parent`, with `mode`. */
export function sysfs_add_file_mode_ns(parent: kernfs_node, attr: attribute, mode: number): number {
  const kobj = parent.priv as kobject;
  const sysfs_ops = kobj.ktype?.sysfs_ops;
  if (WARN(!sysfs_ops, 'missing sysfs attribute operations for kobject: %s\n', kobj.name))
    return -EINVAL;
  let ops = sysfs_file_kfops_empty;
  if (sysfs_ops?.show && sysfs_ops.store) ops = sysfs_file_kfops_rw;
  else if (sysfs_ops?.show) ops = sysfs_file_kfops_ro;
  else if (sysfs_ops?.store) ops = sysfs_file_kfops_wo;
  const kn = kernfs_create_file(parent, attr.name, mode & 0o777, PAGE_SIZE, ops, attr);
  if (typeof kn === 'number') {
    if (kn === -EEXIST) sysfs_warn_dup(parent, attr.name);
    return kn;
  }
  return 0;
}

/**
 * `sysfs_notify()`: wakes the pollers of attribute `attr` of `kobj` (in its group
 * subdirectory `dir`, when given), as a driver does when the value it shows changed.
 */
export function sysfs_notify(kobj: kobject, dir: string | null, attr: string): void {
  let parent = kobj.sd;
  if (parent && dir) parent = kernfs_find(parent, dir) ?? null;
  const kn = parent ? kernfs_find(parent, attr) : undefined;
  if (kn) kernfs_notify(kn);
}

/** `sysfs_create_file`: 0, `-EEXIST` (with a warning) or `-EINVAL` for a kobject not in sysfs. */
export function sysfs_create_file(kobj: kobject, attr: attribute): number {
  if (WARN_ON(!kobj.sd)) return -EINVAL;
  return sysfs_add_file_mode_ns(kobj.sd!, attr, attr.mode);
}

/** `sysfs_create_files`: every attribute, or none (those created are removed on failure). */
export function sysfs_create_files(kobj: kobject, attrs: readonly attribute[]): number {
  for (let i = 0; i < attrs.length; i++) {
    const err = sysfs_create_file(kobj, attrs[i]!);
    if (err) {
      for (let j = 0; j < i; j++) sysfs_remove_file(kobj, attrs[j]!);
      return err;
    }
  }
  return 0;
}

/** `sysfs_remove_file`: removes the file of `attr`, if it exists. */
export function sysfs_remove_file(kobj: kobject, attr: attribute): void {
  if (kobj.sd) kernfs_remove_by_name(kobj.sd, attr.name);
}

/** `sysfs_remove_files`. */
export function sysfs_remove_files(kobj: kobject, attrs: readonly attribute[]): void {
  for (const attr of attrs) sysfs_remove_file(kobj, attr);
}

/** `sysfs_chmod_file`: changes the permission bits of an attribute's file. */
export function sysfs_chmod_file(kobj: kobject, attr: attribute, mode: number): number {
  const kn = kobj.sd && kernfs_find(kobj.sd, attr.name);
  if (!kn) return -ENOENT;
  kn.mode = mode & 0o777;
  return 0;
}

/**
 * `sysfs_emit`: formats what a `show` returns. In C it writes at most
 * PAGE_SIZE - 1 bytes into the page; here the read path enforces the limit.
 */
export function sysfs_emit(fmt: string, ...args: unknown[]): string {
  return sprintf(fmt, ...args);
}

type show_fn = (kobj: kobject, attr: kobj_attribute) => string | number;
type store_fn = (kobj: kobject, attr: kobj_attribute, buf: string) => number;

/** `__ATTR(name, mode, show, store)`. */
export function __ATTR(
  name: string,
  mode: number,
  show?: show_fn | null,
  store?: store_fn | null,
): kobj_attribute {
  return { name, mode, ...(show ? { show } : {}), ...(store ? { store } : {}) };
}

/** `__ATTR_RO`: mode 0444. */
export function __ATTR_RO(name: string, show: show_fn): kobj_attribute {
  return __ATTR(name, 0o444, show, null);
}

/** `__ATTR_RO_MODE`: read-only with another mode (0400 for root-only files). */
export function __ATTR_RO_MODE(name: string, mode: number, show: show_fn): kobj_attribute {
  return __ATTR(name, mode, show, null);
}

/** `__ATTR_WO`: mode 0200. */
export function __ATTR_WO(name: string, store: store_fn): kobj_attribute {
  return __ATTR(name, 0o200, null, store);
}

/** `__ATTR_RW`: mode 0644. */
export function __ATTR_RW(name: string, show: show_fn, store: store_fn): kobj_attribute {
  return __ATTR(name, 0o644, show, store);
}
