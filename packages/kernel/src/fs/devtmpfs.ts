/**
 * devtmpfs (drivers/base/devtmpfs.c): the tmpfs instance mounted at `/dev`
 * in which the kernel itself creates a node for every device with a device
 * number as it is added, and removes it when the device goes — no udev
 * needed. The node gets the device's name (or the name its class's
 * `devnode` returns, which may contain directories: `net/tun`), its
 * major:minor, and its mode (0600 unless the class says otherwise).
 *
 * The instance exists from {@link devtmpfs_init} on, mounted or not, so
 * devices registered before the VFS mounts it still have their nodes. Only
 * nodes devtmpfs created are removed by it: a node made with mknod(2)
 * stays, as in the kernel.
 *
 * @module
 */

import { ENOENT } from '../errno.js';
import { d_alloc, d_lookup } from './dcache.js';
import type { dentry, file_system_type, inode, super_block } from './fs.js';
import { S_IFCHR, S_ISCHR, S_ISDIR } from './stat_mode.js';
import { tmpfs_fs_type } from './tmpfs.js';

/** Marks inodes devtmpfs created (the kernel compares `i_private` with its thread). */
const devtmpfs_marker = Symbol('kdevtmpfs');

let devtmpfs_sb: super_block | undefined;

/** The type of the internal instance: tmpfs, named devtmpfs as /proc/mounts shows it. */
const internal_fs_type: file_system_type = {
  name: 'devtmpfs',
  mount: (_t, flags, dev_name, data) =>
    tmpfs_fs_type.mount(internal_fs_type, flags, dev_name, data),
};

/** The `devtmpfs` filesystem type: every mount shows the one instance. */
export const devtmpfs_fs_type: file_system_type = {
  name: 'devtmpfs',
  mount: () => devtmpfs_sb ?? -ENOENT,
};

/** A fresh, empty devtmpfs instance (part of the driver-core boot). Idempotent. */
export function devtmpfs_init(): void {
  const sb = internal_fs_type.mount(internal_fs_type, 0, 'devtmpfs', { mode: 0o755 });
  devtmpfs_sb = typeof sb === 'number' ? undefined : sb;
}

/** The root of the devtmpfs instance (for tests and the mount). */
export function devtmpfs_root(): dentry | undefined {
  return devtmpfs_sb?.s_root;
}

function dir_of(d: dentry): inode {
  return d.d_inode!;
}

/** `create_path`: the directory that will hold `nodename`, made (0755) as needed. */
function create_path(nodename: string): dentry | number {
  let d = devtmpfs_sb?.s_root;
  if (!d) return -ENOENT;
  const parts = nodename.split('/').slice(0, -1);
  for (const part of parts) {
    let next = d_lookup(d, part);
    if (!next) {
      const nd = d_alloc(d, part);
      const err = dir_of(d).i_op.mkdir!(dir_of(d), nd, 0o755);
      if (err) return err;
      nd.d_inode!.i_private = devtmpfs_marker;
      next = nd;
    }
    if (!S_ISDIR(next.d_inode!.i_mode)) return -ENOENT;
    d = next;
  }
  return d;
}

/**
 * `devtmpfs_create_node` (`handle_create`): the character node `nodename`
 * with permission bits `mode` for `devt`. An existing name is left alone
 * (the kernel's `-EEXIST`, which it does not report).
 */
export function devtmpfs_create_node(nodename: string, mode: number, devt: number): number {
  const dir = create_path(nodename);
  if (typeof dir === 'number') return dir;
  const leaf = nodename.split('/').at(-1)!;
  if (d_lookup(dir, leaf)) return 0;
  const d = d_alloc(dir, leaf);
  const err = dir_of(dir).i_op.mknod!(dir_of(dir), d, S_IFCHR | (mode & 0o7777), devt);
  if (err) return err;
  const node = d.d_inode!;
  node.i_mode = S_IFCHR | (mode & 0o7777);
  node.i_private = devtmpfs_marker;
  return 0;
}

/**
 * `devtmpfs_delete_node` (`handle_remove`): removes `nodename` if it is the
 * node devtmpfs made for `devt`, then the directories it made that are now
 * empty (`delete_path`).
 */
export function devtmpfs_delete_node(nodename: string, devt: number): number {
  let d = devtmpfs_sb?.s_root;
  if (!d) return -ENOENT;
  const chain: dentry[] = [];
  for (const part of nodename.split('/')) {
    const next = d_lookup(d, part);
    if (!next) return -ENOENT;
    chain.push(next);
    d = next;
  }
  const node = d.d_inode!;
  if (!S_ISCHR(node.i_mode) || node.i_rdev !== devt || node.i_private !== devtmpfs_marker) return 0;
  dir_of(d.d_parent).i_op.unlink!(dir_of(d.d_parent), d);
  for (let i = chain.length - 2; i >= 0; i--) {
    const dir = chain[i]!;
    if (dir.d_subdirs.size > 0 || dir.d_inode!.i_private !== devtmpfs_marker) break;
    dir_of(dir.d_parent).i_op.rmdir!(dir_of(dir.d_parent), dir);
  }
  return 0;
}
