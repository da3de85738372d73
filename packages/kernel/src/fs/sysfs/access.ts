/**
 * sysfs as a user sees it, without the VFS: look a path up, `cat` a file,
 * `echo` into it, `ls` a directory, `readlink` a link. Paths may start with
 * `/sys` or be relative to it. Each returns what the system call would: the
 * data, or a negative errno (`-ENOENT`, `-EISDIR`, `-ENOTDIR`, `-EACCES`,
 * `-EIO`, `-EINVAL` for a `readlink` of something not a link, or what the
 * attribute's show/store returned).
 *
 * The VFS mount at `/sys` goes through the same checks, so both views agree.
 *
 * @module
 */

import { EINVAL, EISDIR, ENOENT, ENOTDIR } from '../../errno.js';
import { sysfs_root_kn } from './dir.js';
import {
  kernfs_children,
  kernfs_file_show,
  kernfs_file_write,
  kernfs_link_text,
  type kernfs_node,
  kernfs_open_check,
  kernfs_walk,
} from './kernfs.js';

function below_sys(path: string): string {
  if (path === '/sys') return '/';
  if (path.startsWith('/sys/')) return path.slice(4);
  return path;
}

/** The node at `path` (following links, also in the last component when `follow`). */
export function sysfs_lookup(path: string, follow = true): kernfs_node | number {
  return kernfs_walk(sysfs_root_kn, below_sys(path), follow);
}

/** `cat <path>`: the file's text or a negative errno. */
export function sysfs_read(path: string): string | number {
  const kn = sysfs_lookup(path);
  if (typeof kn === 'number') return kn;
  if (kn.type === 'dir') return -EISDIR;
  const err = kernfs_open_check(kn, true, false);
  if (err) return err;
  return kernfs_file_show(kn);
}

/**
 * `echo -n <buf> > <path>`: the bytes written or a negative errno. A store that
 * sleeps (binding a driver probes the device) answers with a promise.
 */
export function sysfs_write(path: string, buf: string): number | Promise<number> {
  const kn = sysfs_lookup(path);
  if (typeof kn === 'number') return kn;
  if (kn.type === 'dir') return -EISDIR;
  const err = kernfs_open_check(kn, false, true);
  if (err) return err;
  return kernfs_file_write(kn, buf);
}

/** `ls <path>`: the names in the directory, sorted, or a negative errno. */
export function sysfs_readdir(path: string): string[] | number {
  const kn = sysfs_lookup(path);
  if (typeof kn === 'number') return kn;
  if (kn.type !== 'dir') return -ENOTDIR;
  return kernfs_children(kn).map((c) => c.name);
}

/** `readlink <path>`: the relative path a link holds, or a negative errno. */
export function sysfs_readlink(path: string): string | number {
  const kn = sysfs_lookup(path, false);
  if (typeof kn === 'number') return kn;
  if (kn.type !== 'link') return -EINVAL;
  return kernfs_link_text(kn) ?? -ENOENT;
}
