/**
 * The VFS face of a kernfs tree (fs/kernfs/{dir,file,inode,symlink}.c):
 * inodes, lookup, readdir, and open/read/write of file nodes, for sysfs and
 * procfs, whose trees change behind the VFS's back.
 *
 * Lookups always ask the tree (a name removed from it is gone at once);
 * each node keeps one inode and one dentry, so that a directory used as a
 * mount point (`/sys/kernel/debug`) stays the same dentry. A read fills the
 * file's buffer from the node's `seq_show` when it starts at offset 0, like
 * seq_file, and serves the rest of the text from that buffer; a write hands
 * at most PAGE_SIZE bytes to the node's `write` at once.
 *
 * @module
 */

import { EFAULT, ENOENT } from '../../errno.js';
import {
  DECLARE_WAIT_QUEUE_HEAD,
  type wait_queue_head,
  wake_up_interruptible_all,
} from '../../locking/wait.js';
import { PAGE_SIZE } from '../../mm/layout.js';
import { d_alloc, d_make_root } from '../dcache.js';
import {
  type dentry,
  type dir_context,
  FMODE_READ,
  FMODE_WRITE,
  type file,
  type file_operations,
  inode,
  type inode_operations,
  type iov_iter,
  type kiocb,
  type poll_table,
  type ssize_ret,
  type super_block,
} from '../fs.js';
import { copy_from_iter, copy_to_iter } from '../iov_iter.js';
import { dcache_dir_lseek, generic_file_llseek, generic_read_dir } from '../libfs.js';
import { DEFAULT_POLLMASK, EPOLLERR, EPOLLPRI, poll_wait } from '../select.js';
import { DT_DIR, DT_LNK, DT_REG, S_IFDIR, S_IFLNK, S_IFREG } from '../stat_mode.js';
import {
  kernfs_children,
  kernfs_file_show,
  kernfs_file_write,
  kernfs_find,
  kernfs_link_text,
  type kernfs_node,
  kernfs_open_check,
  set_kernfs_notify_hook,
} from './kernfs.js';

/** `s_fs_info` of a kernfs super block. */
interface kernfs_sb_info {
  /** The root node, read at each use (sysfs_init() replaces the tree). */
  readonly root: () => kernfs_node;
  readonly inodes: WeakMap<kernfs_node, inode>;
  readonly dentries: WeakMap<kernfs_node, dentry>;
}

function info(sb: super_block): kernfs_sb_info {
  return sb.s_fs_info as kernfs_sb_info;
}

/** The node behind an inode; the root inode follows the current root. */
function kn_of(node: inode): kernfs_node {
  if (node === node.i_sb.s_root.d_inode) return info(node.i_sb).root();
  return node.i_private as kernfs_node;
}

function kernfs_lookup(dir: inode, d: dentry, _flags: number): dentry | null {
  const parent = kn_of(dir);
  const kn = kernfs_find(parent, d.d_name);
  if (!kn || kn.removed) return null;
  const sbi = info(dir.i_sb);
  let cached = sbi.dentries.get(kn);
  if (!cached || cached.d_parent !== d.d_parent || cached.d_name !== kn.name) {
    cached = d_alloc(d.d_parent, kn.name);
    sbi.dentries.set(kn, cached);
  }
  cached.d_inode = kernfs_get_inode(dir.i_sb, kn);
  return cached;
}

function dtype(kn: kernfs_node): number {
  return kn.type === 'dir' ? DT_DIR : kn.type === 'link' ? DT_LNK : DT_REG;
}

/** readdir: `.`, `..`, then the children by name; `ctx.pos` counts entries. */
function kernfs_iterate(filp: file, ctx: dir_context): number {
  const dir = filp.f_inode;
  const kn = kn_of(dir);
  if (ctx.pos === 0) {
    if (!ctx.actor('.', 0, dir.i_ino, DT_DIR)) return 0;
    ctx.pos = 1;
  }
  if (ctx.pos === 1) {
    const parent = filp.f_path.dentry.d_parent.d_inode ?? dir;
    if (!ctx.actor('..', 1, parent.i_ino, DT_DIR)) return 0;
    ctx.pos = 2;
  }
  const children = kernfs_children(kn);
  for (let i = ctx.pos - 2; i < children.length; i++) {
    const child = children[i]!;
    if (!ctx.actor(child.name, ctx.pos, child.ino, dtype(child))) return 0;
    ctx.pos += 1;
  }
  return 0;
}

const kernfs_dir_iops: inode_operations = { lookup: kernfs_lookup };
const kernfs_dir_fops: file_operations = {
  llseek: dcache_dir_lseek,
  read: generic_read_dir,
  iterate_shared: kernfs_iterate,
};

/** The open state of a file node: the text of the last show, the event it has seen. */
interface kernfs_open_file {
  buf: Uint8Array | null;
  event: number;
}

/** The wait queue of each polled file node (`kernfs_open_node.poll`). */
const poll_queues = new WeakMap<kernfs_node, wait_queue_head>();

set_kernfs_notify_hook((kn) => {
  const wq = poll_queues.get(kn);
  if (wq) wake_up_interruptible_all(wq);
});

/**
 * `kernfs_fop_poll()`: always readable and writable, and EPOLLERR | EPOLLPRI once the
 * node was notified since this file last read it (how `/sys/class/gpio/gpioN/value`
 * reports an edge).
 */
function kernfs_fop_poll(filp: file, wait: poll_table | null): number {
  const kn = filp.f_inode.i_private as kernfs_node;
  const of = filp.private_data as kernfs_open_file;
  let wq = poll_queues.get(kn);
  if (!wq) {
    wq = DECLARE_WAIT_QUEUE_HEAD();
    poll_queues.set(kn, wq);
  }
  poll_wait(filp, wq, wait);
  return of.event !== kn.event ? DEFAULT_POLLMASK | EPOLLERR | EPOLLPRI : DEFAULT_POLLMASK;
}

function kernfs_fop_open(node: inode, filp: file): number {
  const kn = node.i_private as kernfs_node;
  if (kn.removed) return -ENOENT;
  const err = kernfs_open_check(
    kn,
    (filp.f_mode & FMODE_READ) !== 0,
    (filp.f_mode & FMODE_WRITE) !== 0,
  );
  if (err) return err;
  filp.private_data = { buf: null, event: kn.event } satisfies kernfs_open_file;
  return 0;
}

function kernfs_fop_read_iter(iocb: kiocb, to: iov_iter): number {
  const filp = iocb.ki_filp;
  const of = filp.private_data as kernfs_open_file;
  if (iocb.ki_pos === 0 || of.buf === null) {
    const kn = filp.f_inode.i_private as kernfs_node;
    of.event = kn.event;
    const text = kernfs_file_show(kn);
    if (typeof text === 'number') return text;
    of.buf = new TextEncoder().encode(text);
  }
  const pos = iocb.ki_pos;
  if (pos >= of.buf.length || to.count === 0) return 0;
  const n = copy_to_iter(of.buf.subarray(pos), to);
  if (n === 0) return -EFAULT;
  iocb.ki_pos = pos + n;
  return n;
}

function kernfs_fop_write_iter(iocb: kiocb, from: iov_iter): ssize_ret {
  const len = Math.min(from.count, PAGE_SIZE);
  if (len === 0) return 0;
  const bytes = copy_from_iter(len, from);
  if (bytes.length === 0) return -EFAULT;
  const ret = kernfs_file_write(
    iocb.ki_filp.f_inode.i_private as kernfs_node,
    new TextDecoder().decode(bytes),
  );
  // A store that sleeps (the driver core's bind) answers later.
  const advance = (n: number): number => {
    if (n > 0) iocb.ki_pos += n;
    return n;
  };
  return typeof ret === 'number' ? advance(ret) : ret.then(advance);
}

const kernfs_file_fops: file_operations = {
  open: kernfs_fop_open,
  read_iter: kernfs_fop_read_iter,
  write_iter: kernfs_fop_write_iter,
  llseek: generic_file_llseek,
  poll: kernfs_fop_poll,
};

const kernfs_link_iops: inode_operations = {
  get_link: (_d, node) => kernfs_link_text(node.i_private as kernfs_node) ?? -ENOENT,
};

/** The inode of `kn` in `sb` (`kernfs_get_inode`), kept up to date with the node's mode. */
export function kernfs_get_inode(sb: super_block, kn: kernfs_node): inode {
  const sbi = info(sb);
  let node = sbi.inodes.get(kn);
  if (!node) {
    node = new inode(sb);
    node.i_ino = kn.ino;
    node.i_private = kn;
    if (kn.type === 'dir') {
      node.i_op = kernfs_dir_iops;
      node.i_fop = kernfs_dir_fops;
      node.i_nlink = 2;
    } else if (kn.type === 'link') {
      node.i_op = kernfs_link_iops;
    } else {
      node.i_fop = kernfs_file_fops;
    }
    sbi.inodes.set(kn, node);
  }
  const type = kn.type === 'dir' ? S_IFDIR : kn.type === 'link' ? S_IFLNK : S_IFREG;
  node.i_mode = type | (kn.type === 'link' ? 0o777 : kn.mode);
  node.i_size = kn.type === 'file' ? kn.size : 0;
  return node;
}

/** Fills a super block for the kernfs tree `root()` (`kernfs_fill_super`). */
export function kernfs_fill_super(sb: super_block, magic: number, root: () => kernfs_node): number {
  sb.s_magic = magic;
  sb.s_fs_info = { root, inodes: new WeakMap(), dentries: new WeakMap() } satisfies kernfs_sb_info;
  const node = new inode(sb);
  node.i_ino = 1;
  node.i_mode = S_IFDIR | 0o555;
  node.i_nlink = 2;
  node.i_op = kernfs_dir_iops;
  node.i_fop = kernfs_dir_fops;
  sb.s_root = d_make_root(node);
  return 0;
}
