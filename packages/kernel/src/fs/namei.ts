/**
 * Path lookup and permission checks (fs/namei.c): walking a path component by component
 * through directories, mounts and symlinks, as `link_path_walk()` does, with the errors
 * the kernel gives — ENOENT for a missing component, ENOTDIR for a non-directory in the
 * middle, EACCES for a directory without search permission, ELOOP after 40 symlinks,
 * ENAMETOOLONG for a component over 255 bytes.
 *
 * @module
 */

import { EACCES, EBADF, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR } from '../errno.js';
import { current } from '../sched/task.js';
import { cred_of } from './cred.js';
import { d_add, d_alloc, d_lookup } from './dcache.js';
import { AT_FDCWD, MAXSYMLINKS, NAME_MAX } from './fcntl.js';
import { fdget_raw } from './fdtable.js';
import type { dentry, inode, path } from './fs.js';
import { task_pwd } from './fs_struct.js';
import { current_root, follow_mount } from './namespace.js';
import { S_ISDIR, S_ISLNK } from './stat_mode.js';

export const MAY_EXEC = 0x1;
export const MAY_WRITE = 0x2;
export const MAY_READ = 0x4;
export const MAY_APPEND = 0x8;
export const MAY_OPEN = 0x20;

/** Follow a symlink in the last component. */
export const LOOKUP_FOLLOW = 0x0001;
/** The result must be a directory. */
export const LOOKUP_DIRECTORY = 0x0002;

/** Kinds of last component (`LAST_NORM`...). */
export const LAST_NORM = 0;
export const LAST_ROOT = 1;
export const LAST_DOT = 2;
export const LAST_DOTDOT = 3;

/**
 * The mode-bit check of `generic_permission()`: owner, group or other bits by who the
 * current task is; root passes read and write always, and execute when any execute bit is
 * set or the inode is a directory (CAP_DAC_OVERRIDE). Returns 0 or -EACCES.
 */
export function generic_permission(node: inode, mask: number): number {
  const cred = cred_of(current());
  const want = mask & (MAY_READ | MAY_WRITE | MAY_EXEC);
  if (cred.fsuid === 0) {
    if ((want & MAY_EXEC) === 0 || S_ISDIR(node.i_mode) || node.i_mode & 0o111) return 0;
    return -EACCES;
  }
  let bits: number;
  if (cred.fsuid === node.i_uid) bits = (node.i_mode >> 6) & 7;
  else if (cred.fsgid === node.i_gid) bits = (node.i_mode >> 3) & 7;
  else bits = node.i_mode & 7;
  return (bits & want) === want ? 0 : -EACCES;
}

/** `inode_permission()`: the mode-bit check (no ACLs or LSMs in the simulator). */
export function inode_permission(node: inode, mask: number): number {
  return generic_permission(node, mask);
}

/** A directory that was removed while still in use (`IS_DEADDIR`). */
export function IS_DEADDIR(node: inode | null): boolean {
  return node !== null && S_ISDIR(node.i_mode) && node.i_nlink === 0;
}

/** Where a path starts: the root, the working directory, or a directory fd. */
function path_start(dfd: number, name: string): path | number {
  if (name.startsWith('/')) return current_root();
  if (dfd === AT_FDCWD) return task_pwd(current());
  const f = fdget_raw(dfd);
  if (f === null) return -EBADF;
  if (!S_ISDIR(f.f_inode.i_mode)) return -ENOTDIR;
  return f.f_path;
}

/**
 * The child `name` of the directory `dir`: from the dentry tree, else from the
 * filesystem's `i_op.lookup`. Returns null for a name that does not exist.
 */
export function lookup_one(dir: dentry, name: string): dentry | null | number {
  // A removed directory (IS_DEADDIR) has no names and gets no new ones.
  if (IS_DEADDIR(dir.d_inode)) return null;
  const cached = d_lookup(dir, name);
  if (cached !== null) return cached;
  const lookup = dir.d_inode?.i_op.lookup;
  if (lookup === undefined) return null;
  const d = d_alloc(dir, name);
  const res = lookup(dir.d_inode!, d, 0);
  if (typeof res === 'number') return res;
  if (res !== null) return res;
  if (d.d_inode === null) return null;
  d_add(d, d.d_inode);
  return d;
}

function follow_dotdot(p: path): path {
  let { mnt, dentry } = p;
  const root = current_root();
  for (;;) {
    if (dentry === root.dentry && mnt === root.mnt) return { mnt, dentry };
    if (dentry !== mnt.mnt_root) return follow_mount({ mnt, dentry: dentry.d_parent });
    dentry = mnt.mnt_mountpoint;
    mnt = mnt.mnt_parent;
  }
}

/** The target of a symlink inode, or a negative errno. */
export function vfs_get_link(d: dentry): string | number {
  const node = d.d_inode!;
  if (node.i_op.get_link !== undefined) return node.i_op.get_link(d, node);
  if (node.i_link !== undefined) return node.i_link;
  return -EACCES;
}

interface nameidata {
  links: number;
}

function walk(nd: nameidata, start: path, name: string, follow_last: boolean): path | number {
  const comps = name.split('/');
  const trailing = comps.length > 1 && comps[comps.length - 1] === '';
  let cur = name.startsWith('/') ? current_root() : start;
  const last_index = trailing ? comps.length - 2 : comps.length - 1;
  for (let i = 0; i < comps.length; i++) {
    const comp = comps[i]!;
    if (comp === '') continue;
    const dir = cur.dentry.d_inode!;
    if (!S_ISDIR(dir.i_mode)) return -ENOTDIR;
    const perm = inode_permission(dir, MAY_EXEC);
    if (perm < 0) return perm;
    if (comp === '.') continue;
    if (comp === '..') {
      cur = follow_dotdot(cur);
      continue;
    }
    if (comp.length > NAME_MAX) return -ENAMETOOLONG;
    const child = lookup_one(cur.dentry, comp);
    if (typeof child === 'number') return child;
    if (child === null) return -ENOENT;
    const next = follow_mount({ mnt: cur.mnt, dentry: child });
    const is_last = i >= last_index;
    if (S_ISLNK(next.dentry.d_inode!.i_mode) && (!is_last || follow_last || trailing)) {
      nd.links += 1;
      if (nd.links > MAXSYMLINKS) return -ELOOP;
      const target = vfs_get_link(next.dentry);
      if (typeof target === 'number') return target;
      if (target === '') return -ENOENT;
      const resolved = walk(nd, cur, target, true);
      if (typeof resolved === 'number') return resolved;
      cur = resolved;
    } else {
      cur = next;
    }
  }
  if (trailing && !S_ISDIR(cur.dentry.d_inode!.i_mode)) return -ENOTDIR;
  return cur;
}

/**
 * Looks up `name` relative to `dfd` (AT_FDCWD or a directory fd) with LOOKUP_* `flags`
 * (`filename_lookup`). Returns the path or a negative errno.
 */
export function filename_lookup(dfd: number, name: string, flags: number): path | number {
  if (name === '') return -ENOENT;
  const start = path_start(dfd, name);
  if (typeof start === 'number') return start;
  const p = walk({ links: 0 }, start, name, (flags & LOOKUP_FOLLOW) !== 0);
  if (typeof p === 'number') return p;
  if (flags & LOOKUP_DIRECTORY && !S_ISDIR(p.dentry.d_inode!.i_mode)) return -ENOTDIR;
  return p;
}

/** Looks up a kernel path string from the root (`kern_path`). */
export function kern_path(name: string, flags: number): path | number {
  return filename_lookup(AT_FDCWD, name, flags);
}

/** The directory a name is created in and the name's last component. */
export interface parent_lookup {
  readonly path: path;
  readonly last: string;
  /** LAST_NORM, LAST_ROOT, LAST_DOT or LAST_DOTDOT. */
  readonly type: number;
  /** The name ended in '/'. */
  readonly trailing_slash: boolean;
}

/** Splits `name` into its directory (looked up) and last component (`filename_parentat`). */
export function filename_parentat(dfd: number, name: string): parent_lookup | number {
  if (name === '') return -ENOENT;
  const stripped = name.replace(/\/+$/, '');
  const trailing_slash = stripped.length !== name.length;
  if (stripped === '') return { path: current_root(), last: '', type: LAST_ROOT, trailing_slash };
  const cut = stripped.lastIndexOf('/');
  const dir_part = cut < 0 ? '' : stripped.slice(0, cut + 1);
  const last = stripped.slice(cut + 1);
  const start = path_start(dfd, name);
  if (typeof start === 'number') return start;
  const p = dir_part === '' ? start : walk({ links: 0 }, start, dir_part, true);
  if (typeof p === 'number') return p;
  const dir = p.dentry.d_inode!;
  if (!S_ISDIR(dir.i_mode)) return -ENOTDIR;
  if (last.length > NAME_MAX) return -ENAMETOOLONG;
  const type = last === '.' ? LAST_DOT : last === '..' ? LAST_DOTDOT : LAST_NORM;
  return { path: p, last, type, trailing_slash };
}
