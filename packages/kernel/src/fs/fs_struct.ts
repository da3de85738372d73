/**
 * A process's working directory (`struct fs_struct`'s `pwd`): where relative names
 * start. A task starts in `/`; a child made with `sim_fork_files` inherits its parent's.
 *
 * The directory is kept by reference, as the kernel keeps a `struct path`: a working
 * directory that is removed stays the working directory, and lookups in it find nothing.
 *
 * @module
 */

import type { task_struct } from '../sched/task.js';
import type { path, vfsmount } from './fs.js';
import { current_root } from './namespace.js';

/** The working directory, and the root mount it belongs to (a vfs_init makes a new one). */
interface fs_struct {
  readonly pwd: path;
  readonly root: vfsmount;
}

const fs_structs = new WeakMap<task_struct, fs_struct>();

/** The working directory of `task` (`current->fs->pwd`); `/` after a VFS reboot. */
export function task_pwd(task: task_struct): path {
  const fs = fs_structs.get(task);
  const root = current_root();
  return fs !== undefined && fs.root === root.mnt ? fs.pwd : root;
}

/** Sets the working directory of `task` (`set_fs_pwd`). */
export function set_fs_pwd(task: task_struct, p: path): void {
  fs_structs.set(task, { pwd: p, root: current_root().mnt });
}

/** Gives `child` the working directory of `parent` (what fork copies). */
export function copy_fs_struct(child: task_struct, parent: task_struct): void {
  const fs = fs_structs.get(parent);
  if (fs !== undefined) fs_structs.set(child, fs);
}
