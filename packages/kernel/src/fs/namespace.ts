/**
 * The mount tree (fs/namespace.c): which filesystem instance is attached where. Path
 * walks cross from a mountpoint dentry into the mounted root, and `..` at a mount's root
 * climbs back to the mountpoint.
 *
 * The simulated machine has one mount namespace; {@link vfs_init} builds it.
 *
 * @module
 */

import { EBUSY, EINVAL, ENODEV, ENOTDIR } from '../errno.js';
import type { file_system_type, path, super_block, vfsmount } from './fs.js';
import { kern_path, LOOKUP_FOLLOW } from './namei.js';
import { S_ISDIR } from './stat_mode.js';
import { get_fs_type } from './super.js';

/** Mounts attached to the tree, in the order they were mounted. */
const mounts: vfsmount[] = [];
let root_mnt: vfsmount | undefined;

function mnt_from_sb(sb: super_block, devname: string, parent?: path): vfsmount {
  const m = {
    mnt_root: sb.s_root,
    mnt_sb: sb,
    mnt_devname: devname,
    mnt_flags: 0,
  } as { -readonly [K in keyof vfsmount]: vfsmount[K] };
  m.mnt_parent = parent?.mnt ?? m;
  m.mnt_mountpoint = parent?.dentry ?? sb.s_root;
  return m;
}

/**
 * Mounts a new instance of `fs_type` without attaching it anywhere (`vfs_kern_mount`):
 * what internal filesystems (pipefs, anon_inodefs) use.
 */
export function vfs_kern_mount(
  fs_type: file_system_type,
  flags: number,
  name: string,
  data: unknown,
): vfsmount | number {
  const sb = fs_type.mount(fs_type, flags, name, data);
  if (typeof sb === 'number') return sb;
  return mnt_from_sb(sb, name);
}

/** `kern_mount(type)`. */
export function kern_mount(fs_type: file_system_type): vfsmount | number {
  return vfs_kern_mount(fs_type, 0, fs_type.name, null);
}

/** The root of the tree (`current->fs->root`); throws before vfs_init(). */
export function current_root(): path {
  if (root_mnt === undefined) throw new Error('vfs: no root filesystem (call vfs_init() first)');
  return { mnt: root_mnt, dentry: root_mnt.mnt_root };
}

/** Makes an instance of `fs_type` the root of the tree (`init_mount_tree`). */
export function init_mount_tree(fs_type: file_system_type, devname: string, data: unknown): number {
  const sb = fs_type.mount(fs_type, 0, devname, data);
  if (typeof sb === 'number') return sb;
  mounts.length = 0;
  root_mnt = mnt_from_sb(sb, devname);
  mounts.push(root_mnt);
  return 0;
}

/** The mount attached most recently on `p`, if any (`lookup_mnt`). */
export function lookup_mnt(p: path): vfsmount | undefined {
  if (p.dentry.d_mounted === 0) return undefined;
  for (let i = mounts.length - 1; i >= 0; i--) {
    const m = mounts[i]!;
    if (m !== root_mnt && m.mnt_parent === p.mnt && m.mnt_mountpoint === p.dentry) return m;
  }
  return undefined;
}

/** Crosses every mount stacked on `p` (`follow_down`). */
export function follow_mount(p: path): path {
  let cur = p;
  for (;;) {
    const m = lookup_mnt(cur);
    if (m === undefined) return cur;
    cur = { mnt: m, dentry: m.mnt_root };
  }
}

/**
 * Mounts `dev_name` of filesystem `type` on the directory `dir_name` (`do_mount`, the
 * in-kernel form of mount(2): the paths are kernel strings). Returns 0, -ENODEV for an
 * unknown type, -ENOENT/-ENOTDIR for a bad mountpoint, or the filesystem's error.
 *
 * @example
 * ```ts
 * import { do_mount, vfs_init } from '@rfl/kernel';
 * vfs_init();
 * do_mount('none', '/tmp', 'nosuchfs', 0, null) // => -19
 * do_mount('tmpfs', '/mnt', 'tmpfs', 0, null) // => -2
 * ```
 */
export function do_mount(
  dev_name: string,
  dir_name: string,
  type: string,
  flags: number,
  data: unknown,
): number {
  const fs_type = get_fs_type(type);
  if (fs_type === undefined) return -ENODEV;
  const mp = kern_path(dir_name, LOOKUP_FOLLOW);
  if (typeof mp === 'number') return mp;
  if (!S_ISDIR(mp.dentry.d_inode?.i_mode ?? 0)) return -ENOTDIR;
  const sb = fs_type.mount(fs_type, flags, dev_name, data);
  if (typeof sb === 'number') return sb;
  const m = mnt_from_sb(sb, dev_name, mp);
  mp.dentry.d_mounted += 1;
  mounts.push(m);
  return 0;
}

/**
 * Detaches the mount whose root is `dir_name` (`path_umount`): -EINVAL if it is not a
 * mount root or is the root, -EBUSY if something is mounted below it.
 */
export function do_umount(dir_name: string): number {
  const p = kern_path(dir_name, LOOKUP_FOLLOW);
  if (typeof p === 'number') return p;
  if (p.dentry !== p.mnt.mnt_root || p.mnt === root_mnt) return -EINVAL;
  if (mounts.some((m) => m.mnt_parent === p.mnt && m !== p.mnt)) return -EBUSY;
  const i = mounts.indexOf(p.mnt);
  if (i < 0) return -EINVAL;
  mounts.splice(i, 1);
  p.mnt.mnt_mountpoint.d_mounted -= 1;
  p.mnt.mnt_sb.s_type.kill_sb?.(p.mnt.mnt_sb);
  return 0;
}

/** The absolute path of `p` in the tree (`d_path`). */
export function d_path(p: path): string {
  const parts: string[] = [];
  let { mnt, dentry } = p;
  for (;;) {
    if (dentry === mnt.mnt_root) {
      if (mnt.mnt_parent === mnt) break;
      dentry = mnt.mnt_mountpoint;
      mnt = mnt.mnt_parent;
      continue;
    }
    parts.push(dentry.d_name);
    dentry = dentry.d_parent;
  }
  return `/${parts.reverse().join('/')}`;
}

/** One line of /proc/mounts. */
export interface mount_entry {
  readonly devname: string;
  readonly dir: string;
  readonly type: string;
}

/** The mounted filesystems in mount order (what /proc/mounts lists). */
export function mount_table(): mount_entry[] {
  return mounts.map((m) => ({
    devname: m.mnt_devname,
    dir: d_path({ mnt: m, dentry: m.mnt_root }),
    type: m.mnt_sb.s_type.name,
  }));
}
