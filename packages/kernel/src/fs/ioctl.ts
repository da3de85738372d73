/**
 * ioctl(2) (fs/ioctl.c) and the command encoding of include/uapi/asm-generic/ioctl.h.
 *
 * A command is 32 bits: direction (2, `_IOC_READ` = the kernel writes to user space),
 * argument size (14), type (8, usually a character) and number (8):
 *
 * ```ts
 * import { _IOC_DIR, _IOC_NR, _IOC_READ, _IOC_SIZE, _IOC_TYPE, _IOR, _IOW } from '@rfl/kernel';
 * const TIOCGPTN = _IOR('T', 0x30, 4);
 * TIOCGPTN.toString(16) // => '80045430'
 * _IOW('f', 2, 8).toString(16) // => '40086602'
 * [_IOC_DIR(TIOCGPTN) === _IOC_READ, _IOC_TYPE(TIOCGPTN), _IOC_NR(TIOCGPTN), _IOC_SIZE(TIOCGPTN)] // => [true, 0x54, 0x30, 4]
 * ```
 *
 * `sys_ioctl` first handles the commands every file understands (FIOCLEX, FIONCLEX,
 * FIONBIO, FIOASYNC, FIOQSIZE, and FIONREAD on regular files), then calls
 * `f_op.unlocked_ioctl`; a file without one, or a driver that answers -ENOIOCTLCMD,
 * gives -ENOTTY.
 *
 * @module
 */

import { EBADF, EFAULT, ENOIOCTLCMD, ENOTTY } from '../errno.js';
import { FASYNC, O_NONBLOCK } from './fcntl.js';
import { fdget_raw, task_files } from './fdtable.js';
import type { file } from './fs.js';
import { S_ISDIR, S_ISLNK, S_ISREG } from './stat_mode.js';
import { user_read_bytes, user_write_bytes } from './user_bytes.js';

export const _IOC_NRBITS = 8;
export const _IOC_TYPEBITS = 8;
export const _IOC_SIZEBITS = 14;
export const _IOC_DIRBITS = 2;
export const _IOC_NRMASK = (1 << _IOC_NRBITS) - 1;
export const _IOC_TYPEMASK = (1 << _IOC_TYPEBITS) - 1;
export const _IOC_SIZEMASK = (1 << _IOC_SIZEBITS) - 1;
export const _IOC_DIRMASK = (1 << _IOC_DIRBITS) - 1;
export const _IOC_NRSHIFT = 0;
export const _IOC_TYPESHIFT = _IOC_NRSHIFT + _IOC_NRBITS;
export const _IOC_SIZESHIFT = _IOC_TYPESHIFT + _IOC_TYPEBITS;
export const _IOC_DIRSHIFT = _IOC_SIZESHIFT + _IOC_SIZEBITS;
export const _IOC_NONE = 0;
export const _IOC_WRITE = 1;
export const _IOC_READ = 2;

/** A type given as a character ('T') or a number (0x54). */
export type ioc_type = string | number;

function type_code(type: ioc_type): number {
  return typeof type === 'string' ? type.charCodeAt(0) : type;
}

/** `_IOC(dir, type, nr, size)`: `size` is the byte size of the argument (C's sizeof). */
export function _IOC(dir: number, type: ioc_type, nr: number, size: number): number {
  return (
    ((dir << _IOC_DIRSHIFT) |
      (type_code(type) << _IOC_TYPESHIFT) |
      (nr << _IOC_NRSHIFT) |
      (size << _IOC_SIZESHIFT)) >>>
    0
  );
}

/** A command without argument. */
export function _IO(type: ioc_type, nr: number): number {
  return _IOC(_IOC_NONE, type, nr, 0);
}
/** A command whose `size`-byte argument the kernel writes (user space reads it). */
export function _IOR(type: ioc_type, nr: number, size: number): number {
  return _IOC(_IOC_READ, type, nr, size);
}
/** A command whose argument the kernel reads. */
export function _IOW(type: ioc_type, nr: number, size: number): number {
  return _IOC(_IOC_WRITE, type, nr, size);
}
/** A command whose argument goes both ways. */
export function _IOWR(type: ioc_type, nr: number, size: number): number {
  return _IOC(_IOC_READ | _IOC_WRITE, type, nr, size);
}
export function _IOC_DIR(nr: number): number {
  return (nr >>> _IOC_DIRSHIFT) & _IOC_DIRMASK;
}
export function _IOC_TYPE(nr: number): number {
  return (nr >>> _IOC_TYPESHIFT) & _IOC_TYPEMASK;
}
export function _IOC_NR(nr: number): number {
  return (nr >>> _IOC_NRSHIFT) & _IOC_NRMASK;
}
export function _IOC_SIZE(nr: number): number {
  return (nr >>> _IOC_SIZESHIFT) & _IOC_SIZEMASK;
}

/** Generic commands of include/uapi/asm-generic/ioctls.h. */
export const FIONREAD = 0x541b;
export const FIONBIO = 0x5421;
export const FIONCLEX = 0x5450;
export const FIOCLEX = 0x5451;
export const FIOASYNC = 0x5452;
export const FIOQSIZE = 0x5460;

function get_user_int(uaddr: number): number | null {
  const b = user_read_bytes(uaddr, 4);
  if (b.length < 4) return null;
  return new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
}

/** Stores a C `int` at a user address; 0 or -EFAULT (`put_user`). */
export function put_user_int(value: number, uaddr: number): number {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, value, true);
  return user_write_bytes(uaddr, b) === 4 ? 0 : -EFAULT;
}

function put_user_u64(value: number, uaddr: number): number {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(value), true);
  return user_write_bytes(uaddr, b) === 8 ? 0 : -EFAULT;
}

/** `vfs_ioctl`: the driver's unlocked_ioctl, -ENOTTY without one or for -ENOIOCTLCMD. */
export async function vfs_ioctl(filp: file, cmd: number, arg: number): Promise<number> {
  const ioctl = filp.f_op.unlocked_ioctl;
  if (ioctl === undefined) return -ENOTTY;
  const ret = await ioctl(filp, cmd, arg);
  return ret === -ENOIOCTLCMD ? -ENOTTY : ret;
}

/** ioctl(2) on a descriptor (`do_vfs_ioctl` + `vfs_ioctl`). */
export async function ksys_ioctl(fd: number, cmd: number, arg: number): Promise<number> {
  const filp = fdget_raw(fd);
  if (filp === null) return -EBADF;
  const c = cmd >>> 0;
  const node = filp.f_inode;
  switch (c) {
    case FIOCLEX:
      task_files().close_on_exec.add(fd);
      return 0;
    case FIONCLEX:
      task_files().close_on_exec.delete(fd);
      return 0;
    case FIONBIO: {
      const on = get_user_int(arg);
      if (on === null) return -EFAULT;
      if (on) filp.f_flags |= O_NONBLOCK;
      else filp.f_flags &= ~O_NONBLOCK;
      return 0;
    }
    case FIOASYNC: {
      const on = get_user_int(arg);
      if (on === null) return -EFAULT;
      const flag = on ? FASYNC : 0;
      // No file of the simulator implements fasync, so turning it on or off is -ENOTTY.
      return (flag ^ filp.f_flags) & FASYNC ? -ENOTTY : 0;
    }
    case FIOQSIZE:
      if (S_ISDIR(node.i_mode) || S_ISREG(node.i_mode) || S_ISLNK(node.i_mode))
        return put_user_u64(node.i_size, arg);
      return -ENOTTY;
    case FIONREAD:
      if (!S_ISREG(node.i_mode)) return vfs_ioctl(filp, c, arg);
      return put_user_int(Math.max(0, Math.min(node.i_size - filp.f_pos, 0x7fffffff)), arg);
    default:
      return vfs_ioctl(filp, c, arg);
  }
}
