/**
 * Booting the driver core's filesystems and character devices, in the
 * order of the kernel's initcalls: sysfs and its roots, the classes, the
 * character-device layer, devtmpfs, debugfs with the kernel's own debug
 * files, the `misc` major and the memory devices (`/dev/null`,
 * `/dev/zero`, `/dev/full`, `/dev/random`, `/dev/urandom`); then, when the
 * VFS is up, sysfs at `/sys`, debugfs at `/sys/kernel/debug`, procfs at
 * `/proc` and devtmpfs at `/dev`.
 *
 * {@link driver_core_fs_init} is idempotent — every call is a fresh boot of
 * all of it — and is meant to run after `vfs_init()`. It does not hook
 * itself into `vfs_init()`: a bare `vfs_init()` stays a bare VFS (its own
 * tests rely on that, and doctests share their kernel), so a machine that
 * reboots its VFS calls this again.
 *
 * @example
 * ```ts
 * import { driver_core_fs_init, mount_table, vfs_init } from '@rfl/kernel';
 * vfs_init();
 * driver_core_fs_init();
 * mount_table().slice(2).map((m) => `${m.devname} ${m.dir} ${m.type}`) // => ['sysfs /sys sysfs', 'debugfs /sys/kernel/debug debugfs', 'proc /proc proc', 'devtmpfs /dev devtmpfs']
 * ```
 *
 * @module
 */

import { chrdev_init } from '../../fs/char_dev.js';
import { debugfs_builtin_init } from '../../fs/debugfs/builtin.js';
import { debug_fs_type, debugfs_init } from '../../fs/debugfs/inode.js';
import { devtmpfs_fs_type, devtmpfs_init } from '../../fs/devtmpfs.js';
import type { file_system_type } from '../../fs/fs.js';
import { kern_path, LOOKUP_FOLLOW } from '../../fs/namei.js';
import { do_mount, do_umount, mount_table } from '../../fs/namespace.js';
import { proc_fs_type } from '../../fs/proc/root.js';
import { get_fs_type, register_filesystem } from '../../fs/super.js';
import { sysfs_fs_type } from '../../fs/sysfs/mount.js';
import { slab_sysfs_init } from '../../fs/sysfs/slab.js';
import { sysfs_init } from '../../lib/kobject_roots.js';
import { classes_reset } from './class_device.js';
import { chr_dev_init } from './mem.js';
import { misc_init } from './misc.js';

function vfs_is_up(): boolean {
  return mount_table().length > 0;
}

/** Whether `dir` is the root of a mount of `type`. */
function mounted_at(dir: string, type: string): boolean {
  const p = kern_path(dir, LOOKUP_FOLLOW);
  return typeof p !== 'number' && p.dentry === p.mnt.mnt_root && p.mnt.mnt_sb.s_type.name === type;
}

function mount_once(dir: string, fs_type: file_system_type): number {
  if (get_fs_type(fs_type.name) === undefined) register_filesystem(fs_type);
  if (mounted_at(dir, fs_type.name)) return 0;
  return do_mount(fs_type.name, dir, fs_type.name, 0, null);
}

/** Mounts sysfs, debugfs, procfs and devtmpfs where a Linux system has them. */
function driver_core_fs_mount(): void {
  mount_once('/sys', sysfs_fs_type);
  mount_once('/sys/kernel/debug', debug_fs_type);
  mount_once('/proc', proc_fs_type);
  mount_once('/dev', devtmpfs_fs_type);
}

/** Boots everything above; see the module documentation. */
export function driver_core_fs_init(): void {
  if (vfs_is_up()) {
    // Fresh instances replace the mounted ones; unmounting all four keeps
    // the mount order the same on every boot.
    if (mounted_at('/dev', 'devtmpfs')) do_umount('/dev');
    if (mounted_at('/proc', 'proc')) do_umount('/proc');
    if (mounted_at('/sys/kernel/debug', 'debugfs')) do_umount('/sys/kernel/debug');
    if (mounted_at('/sys', 'sysfs')) do_umount('/sys');
  }
  sysfs_init();
  slab_sysfs_init();
  classes_reset();
  chrdev_init();
  devtmpfs_init();
  debugfs_init();
  debugfs_builtin_init();
  misc_init();
  chr_dev_init();
  if (vfs_is_up()) driver_core_fs_mount();
}
