/**
 * The system calls on descriptors: open, close, read, write, lseek, ioctl, poll, mmap,
 * munmap, dup, dup2, dup3, pipe2, fsync and fcntl. Each takes the C arguments (user
 * addresses for buffers and names, as numbers) and returns a negative errno on failure,
 * never a JavaScript exception: a bad pointer is -EFAULT, a bad descriptor -EBADF.
 *
 * They are what a user program's library calls (see `libc` in user/libc.ts); each is
 * async because the file operations it reaches may sleep.
 *
 * @module
 */

import { EACCES, EBADF, EFAULT, EINVAL, ENODEV, ENOMEM } from '../errno.js';
import { PAGE_SIZE } from '../mm/layout.js';
import {
  do_mmap,
  MAP_ANONYMOUS,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_TYPE,
  PROT_WRITE,
  type vm_area_struct,
  vm_munmap,
} from '../mm/mmap.js';
import { current } from '../sched/task.js';
import {
  AT_FDCWD,
  F_DUPFD,
  F_GETFD,
  F_GETFL,
  F_SETFD,
  F_SETFL,
  FASYNC,
  FD_CLOEXEC,
  O_ACCMODE,
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECT,
  O_DIRECTORY,
  O_DSYNC,
  O_EXCL,
  O_LARGEFILE,
  O_NOATIME,
  O_NOCTTY,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_TRUNC,
} from './fcntl.js';
import {
  alloc_fd,
  fd_install,
  fdget_raw,
  get_unused_fd_flags,
  put_unused_fd,
  replace_fd,
  task_files,
} from './fdtable.js';
import { fput, get_file } from './file_table.js';
import { FMODE_READ, FMODE_WRITE } from './fs.js';
import { ksys_ioctl } from './ioctl.js';
import { close_fd, do_sys_open } from './open.js';
import { create_pipe_files } from './pipe.js';
import { ksys_lseek, ksys_read, ksys_write } from './read_write.js';
import { do_sys_poll, POLLFD_SIZE, type pollfd } from './select.js';
import { S_IALLUGO } from './stat_mode.js';
import {
  fd_arg,
  getname,
  int_arg,
  size_arg,
  syscall_exit,
  uint_arg,
  uptr_arg,
} from './syscall_common.js';
import { user_read_bytes, user_write_bytes } from './user_bytes.js';

/**
 * The flags open(2) passes on (`VALID_OPEN_FLAGS` without O_PATH and O_TMPFILE, which the
 * simulator does not implement); others are dropped, as the kernel drops unknown ones.
 */
const VALID_OPEN_FLAGS =
  O_ACCMODE |
  O_CREAT |
  O_EXCL |
  O_NOCTTY |
  O_TRUNC |
  O_APPEND |
  O_NONBLOCK |
  O_DSYNC |
  FASYNC |
  O_DIRECT |
  O_LARGEFILE |
  O_DIRECTORY |
  O_NOFOLLOW |
  O_NOATIME |
  O_CLOEXEC;

/** openat(2): `pathname` is a user address of a NUL-terminated name. */
export async function sys_openat(
  dfd: number,
  pathname: number,
  flags: number,
  mode: number,
): Promise<number> {
  const f = (uint_arg(flags) & VALID_OPEN_FLAGS) | O_LARGEFILE;
  if ((f & (O_DIRECTORY | O_CREAT)) === (O_DIRECTORY | O_CREAT)) return syscall_exit(-EINVAL);
  const m = f & O_CREAT ? uint_arg(mode) & S_IALLUGO : 0;
  const name = getname(pathname);
  if (typeof name === 'number') return syscall_exit(name);
  return syscall_exit(await do_sys_open(int_arg(dfd), name, f, m));
}

/** open(2). */
export function sys_open(pathname: number, flags: number, mode: number): Promise<number> {
  return sys_openat(AT_FDCWD, pathname, flags, mode);
}

/** close(2): the flush result, or -EBADF. */
export async function sys_close(fd: number): Promise<number> {
  return syscall_exit(await close_fd(fd_arg(fd)));
}

/** read(2) into the user buffer `buf`. */
export async function sys_read(fd: number, buf: number, count: number): Promise<number> {
  return syscall_exit(await ksys_read(fd_arg(fd), uptr_arg(buf), size_arg(count)));
}

/** write(2) from the user buffer `buf`. */
export async function sys_write(fd: number, buf: number, count: number): Promise<number> {
  return syscall_exit(await ksys_write(fd_arg(fd), uptr_arg(buf), size_arg(count)));
}

/** lseek(2): the new offset or a negative errno. */
export async function sys_lseek(fd: number, offset: number, whence: number): Promise<number> {
  if (!Number.isSafeInteger(offset)) return syscall_exit(-EINVAL);
  return syscall_exit(ksys_lseek(fd_arg(fd), offset, uint_arg(whence)));
}

/** ioctl(2); `arg` is a number or a user address, as the command defines. */
export async function sys_ioctl(fd: number, cmd: number, arg: number): Promise<number> {
  return syscall_exit(
    await ksys_ioctl(fd_arg(fd), uint_arg(cmd), Number.isSafeInteger(arg) ? arg : -1),
  );
}

/**
 * poll(2) on the `nfds` `struct pollfd` entries at the user address `fds` (8 bytes each:
 * int fd, short events, short revents). Writes each `revents`; returns the number of
 * entries with events, 0 on timeout, -EINVAL for more entries than descriptors allowed,
 * -EFAULT, or -EINTR.
 */
export async function sys_poll(fds: number, nfds: number, timeout_ms: number): Promise<number> {
  const n = size_arg(nfds);
  if (n > task_files().max_fds) return syscall_exit(-EINVAL);
  const ufds = uptr_arg(fds);
  const raw = user_read_bytes(ufds, n * POLLFD_SIZE);
  if (raw.length < n * POLLFD_SIZE) return syscall_exit(-EFAULT);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const entries: pollfd[] = [];
  for (let i = 0; i < n; i++)
    entries.push({
      fd: view.getInt32(i * 8, true),
      events: view.getUint16(i * 8 + 4, true),
      revents: 0,
    });
  const ret = await do_sys_poll(entries, int_arg(timeout_ms));
  for (let i = 0; i < n; i++) {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, entries[i]!.revents, true);
    if (user_write_bytes(ufds + i * 8 + 6, b) < 2) return syscall_exit(-EFAULT);
  }
  return syscall_exit(ret);
}

/**
 * mmap(2): anonymous memory, or the file of `fd` through its `f_op.mmap` (-ENODEV without
 * one, -EACCES for a shared writable mapping of a file not open for writing or any mapping
 * of a file not open for reading, -EBADF for a bad fd). Returns the address.
 */
export async function sys_mmap(
  addr: number,
  len: number,
  prot: number,
  flags: number,
  fd: number,
  off: number,
): Promise<number> {
  const mm = current().mm;
  if (mm === null) return syscall_exit(-ENOMEM);
  if (!Number.isSafeInteger(off) || off % PAGE_SIZE !== 0) return syscall_exit(-EINVAL);
  const a = Number.isSafeInteger(addr) && addr >= 0 ? addr : 0;
  const l = size_arg(len);
  const p = uint_arg(prot);
  const f = uint_arg(flags);
  if (f & MAP_ANONYMOUS) return syscall_exit(do_mmap(mm, a, l, p, f, 0));
  const filp = fdget_raw(fd_arg(fd));
  if (filp === null) return syscall_exit(-EBADF);
  const type = f & MAP_TYPE;
  if (!(filp.f_mode & FMODE_READ)) return syscall_exit(-EACCES);
  if (
    (type === MAP_SHARED || type === MAP_SHARED_VALIDATE) &&
    p & PROT_WRITE &&
    !(filp.f_mode & FMODE_WRITE)
  )
    return syscall_exit(-EACCES);
  const mmap = filp.f_op.mmap;
  if (mmap === undefined) return syscall_exit(-ENODEV);
  get_file(filp);
  const ret = do_mmap(
    mm,
    a,
    l,
    p,
    f,
    off / PAGE_SIZE,
    (vma: vm_area_struct) => mmap(filp, vma),
    filp,
  );
  // The simulator's areas do not hold a file reference; the mapping lives on the fd's.
  fput(filp);
  return syscall_exit(ret);
}

/** munmap(2). */
export async function sys_munmap(addr: number, len: number): Promise<number> {
  const mm = current().mm;
  if (mm === null) return syscall_exit(-EINVAL);
  return syscall_exit(vm_munmap(mm, uptr_arg(addr), size_arg(len)));
}

/** dup(2): the lowest free descriptor for the same file. */
export async function sys_dup(fildes: number): Promise<number> {
  const filp = fdget_raw(fd_arg(fildes));
  if (filp === null) return syscall_exit(-EBADF);
  const fd = alloc_fd(0, 0);
  if (fd < 0) return syscall_exit(fd);
  fd_install(fd, get_file(filp));
  return syscall_exit(fd);
}

/** dup3(2): like dup2 with O_CLOEXEC, -EINVAL when the descriptors are equal. */
export async function sys_dup3(oldfd: number, newfd: number, flags: number): Promise<number> {
  const fl = uint_arg(flags);
  if (fl & ~O_CLOEXEC) return syscall_exit(-EINVAL);
  const o = fd_arg(oldfd);
  const n = fd_arg(newfd);
  if (o === n) return syscall_exit(-EINVAL);
  const filp = fdget_raw(o);
  if (filp === null) return syscall_exit(-EBADF);
  return syscall_exit(replace_fd(n, filp, fl));
}

/** dup2(2): `newfd` now refers to `oldfd`'s file (what it held is closed). */
export async function sys_dup2(oldfd: number, newfd: number): Promise<number> {
  const o = fd_arg(oldfd);
  if (o === fd_arg(newfd)) return syscall_exit(fdget_raw(o) === null ? -EBADF : o);
  return sys_dup3(oldfd, newfd, 0);
}

/** pipe2(2): stores `[read fd, write fd]` as two ints at the user address `fildes`. */
export async function sys_pipe2(fildes: number, flags: number): Promise<number> {
  const fl = uint_arg(flags);
  if (fl & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) return syscall_exit(-EINVAL);
  const rfd = get_unused_fd_flags(fl);
  if (rfd < 0) return syscall_exit(rfd);
  const wfd = get_unused_fd_flags(fl);
  if (wfd < 0) {
    put_unused_fd(rfd);
    return syscall_exit(wfd);
  }
  const [rd, wr] = create_pipe_files(fl);
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setInt32(0, rfd, true);
  view.setInt32(4, wfd, true);
  if (user_write_bytes(uptr_arg(fildes), out) < 8) {
    put_unused_fd(rfd);
    put_unused_fd(wfd);
    fput(rd);
    fput(wr);
    return syscall_exit(-EFAULT);
  }
  fd_install(rfd, rd);
  fd_install(wfd, wr);
  return syscall_exit(0);
}

/** pipe(2). */
export function sys_pipe(fildes: number): Promise<number> {
  return sys_pipe2(fildes, 0);
}

/** fsync(2): the file's `f_op.fsync`, -EINVAL without one. */
export async function sys_fsync(fd: number): Promise<number> {
  const filp = fdget_raw(fd_arg(fd));
  if (filp === null) return syscall_exit(-EBADF);
  const fsync = filp.f_op.fsync;
  if (fsync === undefined) return syscall_exit(-EINVAL);
  return syscall_exit(await fsync(filp, 0, Number.MAX_SAFE_INTEGER, 0));
}

/** The `f_flags` bits F_SETFL may change (`SETFL_MASK`). */
const SETFL_MASK = O_APPEND | O_NONBLOCK | FASYNC | O_DIRECT | O_NOATIME;

/** fcntl(2) for F_DUPFD, F_GETFD, F_SETFD, F_GETFL and F_SETFL; -EINVAL otherwise. */
export async function sys_fcntl(fd: number, cmd: number, arg: number): Promise<number> {
  const f = fd_arg(fd);
  const filp = fdget_raw(f);
  if (filp === null) return syscall_exit(-EBADF);
  const files = task_files();
  switch (uint_arg(cmd)) {
    case F_DUPFD: {
      const start = uint_arg(arg);
      if (start >= files.max_fds) return syscall_exit(-EINVAL);
      const nfd = alloc_fd(start, 0);
      if (nfd >= 0) fd_install(nfd, get_file(filp));
      return syscall_exit(nfd);
    }
    case F_GETFD:
      return syscall_exit(files.close_on_exec.has(f) ? FD_CLOEXEC : 0);
    case F_SETFD:
      if (uint_arg(arg) & FD_CLOEXEC) files.close_on_exec.add(f);
      else files.close_on_exec.delete(f);
      return syscall_exit(0);
    case F_GETFL:
      return syscall_exit(filp.f_flags);
    case F_SETFL:
      filp.f_flags = (filp.f_flags & ~SETFL_MASK) | (uint_arg(arg) & SETFL_MASK & ~FASYNC);
      return syscall_exit(0);
    default:
      return syscall_exit(-EINVAL);
  }
}
