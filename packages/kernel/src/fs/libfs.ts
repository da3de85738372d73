/**
 * Building blocks for simple filesystems and drivers (fs/libfs.c, fs/read_write.c,
 * fs/open.c): buffer helpers for read/write, the stock llseek implementations, and the
 * directory operations of filesystems that keep their whole tree in the dcache (tmpfs,
 * sysfs, debugfs).
 *
 * @example
 * ```ts
 * import { type file_operations, simple_read_from_buffer, generic_file_llseek } from '@rfl/kernel';
 * const message = new TextEncoder().encode('Hello, foxes!\n');
 * const fops: file_operations = {
 *   read: (_file, buf, count, ppos) => simple_read_from_buffer(buf, count, ppos, message),
 *   llseek: generic_file_llseek,
 * };
 * typeof fops.read // => 'function'
 * ```
 *
 * @module
 */

import { EFAULT, EINVAL, EISDIR, ENOTEMPTY, ENXIO } from '../errno.js';
import { d_delete, d_has_children } from './dcache.js';
import { MAX_LFS_FILESIZE, SEEK_CUR, SEEK_DATA, SEEK_END, SEEK_HOLE, SEEK_SET } from './fcntl.js';
import {
  type dentry,
  type dir_context,
  FMODE_ATOMIC_POS,
  FMODE_LSEEK,
  FMODE_PREAD,
  FMODE_PWRITE,
  FMODE_STREAM,
  type file,
  type file_operations,
  type inode,
  type inode_operations,
  type loff_ref,
} from './fs.js';
import { inode_set_ctime_current } from './inode.js';
import { fs_umode_to_dtype, S_ISDIR } from './stat_mode.js';
import { user_read_bytes, user_write_bytes } from './user_bytes.js';

/**
 * Copies from the bytes `from` (of which `available` are valid) at `*ppos` to the user
 * buffer `to`, at most `count` bytes; advances `ppos`. Returns the bytes copied, 0 at the
 * end, -EINVAL for a negative position, -EFAULT when nothing could be copied.
 */
export function simple_read_from_buffer(
  to: number,
  count: number,
  ppos: loff_ref,
  from: Uint8Array,
  available: number = from.length,
): number {
  const pos = ppos.value;
  if (pos < 0) return -EINVAL;
  if (pos >= available || count === 0) return 0;
  const n = Math.min(count, available - pos);
  const copied = user_write_bytes(to, from.subarray(pos, pos + n));
  if (copied === 0) return -EFAULT;
  ppos.value = pos + copied;
  return copied;
}

/**
 * Copies at most `count` bytes from the user buffer `from` into `to` at `*ppos` (of which
 * `available` bytes may be written); advances `ppos`. Returns the bytes copied, 0 when the
 * position is past `available`, -EINVAL for a negative position, -EFAULT when nothing
 * could be copied.
 */
export function simple_write_to_buffer(
  to: Uint8Array,
  available: number,
  ppos: loff_ref,
  from: number,
  count: number,
): number {
  const pos = ppos.value;
  if (pos < 0) return -EINVAL;
  if (pos >= available || count === 0) return 0;
  const n = Math.min(count, available - pos);
  const bytes = user_read_bytes(from, n);
  if (bytes.length === 0) return -EFAULT;
  to.set(bytes, pos);
  ppos.value = pos + bytes.length;
  return bytes.length;
}

/** Sets `f_pos` after checking the bounds (`vfs_setpos`). */
export function vfs_setpos(filp: file, offset: number, maxsize: number): number {
  if (offset < 0 || offset > maxsize || !Number.isFinite(offset)) return -EINVAL;
  filp.f_pos = offset;
  return offset;
}

/**
 * llseek against a file of `eof` bytes with positions up to `maxsize`
 * (`generic_file_llseek_size`): SEEK_SET/CUR/END; SEEK_DATA and SEEK_HOLE treat the file
 * as all data (-ENXIO at or past the end).
 */
export function generic_file_llseek_size(
  filp: file,
  offset: number,
  whence: number,
  maxsize: number,
  eof: number,
): number {
  let off = offset;
  switch (whence) {
    case SEEK_SET:
      break;
    case SEEK_END:
      off += eof;
      break;
    case SEEK_CUR:
      if (off === 0) return filp.f_pos;
      off += filp.f_pos;
      break;
    case SEEK_DATA:
      if (off < 0 || off >= eof) return -ENXIO;
      break;
    case SEEK_HOLE:
      if (off < 0 || off >= eof) return -ENXIO;
      off = eof;
      break;
    default:
      return -EINVAL;
  }
  return vfs_setpos(filp, off, maxsize);
}

/** llseek for regular files of a normal filesystem (`generic_file_llseek`). */
export function generic_file_llseek(filp: file, offset: number, whence: number): number {
  return generic_file_llseek_size(filp, offset, whence, MAX_LFS_FILESIZE, filp.f_inode.i_size);
}

/** llseek for a device with a fixed size (`fixed_size_llseek`). */
export function fixed_size_llseek(
  filp: file,
  offset: number,
  whence: number,
  size: number,
): number {
  if (whence !== SEEK_SET && whence !== SEEK_CUR && whence !== SEEK_END) return -EINVAL;
  return generic_file_llseek_size(filp, offset, whence, size, size);
}

/** llseek that refuses SEEK_END: for files whose size is unknown (`no_seek_end_llseek`). */
export function no_seek_end_llseek(filp: file, offset: number, whence: number): number {
  if (whence !== SEEK_SET && whence !== SEEK_CUR) return -EINVAL;
  return generic_file_llseek_size(filp, offset, whence, MAX_LFS_FILESIZE, 0);
}

/** The llseek drivers used to get by default: any position, SEEK_END from i_size (`default_llseek`). */
export function default_llseek(filp: file, offset: number, whence: number): number {
  const size = filp.f_inode.i_size;
  let off = offset;
  switch (whence) {
    case SEEK_END:
      off += size;
      break;
    case SEEK_CUR:
      if (off === 0) return filp.f_pos;
      off += filp.f_pos;
      break;
    case SEEK_DATA:
      if (off >= size) return -ENXIO;
      break;
    case SEEK_HOLE:
      if (off >= size) return -ENXIO;
      off = size;
      break;
    case SEEK_SET:
      break;
    default:
      return -EINVAL;
  }
  if (off < 0) return -EINVAL;
  filp.f_pos = off;
  return off;
}

/** llseek that succeeds without moving (`noop_llseek`): returns the current position. */
export function noop_llseek(filp: file, _offset: number, _whence: number): number {
  return filp.f_pos;
}

/** An open that makes the file non-seekable: lseek, pread, pwrite fail with -ESPIPE. */
export function nonseekable_open(_inode: inode, filp: file): number {
  filp.f_mode &= ~(FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE);
  return 0;
}

/** An open for a stream: no position at all, read and write ignore `f_pos` (`stream_open`). */
export function stream_open(_inode: inode, filp: file): number {
  filp.f_mode &= ~(FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE | FMODE_ATOMIC_POS);
  filp.f_mode |= FMODE_STREAM;
  return 0;
}

/** An open that hands the inode's `i_private` to the file's `private_data` (`simple_open`). */
export function simple_open(node: inode, filp: file): number {
  if (node.i_private !== undefined) filp.private_data = node.i_private;
  return 0;
}

/** fsync that has nothing to write back (`noop_fsync`). */
export function noop_fsync(_filp: file, _start: number, _end: number, _datasync: number): number {
  return 0;
}

/** read(2) of a directory (`generic_read_dir`): -EISDIR. */
export function generic_read_dir(
  _filp: file,
  _buf: number,
  _count: number,
  _ppos: loff_ref,
): number {
  return -EISDIR;
}

/**
 * Lists a directory kept in the dcache (`dcache_readdir`): `.` and `..` at positions 0
 * and 1, then the children in creation order; `ctx.pos` counts entries emitted.
 */
export function dcache_readdir(filp: file, ctx: dir_context): number {
  const dir = filp.f_path.dentry;
  if (ctx.pos === 0) {
    if (!ctx.actor('.', 0, dir.d_inode!.i_ino, fs_umode_to_dtype(dir.d_inode!.i_mode))) return 0;
    ctx.pos = 1;
  }
  if (ctx.pos === 1) {
    const parent = dir.d_parent.d_inode!;
    if (!ctx.actor('..', 1, parent.i_ino, fs_umode_to_dtype(parent.i_mode))) return 0;
    ctx.pos = 2;
  }
  const children = [...dir.d_subdirs.values()];
  for (let i = ctx.pos - 2; i < children.length; i++) {
    const child = children[i]!;
    const node = child.d_inode!;
    if (!ctx.actor(child.d_name, ctx.pos, node.i_ino, fs_umode_to_dtype(node.i_mode))) return 0;
    ctx.pos += 1;
  }
  return 0;
}

/** lseek on a dcache directory: positions are entry indices (`dcache_dir_lseek`). */
export function dcache_dir_lseek(filp: file, offset: number, whence: number): number {
  let off = offset;
  if (whence === SEEK_CUR) off += filp.f_pos;
  else if (whence !== SEEK_SET) return -EINVAL;
  if (off < 0) return -EINVAL;
  filp.f_pos = off;
  return off;
}

/** The operations of a directory kept in the dcache (`simple_dir_operations`). */
export const simple_dir_operations: file_operations = {
  llseek: dcache_dir_lseek,
  read: generic_read_dir,
  iterate_shared: dcache_readdir,
  fsync: noop_fsync,
};

/** Lookup in a filesystem whose every name is in the dcache: not there means absent. */
export function simple_lookup(_dir: inode, _dentry: dentry, _flags: number): null {
  return null;
}

/** The inode operations of such a directory (`simple_dir_inode_operations`). */
export const simple_dir_inode_operations: inode_operations = { lookup: simple_lookup };

/** Whether a dcache directory has no children (`simple_empty`). */
export function simple_empty(d: dentry): boolean {
  return !d_has_children(d);
}

/** Removes a name from a dcache filesystem (`simple_unlink`). */
export function simple_unlink(dir: inode, d: dentry): number {
  const node = d.d_inode!;
  const now = inode_set_ctime_current(dir);
  dir.i_mtime = now;
  node.i_ctime = now;
  node.i_nlink -= 1;
  d_delete(d);
  return 0;
}

/** Removes an empty directory from a dcache filesystem (`simple_rmdir`). */
export function simple_rmdir(dir: inode, d: dentry): number {
  if (!simple_empty(d)) return -ENOTEMPTY;
  const node = d.d_inode!;
  if (S_ISDIR(node.i_mode)) node.i_nlink -= 1;
  dir.i_nlink -= 1;
  return simple_unlink(dir, d);
}
