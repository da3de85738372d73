/**
 * The node tree under sysfs (`fs/kernfs/` in the kernel): directories, files
 * and symlinks, each a {@link kernfs_node}. sysfs builds it from kobjects
 * (a directory per kobject, a file per attribute, a link per
 * `sysfs_create_link`); the VFS mount at `/sys` only walks it.
 *
 * Nodes hold permission bits only (`mode & 0o777`); the file type is
 * {@link kernfs_node.type}, turned into `S_IFDIR`/`S_IFREG`/`S_IFLNK` by
 * whoever builds inodes from it.
 *
 * Differences from the kernel: no namespaces, no active references (removal
 * is immediate: a removed node is marked and unlinked, and an open file of it
 * fails its next read with `-ENODEV` as kernfs' drained nodes do).
 *
 * @module
 */

import { EACCES, EEXIST, EINVAL, ELOOP, ENODEV, ENOENT, ENOTDIR } from '../../errno.js';
import { PAGE_SIZE } from '../../mm/layout.js';
import { WARN } from '../../panic.js';

export type kernfs_node_type = 'dir' | 'file' | 'link';

/** What a file node does when read or written (`struct kernfs_ops`). */
export interface kernfs_ops {
  /** The whole content of the file, or a negative errno. */
  seq_show?: (kn: kernfs_node) => string | number;
  /** Consumes `buf`; returns the bytes consumed or a negative errno, later if it sleeps. */
  write?: (kn: kernfs_node, buf: string) => number | Promise<number>;
}

/** `struct kernfs_node`. */
export class kernfs_node {
  name: string;
  parent: kernfs_node | null;
  readonly type: kernfs_node_type;
  /** Permission bits (`0o777`); directories 0755, links 0777. */
  mode: number;
  /** The inode number the VFS gives this node. */
  readonly ino: number;
  /** sysfs: a directory's kobject; a file's attribute. */
  priv: unknown;
  /** Files: their operations. */
  ops: kernfs_ops | null = null;
  /** Files: the size `stat` reports (PAGE_SIZE for sysfs attributes). */
  size = 0;
  /** Links: the node the link points at. */
  target: kernfs_node | null = null;
  /** Directories: the children by name. */
  readonly children = new Map<string, kernfs_node>();
  /** An empty directory that only serves as a mount point (`KERNFS_EMPTY_DIR`). */
  empty_dir = false;
  /** Set once removed; a removed node is never re-added. */
  removed = false;
  /**
   * Directories whose children are computed (procfs' pid directories,
   * `/sys/kernel/slab`): brings `children` up to date before each lookup or
   * listing.
   */
  refresh: ((kn: kernfs_node) => void) | null = null;
  /** Links whose target depends on who looks (`/proc/self`): the link text, relative to the parent. */
  link_text: (() => string | null) | null = null;
  /** Files: how many times kernfs_notify() ran (`attr.open->event`); pollers compare it. */
  event = 0;

  constructor(name: string, type: kernfs_node_type, mode: number, parent: kernfs_node | null) {
    this.name = name;
    this.type = type;
    this.mode = mode & 0o777;
    this.parent = parent;
    next_ino += 1;
    this.ino = next_ino;
  }
}

let next_ino = 0;

let notify_hook: (kn: kernfs_node) => void = () => {};

/** Installs what wakes a file's pollers (set by the VFS side, which owns the wait queues). */
export function set_kernfs_notify_hook(hook: (kn: kernfs_node) => void): void {
  notify_hook = hook;
}

/**
 * `kernfs_notify()`: the file's content changed in a way its pollers wait for
 * (`sysfs_notify()`): poll() of an open file reports EPOLLERR | EPOLLPRI until the file
 * is read again.
 */
export function kernfs_notify(kn: kernfs_node): void {
  if (kn.type !== 'file' || kn.removed) return;
  kn.event += 1;
  notify_hook(kn);
}

/** A fresh root directory (`kernfs_create_root`). */
export function kernfs_create_root(priv: unknown = null): kernfs_node {
  const root = new kernfs_node('', 'dir', 0o755, null);
  root.priv = priv;
  return root;
}

function kernfs_name_is_valid(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/');
}

/** Links `kn` under `parent` (`kernfs_add_one`): `-ENOENT` under a dead or empty dir, `-EEXIST`. */
function kernfs_add_one(parent: kernfs_node, kn: kernfs_node): kernfs_node | number {
  if (parent.type !== 'dir') return -EINVAL;
  if (parent.removed || parent.empty_dir) return -ENOENT;
  if (parent.children.has(kn.name)) return -EEXIST;
  parent.children.set(kn.name, kn);
  return kn;
}

function kernfs_new_node(
  parent: kernfs_node,
  name: string,
  type: kernfs_node_type,
  mode: number,
): kernfs_node | number {
  if (WARN(!kernfs_name_is_valid(name), "kernfs: name '%s' is invalid\n", name)) return -EINVAL;
  return new kernfs_node(name, type, mode, parent);
}

/** `kernfs_create_dir_ns`: the new directory, or `-EEXIST`/`-ENOENT`/`-EINVAL`. */
export function kernfs_create_dir(
  parent: kernfs_node,
  name: string,
  mode: number,
  priv: unknown,
): kernfs_node | number {
  const kn = kernfs_new_node(parent, name, 'dir', mode);
  if (typeof kn === 'number') return kn;
  kn.priv = priv;
  return kernfs_add_one(parent, kn);
}

/** `kernfs_create_empty_dir`: a directory that stays empty (a mount point). */
export function kernfs_create_empty_dir(parent: kernfs_node, name: string): kernfs_node | number {
  const kn = kernfs_new_node(parent, name, 'dir', 0o755);
  if (typeof kn === 'number') return kn;
  kn.empty_dir = true;
  return kernfs_add_one(parent, kn);
}

/** `__kernfs_create_file`. */
export function kernfs_create_file(
  parent: kernfs_node,
  name: string,
  mode: number,
  size: number,
  ops: kernfs_ops,
  priv: unknown,
): kernfs_node | number {
  const kn = kernfs_new_node(parent, name, 'file', mode);
  if (typeof kn === 'number') return kn;
  kn.size = size;
  kn.ops = ops;
  kn.priv = priv;
  return kernfs_add_one(parent, kn);
}

/** `kernfs_create_link`: a symlink named `name` in `parent` to `target`. */
export function kernfs_create_link(
  parent: kernfs_node,
  name: string,
  target: kernfs_node,
): kernfs_node | number {
  const kn = kernfs_new_node(parent, name, 'link', 0o777);
  if (typeof kn === 'number') return kn;
  kn.target = target;
  return kernfs_add_one(parent, kn);
}

/** The child `name` of `parent`, if any (`kernfs_find_and_get`). */
export function kernfs_find(parent: kernfs_node, name: string): kernfs_node | undefined {
  parent.refresh?.(parent);
  return parent.children.get(name);
}

/** The children of a directory, computed ones brought up to date, sorted by name. */
export function kernfs_children(kn: kernfs_node): kernfs_node[] {
  kn.refresh?.(kn);
  return [...kn.children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** What `readlink` of a link node shows: the relative path to its target. */
export function kernfs_link_text(kn: kernfs_node): string | null {
  if (kn.link_text) return kn.link_text();
  if (!kn.target || !kn.parent) return null;
  return kernfs_get_target_path(kn.parent, kn.target);
}

/** A link whose text is computed on every use (`/proc/self`). */
export function kernfs_create_dynamic_link(
  parent: kernfs_node,
  name: string,
  text: () => string | null,
): kernfs_node | number {
  const kn = kernfs_new_node(parent, name, 'link', 0o777);
  if (typeof kn === 'number') return kn;
  kn.link_text = text;
  return kernfs_add_one(parent, kn);
}

/** Removes `kn` and everything below it (`kernfs_remove`). */
export function kernfs_remove(kn: kernfs_node | null | undefined): void {
  if (!kn || kn.removed) return;
  for (const child of [...kn.children.values()]) kernfs_remove(child);
  if (kn.parent?.children.get(kn.name) === kn) kn.parent.children.delete(kn.name);
  kn.removed = true;
}

/** `kernfs_remove_by_name`: 0, or `-ENOENT` when there is no such child. */
export function kernfs_remove_by_name(parent: kernfs_node, name: string): number {
  const kn = parent.children.get(name);
  if (!kn) return -ENOENT;
  kernfs_remove(kn);
  return 0;
}

/** `kernfs_rename_ns`: moves `kn` to `new_parent` under `new_name`. */
export function kernfs_rename(kn: kernfs_node, new_parent: kernfs_node, new_name: string): number {
  if (!kn.parent || kn.removed || new_parent.removed) return -ENOENT;
  if (kn.parent === new_parent && kn.name === new_name) return 0;
  if (!kernfs_name_is_valid(new_name)) return -EINVAL;
  if (new_parent.children.has(new_name)) return -EEXIST;
  kn.parent.children.delete(kn.name);
  kn.name = new_name;
  kn.parent = new_parent;
  new_parent.children.set(new_name, kn);
  return 0;
}

/** The path of `kn` from its root: `/devices/virtual/misc/foo`; `/` for the root. */
export function kernfs_path(kn: kernfs_node): string {
  const parts: string[] = [];
  for (let n: kernfs_node | null = kn; n?.parent; n = n.parent) parts.push(n.name);
  return `/${parts.reverse().join('/')}`;
}

function ancestors(kn: kernfs_node): kernfs_node[] {
  const chain: kernfs_node[] = [];
  for (let n: kernfs_node | null = kn; n; n = n.parent) chain.push(n);
  return chain.reverse();
}

/**
 * The text of a link in `parent` that points at `target` (`kernfs_get_target_path`):
 * one `..` per level up to the common ancestor, then down to the target.
 */
export function kernfs_get_target_path(parent: kernfs_node, target: kernfs_node): string {
  const from = ancestors(parent);
  const to = ancestors(target);
  let common = 0;
  while (common < from.length && common < to.length && from[common] === to[common]) common += 1;
  const ups = Array<string>(from.length - common).fill('..');
  const downs = to.slice(common).map((n) => n.name);
  return [...ups, ...downs].join('/');
}

const MAXSYMLINKS = 40;

/**
 * Walks `path` from `root` (absolute paths start at `root`, relative ones at
 * `cwd`), following links in every component and in the last one when
 * `follow` is set. Returns the node, `-ENOENT`, `-ENOTDIR` or `-ELOOP`.
 */
export function kernfs_walk(
  root: kernfs_node,
  path: string,
  follow = true,
  cwd: kernfs_node = root,
  depth = 0,
): kernfs_node | number {
  let node = path.startsWith('/') ? root : cwd;
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (node.type !== 'dir') return -ENOTDIR;
    if (part === '..') {
      node = node.parent ?? node;
      continue;
    }
    let next = kernfs_find(node, part);
    if (!next) return -ENOENT;
    const last = i === parts.length - 1;
    if (next.type === 'link' && (!last || follow)) {
      if (depth >= MAXSYMLINKS) return -ELOOP;
      if (next.link_text) {
        const text = next.link_text();
        if (text === null) return -ENOENT;
        const resolved = kernfs_walk(root, text, true, node, depth + 1);
        if (typeof resolved === 'number') return resolved;
        next = resolved;
      } else {
        if (!next.target || next.target.removed) return -ENOENT;
        const resolved = kernfs_walk(root, '', true, next.target, depth + 1);
        if (typeof resolved === 'number') return resolved;
        next = resolved;
      }
    }
    node = next;
  }
  return node;
}

/**
 * The permission test of `kernfs_fop_open`: opening for writing needs a write
 * bit in the mode *and* a write operation, for reading a read bit and a show
 * operation; otherwise `-EACCES`, even for root (sysfs ignores
 * `CAP_DAC_OVERRIDE` here, which is why `echo 1 > ro_attr` fails as root).
 */
export function kernfs_open_check(kn: kernfs_node, read: boolean, write: boolean): number {
  if (kn.type !== 'file') return 0;
  if (write && (!(kn.mode & 0o222) || !kn.ops?.write)) return -EACCES;
  if (read && (!(kn.mode & 0o444) || !kn.ops?.seq_show)) return -EACCES;
  return 0;
}

/** One read of a file node: its whole text, or a negative errno (`-ENODEV` once removed). */
export function kernfs_file_show(kn: kernfs_node): string | number {
  if (kn.removed) return -ENODEV;
  const show = kn.ops?.seq_show;
  if (!show) return -EINVAL;
  return show(kn);
}

/**
 * One write to a file node (`kernfs_fop_write_iter`): at most PAGE_SIZE bytes
 * reach the `write` operation, so a longer write is short; an empty write is
 * 0 without calling it.
 */
export function kernfs_file_write(kn: kernfs_node, buf: string): number | Promise<number> {
  if (kn.removed) return -ENODEV;
  const write = kn.ops?.write;
  if (!write) return -EINVAL;
  let text = buf;
  const bytes = Buffer.from(buf);
  if (bytes.length > PAGE_SIZE) text = bytes.subarray(0, PAGE_SIZE).toString();
  if (text.length === 0) return 0;
  return write(kn, text);
}
