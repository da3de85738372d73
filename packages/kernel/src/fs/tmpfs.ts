/**
 * tmpfs (mm/shmem.c, fs/ramfs): the in-memory filesystem the simulated machine's `/` and
 * `/tmp` are. Regular files, directories, symlinks, and device and FIFO nodes made with
 * mknod; the directory tree is the dcache. A directory's size counts 20 bytes per entry
 * (shmem's BOGO_DIRENT_SIZE), so an empty one is 40 bytes, as `ls -l` shows on Linux.
 *
 * A filesystem instance holds at most half of the machine's memory in file data (tmpfs's
 * default `size=50%`); a write beyond that is short, or -ENOSPC when nothing fits.
 *
 * @module
 */

import { EFAULT, ENOSPC } from '../errno.js';
import { mem_size } from '../mm/layout.js';
import { d_add, d_make_root } from './dcache.js';
import {
  type dentry,
  type file_operations,
  type file_system_type,
  IOCB_APPEND,
  type inode,
  type inode_operations,
  type iov_iter,
  type kiocb,
  type super_block,
} from './fs.js';
import { init_special_inode, inode_init_owner, inode_touch_mtime, new_inode } from './inode.js';
import { copy_from_iter, copy_to_iter } from './iov_iter.js';
import {
  generic_file_llseek,
  noop_fsync,
  simple_dir_operations,
  simple_lookup,
  simple_rmdir,
  simple_unlink,
} from './libfs.js';
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, S_ISDIR, S_ISLNK, S_ISREG } from './stat_mode.js';
import { mount_nodev } from './super.js';

export const TMPFS_MAGIC = 0x01021994;
/** Bytes a directory entry adds to the directory's size (shmem's BOGO_DIRENT_SIZE). */
export const BOGO_DIRENT_SIZE = 20;

/** Per-instance accounting (`struct shmem_sb_info`). */
interface tmpfs_sb_info {
  max_bytes: number;
  used_bytes: number;
}

/** Mount data of tmpfs: the root directory's permission bits (default 0o1777). */
export interface tmpfs_mount_opts {
  mode?: number;
}

function sb_info(sb: super_block): tmpfs_sb_info {
  return sb.s_fs_info as tmpfs_sb_info;
}

function tmpfs_read_iter(iocb: kiocb, to: iov_iter): number {
  const node = iocb.ki_filp.f_inode;
  const pos = iocb.ki_pos;
  if (pos >= node.i_size || to.count === 0) return 0;
  const end = Math.min(node.i_size, pos + to.count);
  const copied = copy_to_iter(node.i_pages.subarray(pos, end), to);
  if (copied === 0) return -EFAULT;
  iocb.ki_pos = pos + copied;
  return copied;
}

function tmpfs_write_iter(iocb: kiocb, from: iov_iter): number {
  const node = iocb.ki_filp.f_inode;
  const info = sb_info(node.i_sb);
  if (iocb.ki_flags & IOCB_APPEND) iocb.ki_pos = node.i_size;
  const pos = iocb.ki_pos;
  if (from.count === 0) return 0;
  // Files are stored densely, so a hole before `pos` costs memory like data.
  const room = info.max_bytes - info.used_bytes + node.i_size - pos;
  const want = Math.min(from.count, Math.max(0, room));
  if (want === 0) return -ENOSPC;
  const bytes = copy_from_iter(want, from);
  if (bytes.length === 0) return -EFAULT;
  const end = pos + bytes.length;
  if (end > node.i_pages.length) {
    const grown = new Uint8Array(Math.max(end, Math.min(node.i_pages.length * 2, info.max_bytes)));
    grown.set(node.i_pages.subarray(0, node.i_size));
    node.i_pages = grown;
  }
  node.i_pages.set(bytes, pos);
  if (end > node.i_size) {
    info.used_bytes += end - node.i_size;
    node.i_size = end;
  }
  inode_touch_mtime(node);
  iocb.ki_pos = end;
  return bytes.length;
}

/** Operations of a tmpfs regular file. */
export const tmpfs_file_operations: file_operations = {
  llseek: generic_file_llseek,
  read_iter: tmpfs_read_iter,
  write_iter: tmpfs_write_iter,
  fsync: noop_fsync,
};

/** Frees the data of a regular file whose last name went (shmem's evict). */
function tmpfs_forget(node: inode): void {
  if (node.i_nlink > 0 || !S_ISREG(node.i_mode)) return;
  sb_info(node.i_sb).used_bytes -= node.i_size;
}

function tmpfs_mknod(dir: inode, d: dentry, mode: number, dev: number): number {
  const node = tmpfs_get_inode(dir.i_sb, dir, mode, dev);
  d_add(d, node);
  dir.i_size += BOGO_DIRENT_SIZE;
  inode_touch_mtime(dir);
  return 0;
}

const tmpfs_dir_inode_operations: inode_operations = {
  lookup: simple_lookup,
  create: (dir, d, mode) => tmpfs_mknod(dir, d, (mode & ~S_IFMT) | S_IFREG, 0),
  mkdir: (dir, d, mode) => {
    const err = tmpfs_mknod(dir, d, (mode & ~S_IFMT) | S_IFDIR, 0);
    if (err === 0) dir.i_nlink += 1;
    return err;
  },
  mknod: tmpfs_mknod,
  symlink: (dir, d, symname) => {
    const err = tmpfs_mknod(dir, d, S_IFLNK | 0o777, 0);
    if (err === 0) {
      d.d_inode!.i_link = symname;
      d.d_inode!.i_size = new TextEncoder().encode(symname).length;
    }
    return err;
  },
  unlink: (dir, d) => {
    const node = d.d_inode!;
    dir.i_size -= BOGO_DIRENT_SIZE;
    const err = simple_unlink(dir, d);
    tmpfs_forget(node);
    return err;
  },
  rmdir: (dir, d) => {
    const err = simple_rmdir(dir, d);
    if (err === 0) dir.i_size -= BOGO_DIRENT_SIZE;
    return err;
  },
};

/** A new tmpfs inode of `mode` in `dir` (`shmem_get_inode`). */
export function tmpfs_get_inode(
  sb: super_block,
  dir: inode | null,
  mode: number,
  dev: number,
): inode {
  const node = new_inode(sb);
  inode_init_owner(node, dir, mode);
  if (S_ISREG(mode)) {
    node.i_fop = tmpfs_file_operations;
  } else if (S_ISDIR(mode)) {
    node.i_op = tmpfs_dir_inode_operations;
    node.i_fop = simple_dir_operations;
    node.i_nlink = 2;
    node.i_size = 2 * BOGO_DIRENT_SIZE;
  } else if (S_ISLNK(mode)) {
    node.i_op = {};
  } else {
    init_special_inode(node, mode, dev);
  }
  return node;
}

function tmpfs_fill_super(sb: super_block, data: unknown, _silent: number): number {
  const opts = (data ?? {}) as tmpfs_mount_opts;
  sb.s_magic = TMPFS_MAGIC;
  sb.s_fs_info = { max_bytes: Math.floor(mem_size / 2), used_bytes: 0 } satisfies tmpfs_sb_info;
  const root = tmpfs_get_inode(sb, null, S_IFDIR | (opts.mode ?? 0o1777), 0);
  sb.s_root = d_make_root(root);
  return 0;
}

/** The `tmpfs` filesystem type; mount data is a {@link tmpfs_mount_opts}. */
export const tmpfs_fs_type: file_system_type = {
  name: 'tmpfs',
  mount: (fs_type, flags, _dev_name, data) => mount_nodev(fs_type, flags, data, tmpfs_fill_super),
};
