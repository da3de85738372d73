/**
 * read, write and lseek (fs/read_write.c).
 *
 * `vfs_read()` checks the file was opened for reading (-EBADF) and has a way to read
 * (FMODE_CAN_READ, else -EINVAL), clamps the count to MAX_RW_COUNT, then calls
 * `f_op.read` with the user buffer, or `f_op.read_iter` with an iterator over it.
 * `vfs_write()` mirrors it. `kernel_read()`/`kernel_write()` do the same with a kernel
 * buffer, and — as in the kernel — only through read_iter/write_iter: a driver that has
 * only `read` cannot be read from inside the kernel.
 *
 * lseek reaches `f_op.llseek` only for files with FMODE_LSEEK; an absent llseek, or a
 * file made non-seekable with nonseekable_open()/stream_open(), gives -ESPIPE, exactly
 * what the kernel's `no_llseek` did.
 *
 * @module
 */

import { EBADF, EFAULT, EINVAL, ESPIPE } from '../errno.js';
import { pr_warn_ratelimited } from '../ratelimit.js';
import { current } from '../sched/task.js';
import { dentry_name } from './dcache.js';
import { MAX_RW_COUNT, O_APPEND, SEEK_MAX } from './fcntl.js';
import { fdget_raw } from './fdtable.js';
import { task_work_run } from './file_table.js';
import {
  FMODE_CAN_READ,
  FMODE_CAN_WRITE,
  FMODE_LSEEK,
  FMODE_READ,
  FMODE_STREAM,
  FMODE_WRITE,
  type file,
  IOCB_APPEND,
  type iov_iter,
  type kiocb,
  type loff_ref,
} from './fs.js';
import { iov_iter_kvec, iov_iter_ubuf } from './iov_iter.js';
import { user_access_ok } from './user_bytes.js';

/** The kiocb of one read or write at `pos` (`init_sync_kiocb`). */
export function init_sync_kiocb(filp: file, pos: number): kiocb {
  return { ki_filp: filp, ki_pos: pos, ki_flags: filp.f_flags & O_APPEND ? IOCB_APPEND : 0 };
}

async function sync_read_iter(filp: file, iter: iov_iter, ppos: loff_ref): Promise<number> {
  const kio = init_sync_kiocb(filp, ppos.value);
  const ret = await filp.f_op.read_iter!(kio, iter);
  ppos.value = kio.ki_pos;
  return ret;
}

async function sync_write_iter(filp: file, iter: iov_iter, ppos: loff_ref): Promise<number> {
  const kio = init_sync_kiocb(filp, ppos.value);
  const ret = await filp.f_op.write_iter!(kio, iter);
  if (ret > 0) ppos.value = kio.ki_pos;
  return ret;
}

/** `rw_verify_area`: a negative position on a positioned file is -EINVAL. */
function rw_verify_area(filp: file, ppos: loff_ref | null, count: number): number {
  if (ppos === null || filp.f_mode & FMODE_STREAM) return 0;
  if (ppos.value < 0 || ppos.value + count < 0) return -EINVAL;
  return 0;
}

/**
 * What vfs_read() and vfs_write() check before calling the driver, in the kernel's order:
 * the file's mode (-EBADF), that it has the operation (-EINVAL), the count, the user buffer
 * (-EFAULT) and the position.
 */
function rw_check(
  filp: file,
  may: number,
  can: number,
  buf: number,
  count: number,
  ppos: loff_ref,
): number {
  if (!(filp.f_mode & may)) return -EBADF;
  if (!(filp.f_mode & can)) return -EINVAL;
  if (!Number.isInteger(count) || count < 0) return -EINVAL;
  if (!user_access_ok(buf, count)) return -EFAULT;
  return rw_verify_area(filp, ppos, count);
}

/** Reads up to `count` bytes into the user buffer `buf` (`vfs_read`). */
export async function vfs_read(
  filp: file,
  buf: number,
  count: number,
  ppos: loff_ref,
): Promise<number> {
  const err = rw_check(filp, FMODE_READ, FMODE_CAN_READ, buf, count, ppos);
  if (err < 0) return err;
  const n = Math.min(count, MAX_RW_COUNT);
  if (filp.f_op.read !== undefined) return filp.f_op.read(filp, buf, n, ppos);
  return sync_read_iter(filp, iov_iter_ubuf(false, buf, n), ppos);
}

/** Writes up to `count` bytes from the user buffer `buf` (`vfs_write`). */
export async function vfs_write(
  filp: file,
  buf: number,
  count: number,
  ppos: loff_ref,
): Promise<number> {
  const err = rw_check(filp, FMODE_WRITE, FMODE_CAN_WRITE, buf, count, ppos);
  if (err < 0) return err;
  const n = Math.min(count, MAX_RW_COUNT);
  if (filp.f_op.write !== undefined) return filp.f_op.write(filp, buf, n, ppos);
  return sync_write_iter(filp, iov_iter_ubuf(true, buf, n), ppos);
}

function warn_unsupported(filp: file, op: string): number {
  const task = current();
  pr_warn_ratelimited(
    'kernel %s not supported for file %s (pid: %d comm: %.20s)\n',
    op,
    dentry_name(filp.f_path.dentry, 4),
    task.pid,
    task.comm,
  );
  return -EINVAL;
}

/**
 * Reads into the kernel buffer `buf` (`kernel_read`): only through `f_op.read_iter`; a
 * file without one is -EINVAL with the kernel's "kernel read not supported" warning.
 */
export async function kernel_read(
  filp: file,
  buf: number,
  count: number,
  ppos: loff_ref,
): Promise<number> {
  if (!(filp.f_mode & FMODE_READ)) return -EBADF;
  if (!(filp.f_mode & FMODE_CAN_READ)) return -EINVAL;
  if (filp.f_op.read_iter === undefined) return warn_unsupported(filp, 'read');
  const err = rw_verify_area(filp, ppos, count);
  if (err < 0) return err;
  return sync_read_iter(filp, iov_iter_kvec(false, buf, Math.min(count, MAX_RW_COUNT)), ppos);
}

/** Writes from the kernel buffer `buf` (`kernel_write`); needs `f_op.write_iter`. */
export async function kernel_write(
  filp: file,
  buf: number,
  count: number,
  ppos: loff_ref,
): Promise<number> {
  if (!(filp.f_mode & FMODE_WRITE)) return -EBADF;
  if (!(filp.f_mode & FMODE_CAN_WRITE)) return -EINVAL;
  if (filp.f_op.write_iter === undefined) return warn_unsupported(filp, 'write');
  const err = rw_verify_area(filp, ppos, count);
  if (err < 0) return err;
  return sync_write_iter(filp, iov_iter_kvec(true, buf, Math.min(count, MAX_RW_COUNT)), ppos);
}

/**
 * `vfs_llseek`: `f_op.llseek` for a seekable file, -ESPIPE for a file without FMODE_LSEEK
 * or without an llseek (the kernel's `no_llseek`).
 */
export function vfs_llseek(filp: file, offset: number, whence: number): number {
  if (!(filp.f_mode & FMODE_LSEEK)) return -ESPIPE;
  const llseek = filp.f_op.llseek;
  if (llseek === undefined) return -ESPIPE;
  return llseek(filp, offset, whence);
}

/** The position a read/write of `filp` uses: none for a stream (`file_ppos`). */
function file_ppos(filp: file): loff_ref | null {
  return filp.f_mode & FMODE_STREAM ? null : { value: filp.f_pos };
}

/** read(2) on a descriptor, with a user buffer (`ksys_read`). */
export async function ksys_read(fd: number, buf: number, count: number): Promise<number> {
  const filp = fdget_raw(fd);
  if (filp === null) return -EBADF;
  const pos = file_ppos(filp);
  const ret = await vfs_read(filp, buf, count, pos ?? { value: 0 });
  if (pos !== null && ret >= 0) filp.f_pos = pos.value;
  await task_work_run();
  return ret;
}

/** write(2) on a descriptor, with a user buffer (`ksys_write`). */
export async function ksys_write(fd: number, buf: number, count: number): Promise<number> {
  const filp = fdget_raw(fd);
  if (filp === null) return -EBADF;
  const pos = file_ppos(filp);
  const ret = await vfs_write(filp, buf, count, pos ?? { value: 0 });
  if (pos !== null && ret >= 0) filp.f_pos = pos.value;
  await task_work_run();
  return ret;
}

/** lseek(2) (`ksys_lseek`): -EBADF, -EINVAL for an unknown `whence`, or the new offset. */
export function ksys_lseek(fd: number, offset: number, whence: number): number {
  const filp = fdget_raw(fd);
  if (filp === null) return -EBADF;
  if (!Number.isInteger(whence) || whence < 0 || whence > SEEK_MAX) return -EINVAL;
  return vfs_llseek(filp, offset, whence);
}
