/**
 * Files without a name in the tree (fs/file_table.c `alloc_file_pseudo`, fs/anon_inodes.c):
 * pipes, and the anonymous-inode files drivers hand out (`anon_inode_getfile`), each on a
 * small internal filesystem that is never mounted anywhere.
 *
 * @module
 */

import { ENOMEM } from '../errno.js';
import { d_alloc, d_instantiate, d_make_root } from './dcache.js';
import { O_ACCMODE, O_CLOEXEC, O_NONBLOCK } from './fcntl.js';
import { fd_install, get_unused_fd_flags } from './fdtable.js';
import {
  FMODE_CAN_READ,
  FMODE_CAN_WRITE,
  FMODE_OPENED,
  FMODE_READ,
  FMODE_WRITE,
  file,
  type file_operations,
  type file_system_type,
  type inode,
  super_block,
  type vfsmount,
} from './fs.js';
import { new_inode } from './inode.js';
import { S_IFDIR, S_IFREG, S_IRUSR, S_IWUSR } from './stat_mode.js';

export const ANON_INODE_FS_MAGIC = 0x09041934;

/** An internal filesystem instance: a super block and its (unattached) mount. */
export function pseudo_mount(name: string, magic: number): vfsmount {
  const type: file_system_type = { name, mount: () => -ENOMEM };
  const sb = new super_block(type);
  sb.s_magic = magic;
  const root = new_inode(sb);
  root.i_mode = S_IFDIR | 0o755;
  sb.s_root = d_make_root(root);
  const m = {
    mnt_root: sb.s_root,
    mnt_sb: sb,
    mnt_devname: name,
    mnt_flags: 0,
  } as { -readonly [K in keyof vfsmount]: vfsmount[K] };
  m.mnt_parent = m;
  m.mnt_mountpoint = sb.s_root;
  return m;
}

/**
 * A file on `node` named `name` in the internal mount `mnt`, with the access mode of
 * `flags` and the operations `fops` (`alloc_file_pseudo`). `f_op.open` is not called, and
 * the file is not seekable (no FMODE_LSEEK) unless its creator sets the bit, as dma-buf
 * does for its llseek.
 */
export function alloc_file_pseudo(
  node: inode,
  mnt: vfsmount,
  name: string,
  flags: number,
  fops: file_operations,
): file {
  const d = d_alloc(mnt.mnt_root, name);
  d_instantiate(d, node);
  let mode = ((flags & O_ACCMODE) + 1) & O_ACCMODE;
  mode |= FMODE_OPENED;
  if (mode & FMODE_READ && (fops.read !== undefined || fops.read_iter !== undefined))
    mode |= FMODE_CAN_READ;
  if (mode & FMODE_WRITE && (fops.write !== undefined || fops.write_iter !== undefined))
    mode |= FMODE_CAN_WRITE;
  return new file({ mnt, dentry: d }, node, flags & (O_ACCMODE | O_NONBLOCK), mode, fops);
}

let anon_mnt: vfsmount | undefined;
let anon_inode: inode | undefined;

/** Forgets the anon_inode filesystem (part of vfs_init). */
export function anon_inodes_reset(): void {
  anon_mnt = undefined;
  anon_inode = undefined;
}

/**
 * A new file named `anon_inode:<name>` on the one shared anonymous inode, with `fops` and
 * `priv` as its `private_data` (`anon_inode_getfile`). `flags` gives the access mode and
 * O_NONBLOCK. Drivers return such files for objects that have no path (an event fd, a
 * GPU context).
 *
 * @example
 * ```ts
 * import { anon_inode_getfile, O_RDWR, vfs_init } from '@rfl/kernel';
 * vfs_init();
 * const f = anon_inode_getfile('[foxes]', { read: () => 0 }, { den: 1 }, O_RDWR);
 * f.f_path.dentry.d_name // => 'anon_inode:[foxes]'
 * f.private_data // => { den: 1 }
 * ```
 */
export function anon_inode_getfile(
  name: string,
  fops: file_operations,
  priv: unknown,
  flags: number,
): file {
  if (anon_mnt === undefined || anon_inode === undefined) {
    anon_mnt = pseudo_mount('anon_inodefs', ANON_INODE_FS_MAGIC);
    anon_inode = new_inode(anon_mnt.mnt_sb);
    anon_inode.i_mode = S_IFREG | S_IRUSR | S_IWUSR;
  }
  const f = alloc_file_pseudo(anon_inode, anon_mnt, `anon_inode:${name}`, flags, fops);
  f.private_data = priv;
  return f;
}

/**
 * `anon_inode_getfd`: {@link anon_inode_getfile} installed at a new descriptor (O_CLOEXEC
 * honoured). Returns the descriptor, or -EMFILE before any file is made.
 */
export function anon_inode_getfd(
  name: string,
  fops: file_operations,
  priv: unknown,
  flags: number,
): number {
  const fd = get_unused_fd_flags(flags & O_CLOEXEC);
  if (fd < 0) return fd;
  fd_install(fd, anon_inode_getfile(name, fops, priv, flags));
  return fd;
}
