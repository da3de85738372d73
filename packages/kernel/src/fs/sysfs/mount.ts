/**
 * The `sysfs` filesystem type (fs/sysfs/mount.c): one instance, showing the
 * kobject tree that `sysfs_init()` built, whatever was added since.
 *
 * @module
 */

import type { file_system_type } from '../fs.js';
import { mount_single } from '../super.js';
import { sysfs_root_kn } from './dir.js';
import { kernfs_fill_super } from './kernfs_vfs.js';

export const SYSFS_MAGIC = 0x62656572;

export const sysfs_fs_type: file_system_type = {
  name: 'sysfs',
  mount: (fs_type, flags, _dev_name, data) =>
    mount_single(fs_type, flags, data, (sb) =>
      kernfs_fill_super(sb, SYSFS_MAGIC, () => sysfs_root_kn),
    ),
};
