/**
 * debugfs (fs/debugfs/inode.c): the filesystem at `/sys/kernel/debug` where
 * kernel code puts whatever files help debugging, with no rules about their
 * format — the place for driver knobs that are not stable ABI, where sysfs
 * wants one value per file and procfs is for processes.
 *
 * The tree is the dcache of one instance that exists from
 * {@link debugfs_init} on, mounted or not. Creating a file returns its
 * dentry, which is the parent argument of the files below it and what
 * {@link debugfs_remove} takes; failures return a negative errno instead
 * (the kernel's `ERR_PTR`), which callers are expected to ignore: debugfs
 * being broken must never break a driver. A name taken in a directory is
 * `-EEXIST` with `debugfs: File '<name>' in directory '<parent>' already
 * present!` (or `Directory '<name>' with parent '<parent>'...`).
 *
 * Files are reached through a proxy of their operations, as in the kernel:
 * once a file is removed, every operation of files still open on it
 * returns `-EIO` instead of calling into a driver that may be gone.
 *
 * @example
 * ```ts
 * import { debugfs_create_dir, debugfs_create_u32, debugfs_lookup, debugfs_remove, driver_core_fs_init } from '@rfl/kernel';
 * driver_core_fs_init();
 * const dir = debugfs_create_dir('foxes', null);
 * if (typeof dir === 'number') throw new Error('debugfs');
 * debugfs_create_u32('count', 0o644, dir, { value: 3 });
 * debugfs_lookup('count', dir)?.d_name // => 'count'
 * debugfs_remove(dir);
 * debugfs_lookup('foxes', null) // => null
 * ```
 *
 * @module
 */

import { EEXIST, EIO, ENODEV, ENOENT } from '../../errno.js';
import { pr_err } from '../../printk.js';
import { d_add, d_alloc, d_delete, d_lookup, d_make_root } from '../dcache.js';
import { type dentry, type file_operations, type file_system_type, super_block } from '../fs.js';
import { new_inode } from '../inode.js';
import { simple_dir_inode_operations, simple_dir_operations } from '../libfs.js';
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '../stat_mode.js';

export const DEBUGFS_MAGIC = 0x64626720;

let debugfs_sb: super_block | undefined;
/** Dentries removed by debugfs_remove(): their open files fail with -EIO. */
let removed = new WeakSet<dentry>();

/** The `debugfs` filesystem type: every mount shows the one instance. */
export const debug_fs_type: file_system_type = {
  name: 'debugfs',
  mount: () => debugfs_sb ?? -ENODEV,
};

/** A fresh, empty debugfs (part of the driver-core boot). Idempotent. */
export function debugfs_init(): void {
  const sb = new super_block(debug_fs_type);
  sb.s_magic = DEBUGFS_MAGIC;
  const root = new_inode(sb);
  root.i_mode = S_IFDIR | 0o700;
  root.i_nlink = 2;
  root.i_op = simple_dir_inode_operations;
  root.i_fop = simple_dir_operations;
  sb.s_root = d_make_root(root);
  debugfs_sb = sb;
  removed = new WeakSet();
}

/** Whether debugfs is up (`debugfs_initialized`). */
export function debugfs_initialized(): boolean {
  return debugfs_sb !== undefined;
}

/**
 * A parent may be what a failed creation returned (a negative errno): the
 * new file fails with the same errno, as with the kernel's `ERR_PTR`s, so
 * callers need not check.
 */
export type debugfs_parent = dentry | number | null;

function start_creating(name: string, parent: debugfs_parent): dentry | number {
  if (typeof parent === 'number') return parent;
  if (!debugfs_sb) return -ENOENT;
  const dir = parent ?? debugfs_sb.s_root;
  if (removed.has(dir) || !dir.d_inode) return -ENOENT;
  const existing = d_lookup(dir, name);
  if (existing) {
    if (((existing.d_inode?.i_mode ?? 0) & S_IFMT) === S_IFDIR)
      pr_err("debugfs: Directory '%s' with parent '%s' already present!\n", name, dir.d_name);
    else pr_err("debugfs: File '%s' in directory '%s' already present!\n", name, dir.d_name);
    return -EEXIST;
  }
  return d_alloc(dir, name);
}

/** Wraps `real` so that a removed file's operations return -EIO (`full_proxy_fops`). */
function full_proxy_fops(d: dentry, real: file_operations): file_operations {
  const proxy: Record<string, unknown> = { owner: real.owner };
  for (const [key, op] of Object.entries(real)) {
    if (key === 'owner' || typeof op !== 'function') continue;
    proxy[key] = (...args: unknown[]) => {
      if (removed.has(d) && key !== 'release') return -EIO;
      return (op as (...a: unknown[]) => unknown)(...args);
    };
  }
  return proxy as file_operations;
}

/**
 * `debugfs_create_file`: a file `name` in `parent` (the top when null) with
 * permission bits `mode` and operations `fops`; `data` is the inode's
 * `i_private` (what `simple_open` puts in `private_data`).
 */
export function debugfs_create_file(
  name: string,
  mode: number,
  parent: debugfs_parent,
  data: unknown,
  fops: file_operations,
): dentry | number {
  const d = start_creating(name, parent);
  if (typeof d === 'number') return d;
  const node = new_inode(d.d_sb);
  node.i_mode = mode & S_IFMT ? mode : S_IFREG | (mode & 0o7777);
  node.i_private = data;
  node.i_fop = full_proxy_fops(d, fops);
  d_add(d, node);
  return d;
}

/** `debugfs_create_dir`: a directory (0755) `name` in `parent`. */
export function debugfs_create_dir(name: string, parent: debugfs_parent): dentry | number {
  const d = start_creating(name, parent);
  if (typeof d === 'number') return d;
  const node = new_inode(d.d_sb);
  node.i_mode = S_IFDIR | 0o755;
  node.i_op = simple_dir_inode_operations;
  node.i_fop = simple_dir_operations;
  node.i_nlink = 2;
  d_add(d, node);
  d.d_parent.d_inode!.i_nlink += 1;
  return d;
}

/** `debugfs_create_symlink`: a link `name` in `parent` holding `target`. */
export function debugfs_create_symlink(
  name: string,
  parent: debugfs_parent,
  target: string,
): dentry | number {
  const d = start_creating(name, parent);
  if (typeof d === 'number') return d;
  const node = new_inode(d.d_sb);
  node.i_mode = S_IFLNK | 0o777;
  node.i_link = target;
  node.i_size = new TextEncoder().encode(target).length;
  d_add(d, node);
  return d;
}

/** `debugfs_lookup`: the dentry `name` in `parent` (the top when null), or null. */
export function debugfs_lookup(name: string, parent: debugfs_parent): dentry | null {
  if (typeof parent === 'number') return null;
  const dir = parent ?? debugfs_sb?.s_root;
  if (!dir) return null;
  return d_lookup(dir, name);
}

/** `debugfs_remove`: removes `d` and everything below it; null or an errno is ignored. */
export function debugfs_remove(d: dentry | null | number | undefined): void {
  if (d === null || d === undefined || typeof d === 'number') return;
  for (const child of [...d.d_subdirs.values()]) debugfs_remove(child);
  removed.add(d);
  if (d.d_inode && (d.d_inode.i_mode & S_IFMT) === S_IFDIR) d.d_parent.d_inode!.i_nlink -= 1;
  d_delete(d);
}

/** `debugfs_lookup_and_remove`. */
export function debugfs_lookup_and_remove(name: string, parent: debugfs_parent): void {
  debugfs_remove(debugfs_lookup(name, parent));
}
