/**
 * Filesystem types and super blocks (fs/filesystems.c, fs/super.c): register a type,
 * then mount instances of it with `do_mount()` (see namespace.ts).
 *
 * A filesystem's `mount` builds a super block with {@link mount_nodev} (a new instance per
 * mount: tmpfs) or {@link mount_single} (one instance shared by every mount: debugfs),
 * filling it with a `fill_super` function, as in the kernel's legacy mount API.
 *
 * @module
 */

import { EBUSY, EINVAL } from '../errno.js';
import { type file_system_type, super_block } from './fs.js';

const file_systems = new Map<string, file_system_type>();
const single_sbs = new Map<file_system_type, super_block>();
let next_anon_dev = 0;

/** Adds a filesystem type; -EBUSY if one of that name exists (`register_filesystem`). */
export function register_filesystem(fs: file_system_type): number {
  if (file_systems.has(fs.name)) return -EBUSY;
  file_systems.set(fs.name, fs);
  return 0;
}

/** Removes a filesystem type; -EINVAL if it is not registered (`unregister_filesystem`). */
export function unregister_filesystem(fs: file_system_type): number {
  if (file_systems.get(fs.name) !== fs) return -EINVAL;
  file_systems.delete(fs.name);
  single_sbs.delete(fs);
  return 0;
}

/** The registered type called `name` (`get_fs_type`). */
export function get_fs_type(name: string): file_system_type | undefined {
  return file_systems.get(name);
}

/** The names of the registered types, as /proc/filesystems lists them. */
export function filesystems_names(): string[] {
  return [...file_systems.keys()];
}

/**
 * Forgets every mounted instance (part of vfs_init). Registered types stay: they are code,
 * registered once when their module loads.
 */
export function filesystems_reset(): void {
  single_sbs.clear();
  next_anon_dev = 0;
}

/** A super block with an anonymous device number, as `set_anon_super` gives one. */
export function sget_anon(fs_type: file_system_type): super_block {
  const sb = new super_block(fs_type);
  next_anon_dev += 1;
  sb.s_dev = next_anon_dev;
  return sb;
}

export type fill_super_fn = (sb: super_block, data: unknown, silent: number) => number;

/** A new instance on every mount (`mount_nodev`). */
export function mount_nodev(
  fs_type: file_system_type,
  _flags: number,
  data: unknown,
  fill_super: fill_super_fn,
): super_block | number {
  const sb = sget_anon(fs_type);
  const err = fill_super(sb, data, 0);
  return err < 0 ? err : sb;
}

/** One instance, shared by every mount of the type (`mount_single`). */
export function mount_single(
  fs_type: file_system_type,
  _flags: number,
  data: unknown,
  fill_super: fill_super_fn,
): super_block | number {
  const existing = single_sbs.get(fs_type);
  if (existing !== undefined) return existing;
  const sb = sget_anon(fs_type);
  const err = fill_super(sb, data, 0);
  if (err < 0) return err;
  single_sbs.set(fs_type, sb);
  return sb;
}
