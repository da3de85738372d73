/**
 * Inodes (fs/inode.c): allocation, numbering, ownership, timestamps, and the operations
 * of special files (character devices, FIFOs) that `init_special_inode()` installs.
 *
 * # Character devices
 *
 * Opening an S_IFCHR inode goes through {@link def_chr_fops}, whose `open` hands the
 * inode and file to the function the char-device layer registered with
 * {@link set_chrdev_open} (fs/char_dev.c's `chrdev_open`: find the cdev of `i_rdev`,
 * replace `file.f_op` with the cdev's operations and call their `open`). Until one is
 * registered, or when it finds no device, the open fails with -ENXIO as on a kernel
 * without that driver.
 *
 * @module
 */

import { ENXIO } from '../errno.js';
import { current } from '../sched/task.js';
import { ktime_get } from '../time/clock.js';
import { cred_of } from './cred.js';
import { type file, type file_operations, inode, type int_ret, type super_block } from './fs.js';
import { fifo_open } from './pipe.js';
import { S_IFMT, S_ISBLK, S_ISCHR, S_ISDIR, S_ISFIFO, S_ISGID, S_ISSOCK } from './stat_mode.js';

/** Hands out inode numbers for filesystems without their own (`get_next_ino`). */
let last_ino = 0;

export function get_next_ino(): number {
  last_ino += 1;
  return last_ino;
}

/** Restarts inode numbering (part of vfs_init). */
export function inode_numbers_reset(): void {
  last_ino = 0;
}

/** A new inode of `sb` with the next inode number and the current time (`new_inode`). */
export function new_inode(sb: super_block): inode {
  const node = new inode(sb);
  node.i_ino = get_next_ino();
  return node;
}

/**
 * Sets owner and group of a new inode from the current task, inheriting the group of a
 * setgid directory (`inode_init_owner`).
 */
export function inode_init_owner(node: inode, dir: inode | null, mode: number): void {
  const cred = cred_of(current());
  node.i_uid = cred.fsuid;
  let m = mode;
  if (dir !== null && dir.i_mode & S_ISGID) {
    node.i_gid = dir.i_gid;
    if (S_ISDIR(mode)) m |= S_ISGID;
  } else {
    node.i_gid = cred.fsgid;
  }
  node.i_mode = m;
}

/** Marks the inode changed now (`inode_set_ctime_current`). */
export function inode_set_ctime_current(node: inode): number {
  node.i_ctime = ktime_get();
  return node.i_ctime;
}

/** Marks the inode's data modified now (mtime and ctime). */
export function inode_touch_mtime(node: inode): void {
  const now = ktime_get();
  node.i_mtime = now;
  node.i_ctime = now;
}

type chrdev_open_fn = (node: inode, filp: file) => int_ret;

let chrdev_open_hook: chrdev_open_fn | undefined;

/**
 * Registers the char-device layer's open (fs/char_dev.c `chrdev_open`). It is called for
 * every open of an S_IFCHR inode with `file.f_op === def_chr_fops`; it must look up the
 * driver of `inode.i_rdev` (-ENXIO if none), pin the driver's table with `fops_get()`
 * (-ENXIO if its module is going away), install it with `replace_fops(file, fops)`, call
 * its `open` if it has one, and return 0 or a negative errno. The VFS then sets
 * FMODE_CAN_READ/WRITE from the installed table, and the last fput() releases through it
 * and unpins it. Passing `undefined` unregisters the hook.
 *
 * @example
 * ```ts
 * import { fops_get, replace_fops, set_chrdev_open, type file_operations } from '@rfl/kernel';
 * const drivers = new Map<number, file_operations>();
 * set_chrdev_open((inode, file) => {
 *   const ops = drivers.get(inode.i_rdev);
 *   const fops = ops === undefined ? null : fops_get(ops);
 *   if (fops === null) return -6;
 *   replace_fops(file, fops);
 *   return fops.open?.(inode, file) ?? 0;
 * });
 * set_chrdev_open(undefined);
 * ```
 */
export function set_chrdev_open(fn: chrdev_open_fn | undefined): void {
  chrdev_open_hook = fn;
}

function chrdev_open(node: inode, filp: file): int_ret {
  if (chrdev_open_hook === undefined) return -ENXIO;
  return chrdev_open_hook(node, filp);
}

/** The operations of every character-device inode until open picks the driver's. */
export const def_chr_fops: file_operations = { open: chrdev_open };

/** Block devices and sockets have no driver in the simulator: open is -ENXIO. */
const bad_sock_fops: file_operations = { open: () => -ENXIO };

/** The operations of a FIFO inode: opening one connects to its pipe. */
export const def_fifo_fops: file_operations = { open: fifo_open };

/** Sets up a device, FIFO or socket inode (`init_special_inode`). */
export function init_special_inode(node: inode, mode: number, rdev: number): void {
  node.i_mode = (node.i_mode & ~S_IFMT) | (mode & S_IFMT);
  if (S_ISCHR(mode)) {
    node.i_fop = def_chr_fops;
    node.i_rdev = rdev;
  } else if (S_ISBLK(mode)) {
    node.i_fop = bad_sock_fops;
    node.i_rdev = rdev;
  } else if (S_ISFIFO(mode)) {
    node.i_fop = def_fifo_fops;
  } else if (S_ISSOCK(mode)) {
    node.i_fop = bad_sock_fops;
  }
}
