/**
 * Opening and closing files (fs/open.c, fs/namei.c's `path_openat`).
 *
 * `do_filp_open()` resolves the name (creating it for O_CREAT), checks the open against
 * the inode (`may_open`: ELOOP for a symlink with O_NOFOLLOW, EISDIR for writing a
 * directory, ENOTDIR for O_DIRECTORY on a non-directory, EACCES from the mode bits),
 * truncates for O_TRUNC and calls `do_dentry_open()`, which installs the inode's
 * `i_fop`, runs `f_op.open` and sets FMODE_CAN_READ/FMODE_CAN_WRITE from the
 * operations the file ends up with.
 *
 * @module
 */

import { EBADF, EEXIST, EISDIR, ELOOP, ENODEV, ENOENT, ENOTDIR, EPERM } from '../errno.js';
import { current } from '../sched/task.js';
import { task_umask } from './cred.js';
import { d_alloc } from './dcache.js';
import {
  AT_FDCWD,
  O_ACCMODE,
  O_APPEND,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOCTTY,
  O_NOFOLLOW,
  O_TRUNC,
} from './fcntl.js';
import { fd_install, file_close_fd, get_unused_fd_flags, put_unused_fd } from './fdtable.js';
import { fops_get, fops_put, fput } from './file_table.js';
import {
  FMODE_ATOMIC_POS,
  FMODE_CAN_READ,
  FMODE_CAN_WRITE,
  FMODE_CREATED,
  FMODE_LSEEK,
  FMODE_OPENED,
  FMODE_PREAD,
  FMODE_PWRITE,
  FMODE_READ,
  FMODE_WRITE,
  file,
  type int_ret,
  type path,
} from './fs.js';
import { inode_touch_mtime } from './inode.js';
import {
  filename_lookup,
  filename_parentat,
  IS_DEADDIR,
  inode_permission,
  LAST_NORM,
  LOOKUP_DIRECTORY,
  LOOKUP_FOLLOW,
  lookup_one,
  MAY_APPEND,
  MAY_EXEC,
  MAY_OPEN,
  MAY_READ,
  MAY_WRITE,
} from './namei.js';
import { follow_mount } from './namespace.js';
import { S_IALLUGO, S_IFREG, S_ISDIR, S_ISLNK, S_ISREG } from './stat_mode.js';

/** `OPEN_FMODE(flags)`: FMODE_READ/FMODE_WRITE from the access mode (3 gives neither). */
export function OPEN_FMODE(flags: number): number {
  return (flags + 1) & O_ACCMODE;
}

/** The permission an open asks for (`ACC_MODE` plus O_TRUNC/O_APPEND). */
function open_acc_mode(flags: number): number {
  const acc = [MAY_READ, MAY_WRITE, MAY_READ | MAY_WRITE, MAY_READ | MAY_WRITE][flags & O_ACCMODE]!;
  let mode = acc | MAY_OPEN;
  if (flags & O_TRUNC) mode |= MAY_WRITE;
  if (flags & O_APPEND) mode |= MAY_APPEND;
  return mode;
}

/**
 * Opens the file at `p` (`do_dentry_open`): the inode's operations, `f_op.open`, then the
 * CAN_READ/CAN_WRITE bits. Returns the file (one reference) or a negative errno; a failed
 * open is not released.
 */
export async function vfs_open(p: path, flags: number): Promise<file | number> {
  const node = p.dentry.d_inode;
  if (node === null) return -ENOENT;
  let mode = OPEN_FMODE(flags) | FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
  if (S_ISREG(node.i_mode) || S_ISDIR(node.i_mode)) mode |= FMODE_ATOMIC_POS;
  const fops = fops_get(node.i_fop);
  if (fops === null) return -ENODEV;
  const f = new file(p, node, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC), mode, fops);
  const open = f.f_op.open;
  if (open !== undefined) {
    const err = await open(node, f);
    if (err < 0) {
      fops_put(f.f_op);
      return err;
    }
  }
  f.f_mode |= FMODE_OPENED;
  if (f.f_mode & FMODE_READ && (f.f_op.read !== undefined || f.f_op.read_iter !== undefined))
    f.f_mode |= FMODE_CAN_READ;
  if (f.f_mode & FMODE_WRITE && (f.f_op.write !== undefined || f.f_op.write_iter !== undefined))
    f.f_mode |= FMODE_CAN_WRITE;
  // Since no_llseek went away (Linux 6.12), a file without llseek is simply not seekable.
  if (f.f_mode & FMODE_LSEEK && f.f_op.llseek === undefined) f.f_mode &= ~FMODE_LSEEK;
  return f;
}

/** Truncates a regular file to zero length (what O_TRUNC does). */
function handle_truncate(f: file): void {
  const node = f.f_inode;
  if (!S_ISREG(node.i_mode) || node.i_size === 0) return;
  node.i_pages = new Uint8Array(0);
  node.i_size = 0;
  inode_touch_mtime(node);
}

/** The permission checks of an open on an existing inode (`may_open`). */
function may_open(p: path, acc_mode: number, flags: number): number {
  const node = p.dentry.d_inode!;
  if (S_ISLNK(node.i_mode)) return -ELOOP;
  if (S_ISDIR(node.i_mode)) {
    if (acc_mode & MAY_WRITE) return -EISDIR;
  } else if (flags & O_DIRECTORY) {
    return -ENOTDIR;
  }
  return inode_permission(node, acc_mode & (MAY_READ | MAY_WRITE | MAY_EXEC));
}

/** Creates the regular file `last` in the directory `dir` (`vfs_create`). */
function vfs_create(dir: path, last: string, mode: number): path | number {
  const dnode = dir.dentry.d_inode!;
  if (IS_DEADDIR(dnode)) return -ENOENT;
  const perm = inode_permission(dnode, MAY_WRITE | MAY_EXEC);
  if (perm < 0) return perm;
  const create = dnode.i_op.create;
  if (create === undefined) return -EPERM;
  const d = d_alloc(dir.dentry, last);
  const m = ((mode & S_IALLUGO & ~task_umask(current())) | S_IFREG) >>> 0;
  const err = create(dnode, d, m, true);
  if (err < 0) return err;
  return { mnt: dir.mnt, dentry: d };
}

/**
 * Opens (and with O_CREAT creates) the file `name` relative to `dfd` (`do_filp_open`):
 * the kernel-internal open. Returns a file with one reference, or a negative errno.
 */
export async function do_filp_open(
  dfd: number,
  name: string,
  flags: number,
  mode: number,
): Promise<file | number> {
  const acc_mode = open_acc_mode(flags);
  let target: path | number;
  let created = false;
  if (flags & O_CREAT) {
    const parent = filename_parentat(dfd, name);
    if (typeof parent === 'number') return parent;
    if (parent.type !== LAST_NORM || parent.trailing_slash) return -EISDIR;
    const child = lookup_one(parent.path.dentry, parent.last);
    if (typeof child === 'number') return child;
    if (child === null) {
      target = vfs_create(parent.path, parent.last, mode);
      created = true;
    } else {
      if (flags & O_EXCL) return -EEXIST;
      const existing = follow_mount({ mnt: parent.path.mnt, dentry: child });
      if (S_ISLNK(existing.dentry.d_inode!.i_mode) && !(flags & O_NOFOLLOW)) {
        target = filename_lookup(dfd, name, LOOKUP_FOLLOW);
      } else {
        target = existing;
      }
      if (typeof target !== 'number' && S_ISDIR(target.dentry.d_inode!.i_mode)) return -EISDIR;
    }
  } else {
    let lookup_flags = flags & O_NOFOLLOW ? 0 : LOOKUP_FOLLOW;
    if (flags & O_DIRECTORY) lookup_flags |= LOOKUP_DIRECTORY;
    target = filename_lookup(dfd, name, lookup_flags);
  }
  if (typeof target === 'number') return target;
  // A file this open created may be opened whatever mode it was given.
  if (!created) {
    const err = may_open(target, acc_mode, flags);
    if (err < 0) return err;
  }
  const f = await vfs_open(target, flags);
  if (typeof f === 'number') return f;
  if (created) f.f_mode |= FMODE_CREATED;
  if (flags & O_TRUNC && !created) handle_truncate(f);
  return f;
}

/** Opens a kernel path (`filp_open`). */
export function filp_open(name: string, flags: number, mode: number): Promise<file | number> {
  return do_filp_open(AT_FDCWD, name, flags, mode);
}

/**
 * What every close of a descriptor does (`filp_close`): `f_op.flush`, then drops the
 * descriptor's reference. Returns flush's result (close(2) reports it).
 */
export function filp_close(f: file, id: unknown = current().files): int_ret {
  const flush = f.f_op.flush;
  if (flush === undefined) {
    fput(f);
    return 0;
  }
  const ret = flush(f, id);
  if (typeof ret === 'number') {
    fput(f);
    return ret;
  }
  return ret.then((v) => {
    fput(f);
    return v;
  });
}

/**
 * Opens `name` (a kernel string) into a new descriptor (`do_sys_open`): the descriptor
 * or a negative errno (-EMFILE when the table is full).
 */
export async function do_sys_open(
  dfd: number,
  name: string,
  flags: number,
  mode: number,
): Promise<number> {
  const fd = get_unused_fd_flags(flags);
  if (fd < 0) return fd;
  const f = await do_filp_open(dfd, name, flags, mode);
  if (typeof f === 'number') {
    put_unused_fd(fd);
    return f;
  }
  fd_install(fd, f);
  return fd;
}

/** Closes a descriptor (`close_fd`): -EBADF if it is not open. */
export async function close_fd(fd: number): Promise<number> {
  const f = file_close_fd(fd);
  if (f === null) return -EBADF;
  return filp_close(f);
}
