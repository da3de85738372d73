/**
 * The dentry tree (fs/dcache.c). In-memory filesystems (tmpfs, sysfs, debugfs) keep every
 * name they have as a dentry here — the tree *is* their directory — while filesystems
 * with an `i_op.lookup` (procfs) add dentries as names are looked up.
 *
 * @module
 */

import { dentry, type inode, type super_block } from './fs.js';

/** A dentry for `name` under `parent`, not yet in the tree (`d_alloc`). */
export function d_alloc(parent: dentry, name: string): dentry {
  return new dentry(parent, name, parent.d_sb);
}

/** The same, named by a string (`d_alloc_name`). */
export const d_alloc_name = d_alloc;

/** Attaches an inode to a dentry (`d_instantiate`). */
export function d_instantiate(d: dentry, node: inode | null): void {
  d.d_inode = node;
}

/**
 * Attaches `node` and puts the dentry in its parent's children (`d_add`). A null inode
 * makes a negative dentry, which this simulator does not keep.
 */
export function d_add(d: dentry, node: inode | null): void {
  d.d_inode = node;
  if (node !== null) d.d_parent.d_subdirs.set(d.d_name, d);
}

/** The cached child `name` of `parent`, if any (`d_lookup`). */
export function d_lookup(parent: dentry, name: string): dentry | null {
  return parent.d_subdirs.get(name) ?? null;
}

/** Takes a dentry out of the tree, so lookups no longer find it (`d_drop`/`d_delete`). */
export function d_delete(d: dentry): void {
  const parent = d.d_parent;
  if (parent !== d && parent.d_subdirs.get(d.d_name) === d) parent.d_subdirs.delete(d.d_name);
}
export const d_drop = d_delete;

/** The root dentry of a super block, for `inode` (`d_make_root`). */
export function d_make_root(node: inode): dentry {
  const root = new dentry(null, '/', node.i_sb as super_block);
  root.d_inode = node;
  return root;
}

/** Whether the dentry has a child (`simple_empty` inverted). */
export function d_has_children(d: dentry): boolean {
  return d.d_subdirs.size > 0;
}

/** `d_inode(dentry)`. */
export function d_inode(d: dentry): inode | null {
  return d.d_inode;
}

/** `d_really_is_positive`. */
export function d_really_is_positive(d: dentry): boolean {
  return d.d_inode !== null;
}

/**
 * The last `n` components of a dentry's name, as printk's `%pd<n>`/`%pD<n>` print it:
 * `tmp/foxes` for /tmp/foxes on the root filesystem, `foxes` for /tmp/foxes on the tmpfs
 * mounted at /tmp (it stops at its filesystem's root), `/` for a root itself.
 *
 * @example
 * ```ts
 * import { AT_FDCWD, do_mkdirat, dentry_name, kern_path, vfs_init } from '@rfl/kernel';
 * vfs_init();
 * do_mkdirat(AT_FDCWD, '/dev/input', 0o755);
 * const p = kern_path('/dev/input', 0);
 * typeof p === 'number' ? p : dentry_name(p.dentry, 4) // => 'dev/input'
 * ```
 */
export function dentry_name(d: dentry, n = 1): string {
  if (d.d_parent === d) return d.d_name;
  const parts: string[] = [];
  for (let cur = d; parts.length < n && cur.d_parent !== cur; cur = cur.d_parent)
    parts.push(cur.d_name);
  return parts.reverse().join('/');
}
