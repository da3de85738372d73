/**
 * Booting the VFS (init/do_mounts.c, fs/namespace.c `init_mount_tree`).
 *
 * {@link vfs_init} is the reboot of the file layer: it forgets every mount, open file
 * table of the boot context and internal filesystem, mounts a fresh tmpfs as `/`, creates
 * `/dev`, `/tmp`, `/sys` and `/proc`, and mounts a second tmpfs on `/tmp`. The
 * filesystems of other subsystems (devtmpfs on /dev, sysfs, debugfs, proc) register a
 * hook with {@link register_vfs_init_hook} and are mounted by it, in registration order,
 * at the end of every vfs_init().
 *
 * @example
 * ```ts
 * import { mount_table, vfs_init } from '@rfl/kernel';
 * vfs_init();
 * mount_table() // => [{ devname: 'rootfs', dir: '/', type: 'tmpfs' }, { devname: 'tmpfs', dir: '/tmp', type: 'tmpfs' }]
 * ```
 *
 * @module
 */

import { boot_task, init_task } from '../sched/task.js';
import { d_alloc } from './dcache.js';
import { anon_inodes_reset } from './file_pseudo.js';
import { inode_numbers_reset } from './inode.js';
import { kern_path } from './namei.js';
import { vfs_mkdir } from './namei_create.js';
import { do_mount, init_mount_tree } from './namespace.js';
import { pipefs_reset } from './pipe.js';
import { filesystems_reset, get_fs_type, register_filesystem } from './super.js';
import { tmpfs_fs_type } from './tmpfs.js';

const init_hooks: (() => void)[] = [];

/**
 * Adds a function every {@link vfs_init} runs after the base tree is built (devtmpfs,
 * sysfs, debugfs and proc mount themselves here). A hook registered twice runs once.
 */
export function register_vfs_init_hook(hook: () => void): void {
  if (!init_hooks.includes(hook)) init_hooks.push(hook);
}

function mkdir_boot(name: string, mode: number): void {
  const root = kern_path('/', 0);
  if (typeof root === 'number') return;
  vfs_mkdir(root.dentry.d_inode!, d_alloc(root.dentry, name), mode);
}

/** (Re)boots the VFS; see the module documentation. Idempotent. */
export function vfs_init(): void {
  boot_task.files = undefined;
  init_task.files = undefined;
  filesystems_reset();
  anon_inodes_reset();
  pipefs_reset();
  inode_numbers_reset();
  if (get_fs_type('tmpfs') === undefined) register_filesystem(tmpfs_fs_type);
  init_mount_tree(tmpfs_fs_type, 'rootfs', { mode: 0o755 });
  mkdir_boot('dev', 0o755);
  mkdir_boot('tmp', 0o1777);
  mkdir_boot('sys', 0o555);
  mkdir_boot('proc', 0o555);
  do_mount('tmpfs', '/tmp', 'tmpfs', 0, { mode: 0o1777 });
  for (const hook of init_hooks) hook();
}
