/**
 * The system calls on names and metadata: stat, lstat, fstat, newfstatat, getdents64,
 * mknod(at), mkdir(at), unlink(at), rmdir, symlink(at), readlink(at) and umask. Names and
 * buffers are user addresses; errors are negative errnos (see namei_create.ts for which).
 *
 * @module
 */

import { EBADF, EFAULT, EINVAL, ENOENT, ERANGE } from '../errno.js';
import { current } from '../sched/task.js';
import { sim_set_umask } from './cred.js';
import { AT_EMPTY_PATH, AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW } from './fcntl.js';
import { fdget_raw } from './fdtable.js';
import type { path } from './fs.js';
import { set_fs_pwd, task_pwd } from './fs_struct.js';
import { new_decode_dev } from './kdev_t.js';
import {
  filename_lookup,
  inode_permission,
  LOOKUP_DIRECTORY,
  LOOKUP_FOLLOW,
  MAY_EXEC,
} from './namei.js';
import {
  do_mkdirat,
  do_mknodat,
  do_readlinkat,
  do_rmdir,
  do_symlinkat,
  do_unlinkat,
} from './namei_create.js';
import { d_path } from './namespace.js';
import { getdents64_bytes } from './readdir.js';
import { encode_stat, vfs_getattr } from './stat.js';
import {
  fd_arg,
  getname,
  int_arg,
  size_arg,
  syscall_exit,
  uint_arg,
  uptr_arg,
} from './syscall_common.js';
import { user_access_ok, user_write_bytes } from './user_bytes.js';

function copy_stat(p: path, statbuf: number): number {
  const bytes = encode_stat(vfs_getattr(p));
  return user_write_bytes(uptr_arg(statbuf), bytes) === bytes.length ? 0 : -EFAULT;
}

/** newfstatat(2): AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH (stat of `dfd` itself) honoured. */
export async function sys_newfstatat(
  dfd: number,
  filename: number,
  statbuf: number,
  flag: number,
): Promise<number> {
  const fl = uint_arg(flag);
  if (fl & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return syscall_exit(-EINVAL);
  const name = getname(filename);
  if (name === -ENOENT && fl & AT_EMPTY_PATH) return sys_fstat(dfd, statbuf);
  if (typeof name === 'number') return syscall_exit(name);
  const p = filename_lookup(int_arg(dfd), name, fl & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW);
  if (typeof p === 'number') return syscall_exit(p);
  return syscall_exit(copy_stat(p, statbuf));
}

/** stat(2): fills the 144-byte `struct stat` at `statbuf`, following symlinks. */
export function sys_stat(filename: number, statbuf: number): Promise<number> {
  return sys_newfstatat(AT_FDCWD, filename, statbuf, 0);
}

/** lstat(2): like stat, but of a symlink itself. */
export function sys_lstat(filename: number, statbuf: number): Promise<number> {
  return sys_newfstatat(AT_FDCWD, filename, statbuf, AT_SYMLINK_NOFOLLOW);
}

/** fstat(2). */
export async function sys_fstat(fd: number, statbuf: number): Promise<number> {
  const filp = fdget_raw(fd_arg(fd));
  if (filp === null) return syscall_exit(-EBADF);
  return syscall_exit(copy_stat(filp.f_path, statbuf));
}

/**
 * getdents64(2): as many `struct linux_dirent64` records as fit in `count` bytes at
 * `dirent`; the bytes written, 0 at the end of the directory, -ENOTDIR, -EINVAL when the
 * buffer cannot hold one entry, -EFAULT.
 */
export async function sys_getdents64(fd: number, dirent: number, count: number): Promise<number> {
  const filp = fdget_raw(fd_arg(fd));
  if (filp === null) return syscall_exit(-EBADF);
  const n = Math.min(size_arg(count), 0x7fffffff);
  const buf = uptr_arg(dirent);
  if (!user_access_ok(buf, n)) return syscall_exit(-EFAULT);
  const pos = filp.f_pos;
  const bytes = await getdents64_bytes(filp, n);
  if (typeof bytes === 'number') return syscall_exit(bytes);
  if (user_write_bytes(buf, bytes) < bytes.length) {
    filp.f_pos = pos;
    return syscall_exit(-EFAULT);
  }
  return syscall_exit(bytes.length);
}

/** mknodat(2): `dev` in the user encoding of `st_rdev` (makedev). */
export async function sys_mknodat(
  dfd: number,
  filename: number,
  mode: number,
  dev: number,
): Promise<number> {
  const name = getname(filename);
  if (typeof name === 'number') return syscall_exit(name);
  return syscall_exit(
    do_mknodat(int_arg(dfd), name, uint_arg(mode), new_decode_dev(uint_arg(dev))),
  );
}

/** mknod(2). */
export function sys_mknod(filename: number, mode: number, dev: number): Promise<number> {
  return sys_mknodat(AT_FDCWD, filename, mode, dev);
}

/** mkdirat(2). */
export async function sys_mkdirat(dfd: number, pathname: number, mode: number): Promise<number> {
  const name = getname(pathname);
  if (typeof name === 'number') return syscall_exit(name);
  return syscall_exit(do_mkdirat(int_arg(dfd), name, uint_arg(mode)));
}

/** mkdir(2). */
export function sys_mkdir(pathname: number, mode: number): Promise<number> {
  return sys_mkdirat(AT_FDCWD, pathname, mode);
}

/** unlinkat(2): AT_REMOVEDIR makes it rmdir. */
export async function sys_unlinkat(dfd: number, pathname: number, flag: number): Promise<number> {
  const fl = uint_arg(flag);
  if (fl & ~AT_REMOVEDIR) return syscall_exit(-EINVAL);
  const name = getname(pathname);
  if (typeof name === 'number') return syscall_exit(name);
  const d = int_arg(dfd);
  return syscall_exit(fl & AT_REMOVEDIR ? do_rmdir(d, name) : do_unlinkat(d, name));
}

/** unlink(2). */
export function sys_unlink(pathname: number): Promise<number> {
  return sys_unlinkat(AT_FDCWD, pathname, 0);
}

/** rmdir(2). */
export function sys_rmdir(pathname: number): Promise<number> {
  return sys_unlinkat(AT_FDCWD, pathname, AT_REMOVEDIR);
}

/** symlinkat(2): a symlink `newname` whose target is the string `oldname`. */
export async function sys_symlinkat(
  oldname: number,
  newdfd: number,
  newname: number,
): Promise<number> {
  const target = getname(oldname);
  if (typeof target === 'number') return syscall_exit(target);
  const name = getname(newname);
  if (typeof name === 'number') return syscall_exit(name);
  return syscall_exit(do_symlinkat(target, int_arg(newdfd), name));
}

/** symlink(2). */
export function sys_symlink(oldname: number, newname: number): Promise<number> {
  return sys_symlinkat(oldname, AT_FDCWD, newname);
}

/**
 * readlinkat(2): copies the target (without a NUL, cut at `bufsiz`) to `buf`; its length,
 * -EINVAL for a non-positive size or a name that is not a symlink.
 */
export async function sys_readlinkat(
  dfd: number,
  pathname: number,
  buf: number,
  bufsiz: number,
): Promise<number> {
  const size = int_arg(bufsiz);
  if (size <= 0) return syscall_exit(-EINVAL);
  const name = getname(pathname);
  if (typeof name === 'number') return syscall_exit(name);
  const target = do_readlinkat(int_arg(dfd), name);
  if (typeof target === 'number') return syscall_exit(target);
  const bytes = new TextEncoder().encode(target).subarray(0, size);
  if (user_write_bytes(uptr_arg(buf), bytes) < bytes.length) return syscall_exit(-EFAULT);
  return syscall_exit(bytes.length);
}

/** readlink(2). */
export function sys_readlink(pathname: number, buf: number, bufsiz: number): Promise<number> {
  return sys_readlinkat(AT_FDCWD, pathname, buf, bufsiz);
}

/** umask(2): sets the creation mask, returns the old one. */
export async function sys_umask(mask: number): Promise<number> {
  return syscall_exit(sim_set_umask(current(), uint_arg(mask)));
}

/** chdir(2): -ENOTDIR for a non-directory, -EACCES without search permission. */
export async function sys_chdir(filename: number): Promise<number> {
  const name = getname(filename);
  if (typeof name === 'number') return syscall_exit(name);
  const p = filename_lookup(AT_FDCWD, name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY);
  if (typeof p === 'number') return syscall_exit(p);
  const err = inode_permission(p.dentry.d_inode!, MAY_EXEC);
  if (err < 0) return syscall_exit(err);
  set_fs_pwd(current(), p);
  return syscall_exit(0);
}

/**
 * getcwd(2): stores the working directory's path and a NUL at `buf`; its length with the
 * NUL, -ERANGE if `size` is too small, -ENOENT if the directory was removed.
 */
export async function sys_getcwd(buf: number, size: number): Promise<number> {
  const pwd = task_pwd(current());
  const node = pwd.dentry.d_inode;
  if (
    node === null ||
    (pwd.dentry !== pwd.mnt.mnt_root &&
      pwd.dentry.d_parent.d_subdirs.get(pwd.dentry.d_name) !== pwd.dentry)
  )
    return syscall_exit(-ENOENT);
  const bytes = new TextEncoder().encode(`${d_path(pwd)}\0`);
  if (bytes.length > size_arg(size)) return syscall_exit(-ERANGE);
  if (user_write_bytes(uptr_arg(buf), bytes) < bytes.length) return syscall_exit(-EFAULT);
  return syscall_exit(bytes.length);
}
