/**
 * The kobjects every machine has at the top of `/sys`, created by
 * {@link sysfs_init} in the order the kernel's initcalls create them:
 *
 * | binding | path | made by (in the kernel) |
 * | --- | --- | --- |
 * | `devices_kset` | `/sys/devices` | `devices_init()` |
 * | `dev_kobj`, `sysfs_dev_char_kobj`, `sysfs_dev_block_kobj` | `/sys/dev`, `/sys/dev/char`, `/sys/dev/block` | `devices_init()` |
 * | `bus_kset` | `/sys/bus` | `buses_init()` |
 * | `system_kset` | `/sys/devices/system` | `buses_init()` |
 * | `class_kset` | `/sys/class` | `classes_init()` |
 * | `firmware_kobj` | `/sys/firmware` | `firmware_init()` |
 * | `kernel_kobj` | `/sys/kernel` (with `uevent_seqnum`) | `ksysfs_init()` |
 * | `slab_kset` | `/sys/kernel/slab` | `slab_sysfs_init()` |
 * | `module_kset` | `/sys/module` | `param_sysfs_init()` |
 * | `fs_kobj` | `/sys/fs` | `mnt_init()` |
 *
 * and the empty mount point `/sys/kernel/debug` (`debugfs_init()`).
 *
 * They are `let` bindings: `sysfs_init()` replaces them, so read them when
 * you use them rather than keeping a copy. Subsystems that hang more off
 * them (the device model's `uevent_ops`, `/sys/devices/platform`, the
 * classes) set that up in their own init, after `sysfs_init()`.
 *
 * @example
 * ```ts
 * import { sysfs_init, sysfs_read, sysfs_readdir } from '@rfl/kernel';
 * sysfs_init();
 * sysfs_readdir('/sys') // => ['bus', 'class', 'dev', 'devices', 'firmware', 'fs', 'kernel', 'module']
 * sysfs_read('/sys/kernel/uevent_seqnum') // => '0\n'
 * ```
 *
 * @module
 */

import { sysfs_create_mount_point, sysfs_root_reset } from '../fs/sysfs/dir.js';
import { __ATTR_RO, sysfs_create_file } from '../fs/sysfs/file.js';
import { type kobject, kobject_create_and_add, type kset, kset_create_and_add } from './kobject.js';
import { uevent_reset, uevent_seqnum_read } from './kobject_uevent.js';

function must<T>(what: T | null, name: string): T {
  if (!what) throw new Error(`sysfs_init: cannot create ${name}`);
  return what;
}

function kset_at(name: string, parent: kobject | null): kset {
  return must(kset_create_and_add(name, null, parent), name);
}

function kobj_at(name: string, parent: kobject | null): kobject {
  return must(kobject_create_and_add(name, parent), name);
}

const uevent_seqnum_attr = __ATTR_RO('uevent_seqnum', () => `${uevent_seqnum_read()}\n`);

export let devices_kset: kset;
export let dev_kobj: kobject;
export let sysfs_dev_block_kobj: kobject;
export let sysfs_dev_char_kobj: kobject;
export let bus_kset: kset;
export let system_kset: kset;
export let class_kset: kset;
export let firmware_kobj: kobject;
export let kernel_kobj: kobject;
export let slab_kset: kset;
export let module_kset: kset;
export let fs_kobj: kobject;

function new_tree(): { devices: kset } {
  sysfs_root_reset();
  uevent_reset();
  const devices = kset_at('devices', null);
  dev_kobj = kobj_at('dev', null);
  sysfs_dev_block_kobj = kobj_at('block', dev_kobj);
  sysfs_dev_char_kobj = kobj_at('char', dev_kobj);
  bus_kset = kset_at('bus', null);
  system_kset = kset_at('system', devices.kobj);
  class_kset = kset_at('class', null);
  firmware_kobj = kobj_at('firmware', null);
  kernel_kobj = kobj_at('kernel', null);
  sysfs_create_file(kernel_kobj, uevent_seqnum_attr);
  slab_kset = kset_at('slab', kernel_kobj);
  module_kset = kset_at('module', null);
  fs_kobj = kobj_at('fs', null);
  sysfs_create_mount_point(kernel_kobj, 'debug');
  return { devices };
}

/**
 * Boots sysfs: an empty tree with the well-known kobjects above, and an empty
 * uevent log (sequence number 0). Idempotent: every call is a fresh boot.
 */
export function sysfs_init(): void {
  devices_kset = new_tree().devices;
}

sysfs_init();
