/**
 * Creating and removing names (fs/namei.c): mkdir, mknod, symlink, unlink, rmdir and
 * readlink, with the errors of the kernel's `do_*at()` functions.
 *
 * - A name that exists: -EEXIST (mkdir, mknod, symlink); a missing one: -ENOENT.
 * - No write and search permission on the directory: -EACCES.
 * - A filesystem without the operation: -EPERM.
 * - mknod of a device by a non-root task: -EPERM; of a directory: -EPERM; of an unknown
 *   type: -EINVAL.
 * - unlink of a directory: -EISDIR; rmdir of a non-directory: -ENOTDIR, of a non-empty
 *   one: -ENOTEMPTY, of `.`: -EINVAL, of `..`: -ENOTEMPTY, of a mountpoint or `/`: -EBUSY.
 * - readlink of something that is not a symlink: -EINVAL.
 *
 * @module
 */

import { EBUSY, EEXIST, EINVAL, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, EPERM } from '../errno.js';
import { current } from '../sched/task.js';
import { cred_of, task_umask } from './cred.js';
import { d_alloc } from './dcache.js';
import type { dentry, inode, path } from './fs.js';
import {
  filename_lookup,
  filename_parentat,
  IS_DEADDIR,
  inode_permission,
  LAST_DOT,
  LAST_DOTDOT,
  LAST_NORM,
  LAST_ROOT,
  lookup_one,
  MAY_EXEC,
  MAY_WRITE,
  type parent_lookup,
  vfs_get_link,
} from './namei.js';
import {
  S_IALLUGO,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
  S_IRWXUGO,
  S_ISBLK,
  S_ISCHR,
  S_ISDIR,
  S_ISLNK,
  S_ISVTX,
} from './stat_mode.js';

function may_create(dir: inode): number {
  if (IS_DEADDIR(dir)) return -ENOENT;
  return inode_permission(dir, MAY_WRITE | MAY_EXEC);
}

/**
 * The parent and a fresh dentry for a name about to be created (`filename_create`):
 * -EEXIST if it exists or is `.`/`..`/`/`, -ENOENT for a trailing slash on a non-directory.
 */
function filename_create(
  dfd: number,
  name: string,
  is_dir: boolean,
): { parent: path; d: dentry } | number {
  const p = filename_parentat(dfd, name);
  if (typeof p === 'number') return p;
  if (p.type !== LAST_NORM) return -EEXIST;
  const existing = lookup_one(p.path.dentry, p.last);
  if (typeof existing === 'number') return existing;
  if (existing !== null) return -EEXIST;
  if (p.trailing_slash && !is_dir) return -ENOENT;
  return { parent: p.path, d: d_alloc(p.path.dentry, p.last) };
}

/** `vfs_mkdir`. */
export function vfs_mkdir(dir: inode, d: dentry, mode: number): number {
  const err = may_create(dir);
  if (err < 0) return err;
  if (dir.i_op.mkdir === undefined) return -EPERM;
  return dir.i_op.mkdir(dir, d, mode & (S_IRWXUGO | S_ISVTX));
}

/** mkdir(2) with a kernel string (`do_mkdirat`). */
export function do_mkdirat(dfd: number, name: string, mode: number): number {
  const c = filename_create(dfd, name, true);
  if (typeof c === 'number') return c;
  return vfs_mkdir(c.parent.dentry.d_inode!, c.d, mode & ~task_umask(current()));
}

/** `vfs_mknod`: devices need root (CAP_MKNOD). */
export function vfs_mknod(dir: inode, d: dentry, mode: number, dev: number): number {
  if ((S_ISCHR(mode) || S_ISBLK(mode)) && cred_of(current()).fsuid !== 0) return -EPERM;
  const err = may_create(dir);
  if (err < 0) return err;
  if (dir.i_op.mknod === undefined) return -EPERM;
  return dir.i_op.mknod(dir, d, mode, dev);
}

/** mknod(2) with a kernel string (`do_mknodat`); `dev` is a kernel dev_t. */
export function do_mknodat(dfd: number, name: string, mode: number, dev: number): number {
  let m = mode;
  switch (m & S_IFMT) {
    case 0:
      m |= S_IFREG;
      break;
    case S_IFREG:
    case S_IFCHR:
    case S_IFBLK:
    case S_IFIFO:
    case S_IFSOCK:
      break;
    case S_IFDIR:
      return -EPERM;
    default:
      return -EINVAL;
  }
  const c = filename_create(dfd, name, false);
  if (typeof c === 'number') return c;
  const dir = c.parent.dentry.d_inode!;
  const perm = (m & S_IALLUGO & ~task_umask(current())) | (m & S_IFMT);
  if ((m & S_IFMT) === S_IFREG) {
    const e = may_create(dir);
    if (e < 0) return e;
    if (dir.i_op.create === undefined) return -EPERM;
    return dir.i_op.create(dir, c.d, perm, false);
  }
  return vfs_mknod(dir, c.d, perm, (m & S_IFMT) === S_IFCHR || (m & S_IFMT) === S_IFBLK ? dev : 0);
}

/** symlink(2) with kernel strings (`do_symlinkat`). */
export function do_symlinkat(target: string, newdfd: number, newname: string): number {
  if (target === '') return -ENOENT;
  const c = filename_create(newdfd, newname, false);
  if (typeof c === 'number') return c;
  const dir = c.parent.dentry.d_inode!;
  const err = may_create(dir);
  if (err < 0) return err;
  if (dir.i_op.symlink === undefined) return -EPERM;
  return dir.i_op.symlink(dir, c.d, target);
}

function lookup_for_delete(
  dfd: number,
  name: string,
): { p: parent_lookup; d: dentry | null } | number {
  const p = filename_parentat(dfd, name);
  if (typeof p === 'number') return p;
  if (p.type !== LAST_NORM) return { p, d: null };
  const d = lookup_one(p.path.dentry, p.last);
  if (typeof d === 'number') return d;
  return { p, d };
}

/** unlink(2) with a kernel string (`do_unlinkat`). */
export function do_unlinkat(dfd: number, name: string): number {
  const r = lookup_for_delete(dfd, name);
  if (typeof r === 'number') return r;
  if (r.p.type !== LAST_NORM) return -EISDIR;
  if (r.d === null) return -ENOENT;
  const node = r.d.d_inode!;
  if (r.p.trailing_slash) return S_ISDIR(node.i_mode) ? -EISDIR : -ENOTDIR;
  if (S_ISDIR(node.i_mode)) return -EISDIR;
  const dir = r.p.path.dentry.d_inode!;
  const err = may_create(dir);
  if (err < 0) return err;
  if (r.d.d_mounted > 0) return -EBUSY;
  if (dir.i_op.unlink === undefined) return -EPERM;
  return dir.i_op.unlink(dir, r.d);
}

/** rmdir(2) with a kernel string (`do_rmdir`). */
export function do_rmdir(dfd: number, name: string): number {
  const r = lookup_for_delete(dfd, name);
  if (typeof r === 'number') return r;
  switch (r.p.type) {
    case LAST_DOTDOT:
      return -ENOTEMPTY;
    case LAST_DOT:
      return -EINVAL;
    case LAST_ROOT:
      return -EBUSY;
  }
  if (r.d === null) return -ENOENT;
  const node = r.d.d_inode!;
  if (!S_ISDIR(node.i_mode)) return -ENOTDIR;
  const dir = r.p.path.dentry.d_inode!;
  const err = may_create(dir);
  if (err < 0) return err;
  if (r.d.d_mounted > 0) return -EBUSY;
  if (dir.i_op.rmdir === undefined) return -EPERM;
  return dir.i_op.rmdir(dir, r.d);
}

/** readlink(2) with a kernel string (`do_readlinkat`): the target, or a negative errno. */
export function do_readlinkat(dfd: number, name: string): string | number {
  const p = filename_lookup(dfd, name, 0);
  if (typeof p === 'number') return p;
  if (!S_ISLNK(p.dentry.d_inode!.i_mode)) return -EINVAL;
  return vfs_get_link(p.dentry);
}
