/**
 * The VFS objects (include/linux/fs.h, include/linux/dcache.h): inodes, dentries, super
 * blocks, filesystem types, open files and the operation tables drivers and filesystems
 * fill in.
 *
 * Pointers become object references and `loff_t *` becomes a {@link loff_ref}; everything
 * else keeps the kernel's C name, so a driver reads as its C original. An operation may
 * return a promise where the kernel's may sleep (a driver waiting for its device); the VFS
 * awaits it.
 *
 * @module
 */

import type { wait_queue_head } from '../locking/wait.js';
import type { vm_area_struct } from '../mm/mmap.js';
import { ktime_get } from '../time/clock.js';

/** `f_mode` bits (include/linux/fs.h). */
export const FMODE_READ = 0x1;
export const FMODE_WRITE = 0x2;
/** The file is seekable: lseek reaches `f_op.llseek`. */
export const FMODE_LSEEK = 0x4;
export const FMODE_PREAD = 0x8;
export const FMODE_PWRITE = 0x10;
export const FMODE_EXEC = 0x20;
export const FMODE_PATH = 0x4000;
/** read/write/lseek update `f_pos` atomically (regular files and directories). */
export const FMODE_ATOMIC_POS = 0x8000;
export const FMODE_WRITER = 0x10000;
/** Set at open when `f_op` has read or read_iter: without it read() is -EINVAL. */
export const FMODE_CAN_READ = 0x20000;
/** Set at open when `f_op` has write or write_iter: without it write() is -EINVAL. */
export const FMODE_CAN_WRITE = 0x40000;
export const FMODE_OPENED = 0x80000;
export const FMODE_CREATED = 0x100000;
/** A stream (no position at all): set by stream_open(). */
export const FMODE_STREAM = 0x200000;
export const FMODE_NOWAIT = 0x8000000;

/**
 * `loff_t *`: a file position passed by reference. The operation reads `value` and
 * advances it by what it transferred; the VFS stores it back in `f_pos` afterwards.
 *
 * @example
 * ```ts
 * import type { loff_ref } from '@rfl/kernel';
 * const ppos: loff_ref = { value: 0 };
 * ppos.value += 5;
 * ppos.value // => 5
 * ```
 */
export interface loff_ref {
  value: number;
}

/** A read or write result: bytes moved, or a negative errno; a promise if it may sleep. */
export type ssize_ret = number | Promise<number>;
/** An int-returning operation that may sleep. */
export type int_ret = number | Promise<number>;

/** The per-operation context of read_iter/write_iter (`struct kiocb`). */
export interface kiocb {
  readonly ki_filp: file;
  ki_pos: number;
  /** IOCB_* flags: {@link IOCB_NOWAIT}, {@link IOCB_APPEND}. */
  ki_flags: number;
}
export const IOCB_APPEND = 1 << 1;
export const IOCB_NOWAIT = 1 << 7;

/** Where data of an iterated read or write lives (`ITER_UBUF` user, `ITER_KVEC` kernel). */
export const ITER_UBUF = 0;
export const ITER_KVEC = 1;

/**
 * `struct iov_iter` over a single buffer: a user address (ITER_UBUF, from read/write) or a
 * kernel address (ITER_KVEC, from kernel_read/kernel_write). Filesystems move data through
 * it with `copy_to_iter` / `copy_from_iter` and never look at the kind.
 */
export interface iov_iter {
  readonly iter_type: number;
  /** True when the iterator is the source of a write. */
  readonly data_source: boolean;
  /** Address of the next byte. */
  base: number;
  /** Bytes left. */
  count: number;
}

/** What `poll_wait()` hands a wait queue to (`poll_table`). */
export interface poll_table {
  _qproc: ((filp: file, wq: wait_queue_head, p: poll_table) => void) | null;
  /** The events the caller is interested in. */
  _key: number;
}

/** A directory walk in progress (`struct dir_context`). */
export interface dir_context {
  /** Called for each entry; returns false when the caller's buffer is full. */
  readonly actor: (name: string, offset: number, ino: number, d_type: number) => boolean;
  pos: number;
}

/**
 * `struct file_operations`. Every entry is optional; an absent one gets the kernel's
 * default behaviour, implemented where the kernel implements it:
 *
 * | entry absent | result |
 * |---|---|
 * | read and read_iter | read(2) is -EINVAL |
 * | write and write_iter | write(2) is -EINVAL |
 * | unlocked_ioctl | ioctl(2) is -ENOTTY (after the generic FIOCLEX/FIONBIO/... commands) |
 * | poll | poll(2) sees `DEFAULT_POLLMASK` (EPOLLIN, EPOLLOUT, EPOLLRDNORM, EPOLLWRNORM) |
 * | llseek | lseek(2) is -ESPIPE (`no_llseek`) |
 * | mmap | mmap(2) is -ENODEV |
 * | fsync | fsync(2) is -EINVAL |
 * | open / release / flush | nothing to do: success |
 *
 * `read`/`write` get a **user** address and a {@link loff_ref}; they copy with
 * `copy_to_user`/`copy_from_user` and advance `ppos.value`.
 */
export interface file_operations {
  /**
   * The module that provides the operations: while a file uses the table the module is
   * pinned (`fops_get`/`fops_put`). Typed loosely so the module code decides its shape.
   */
  owner?: unknown;
  llseek?: (file: file, offset: number, whence: number) => number;
  read?: (file: file, buf: number, count: number, ppos: loff_ref) => ssize_ret;
  write?: (file: file, buf: number, count: number, ppos: loff_ref) => ssize_ret;
  read_iter?: (iocb: kiocb, to: iov_iter) => ssize_ret;
  write_iter?: (iocb: kiocb, from: iov_iter) => ssize_ret;
  iterate_shared?: (file: file, ctx: dir_context) => int_ret;
  /** Returns the EPOLL* mask of ready events; registers on wait queues via poll_wait(). */
  poll?: (file: file, wait: poll_table | null) => number;
  unlocked_ioctl?: (file: file, cmd: number, arg: number) => int_ret;
  compat_ioctl?: (file: file, cmd: number, arg: number) => int_ret;
  /**
   * Maps the file into `vma` before the area becomes visible: may set `vm_ops`,
   * `vm_private_data` and flags or insert pages; 0 or a negative errno. Synchronous,
   * like everything done under the kernel's mmap lock in the simulator.
   */
  mmap?: (file: file, vma: vm_area_struct) => number;
  open?: (inode: inode, file: file) => int_ret;
  /** Called at every close(2) of a descriptor of the file. */
  flush?: (file: file, id: unknown) => int_ret;
  /** Called once, when the last reference to the file goes. */
  release?: (inode: inode, file: file) => int_ret;
  fsync?: (file: file, start: number, end: number, datasync: number) => int_ret;
}

/** `struct inode_operations`: what a directory (or symlink) inode can do. */
export interface inode_operations {
  /** Finds `dentry.d_name` in `dir`: d_add()s the inode (or null for "no such name"). */
  lookup?: (dir: inode, dentry: dentry, flags: number) => dentry | null | number;
  create?: (dir: inode, dentry: dentry, mode: number, excl: boolean) => number;
  mkdir?: (dir: inode, dentry: dentry, mode: number) => number;
  mknod?: (dir: inode, dentry: dentry, mode: number, rdev: number) => number;
  symlink?: (dir: inode, dentry: dentry, symname: string) => number;
  unlink?: (dir: inode, dentry: dentry) => number;
  rmdir?: (dir: inode, dentry: dentry) => number;
  /** The target of a symlink, or a negative errno. */
  get_link?: (dentry: dentry, inode: inode) => string | number;
}

/**
 * `struct inode`. Timestamps are nanoseconds on the simulated clock.
 *
 * # Invariants
 *
 * `i_mode & S_IFMT` never changes after the inode is set up.
 */
export class inode {
  i_ino = 0;
  i_mode = 0;
  i_uid = 0;
  i_gid = 0;
  /** The device of a S_IFCHR/S_IFBLK inode (kernel dev_t, see MKDEV). */
  i_rdev = 0;
  i_size = 0;
  i_nlink = 1;
  i_atime: number;
  i_mtime: number;
  i_ctime: number;
  readonly i_sb: super_block;
  i_op: inode_operations = {};
  /** The operations a file opened on this inode starts with. */
  i_fop: file_operations = {};
  /** Filesystem or driver data (debugfs keeps the `data` argument here). */
  i_private: unknown = undefined;
  /** Symlink target for inodes whose filesystem keeps it in memory (`i_link`). */
  i_link: string | undefined = undefined;
  /** The contents of a regular file of an in-memory filesystem (its page cache). */
  i_pages: Uint8Array = new Uint8Array(0);
  /** A FIFO's pipe, created at first open (`i_pipe`). */
  i_pipe: unknown = undefined;

  constructor(sb: super_block) {
    this.i_sb = sb;
    const now = ktime_get();
    this.i_atime = now;
    this.i_mtime = now;
    this.i_ctime = now;
  }
}

/**
 * `struct dentry`: a name in the directory tree. A dentry with a null `d_inode` is
 * negative (the name does not exist) and is never kept in the tree.
 */
export class dentry {
  d_name: string;
  d_parent: dentry;
  d_inode: inode | null = null;
  readonly d_sb: super_block;
  /** Children by name (`d_subdirs`), in creation order: readdir lists them so. */
  readonly d_subdirs = new Map<string, dentry>();
  /** Number of mounts on this dentry (`DCACHE_MOUNTED`). */
  d_mounted = 0;
  /** Filesystem data (`d_fsdata`). */
  d_fsdata: unknown = undefined;

  constructor(parent: dentry | null, name: string, sb: super_block) {
    this.d_name = name;
    this.d_parent = parent ?? this;
    this.d_sb = sb;
  }
}

/** `struct file_system_type`: a filesystem that can be mounted. */
export interface file_system_type {
  readonly name: string;
  /** Builds a super block (with `s_root` set) or returns a negative errno (`mount`). */
  mount: (
    fs_type: file_system_type,
    flags: number,
    dev_name: string,
    data: unknown,
  ) => super_block | number;
  /** Tears a super block down at unmount (`kill_sb`). */
  kill_sb?: (sb: super_block) => void;
  /** FS_* flags. */
  fs_flags?: number;
}

/** `struct super_block`: one mounted instance of a filesystem. */
export class super_block {
  readonly s_type: file_system_type;
  s_magic = 0;
  s_dev = 0;
  s_root!: dentry;
  s_fs_info: unknown = undefined;
  /** Next inode number handed out by new_inode(). */
  s_next_ino = 1;

  constructor(type: file_system_type) {
    this.s_type = type;
  }
}

/** `struct vfsmount` + `struct mount`: a filesystem attached to the tree. */
export interface vfsmount {
  readonly mnt_root: dentry;
  readonly mnt_sb: super_block;
  /** The mount this one is attached to (itself for the root mount). */
  readonly mnt_parent: vfsmount;
  /** The dentry of `mnt_parent` it covers. */
  readonly mnt_mountpoint: dentry;
  readonly mnt_devname: string;
  mnt_flags: number;
}

/** `struct path`: a dentry in a given mount. */
export interface path {
  readonly mnt: vfsmount;
  readonly dentry: dentry;
}

/**
 * `struct file`: an open file. `f_count` counts the references (descriptors, dup()s,
 * in-kernel users): get_file() takes one, fput() drops one and the last fput() calls
 * `f_op.release`.
 */
export class file {
  f_pos = 0;
  f_flags: number;
  f_mode: number;
  f_op: file_operations;
  readonly f_inode: inode;
  readonly f_path: path;
  private_data: unknown = undefined;
  f_count = 1;

  constructor(p: path, inode: inode, flags: number, mode: number, fop: file_operations) {
    this.f_path = p;
    this.f_inode = inode;
    this.f_flags = flags;
    this.f_mode = mode;
    this.f_op = fop;
  }
}

/** `file_inode(f)`. */
export function file_inode(f: file): inode {
  return f.f_inode;
}
