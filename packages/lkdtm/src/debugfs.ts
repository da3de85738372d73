/**
 * The debugfs interface (`core.c`): `/sys/kernel/debug/provoke-crash/DIRECT`.
 * Reading it lists the crash types; writing a name runs that test in the
 * writing task, after copying the name in through a page as `direct_entry`
 * does (so a bad user pointer is -EFAULT, a page or more -EINVAL).
 *
 * @module
 */

import {
  __get_free_pages,
  copy_from_user,
  debugfs_create_dir,
  debugfs_create_file,
  debugfs_remove,
  type dentry,
  EFAULT,
  EINVAL,
  ENOMEM,
  type file,
  type file_operations,
  free_page,
  GFP_KERNEL,
  generic_file_llseek,
  type loff_ref,
  memcpy_to_js,
  PAGE_SIZE,
  simple_read_from_buffer,
} from '@rfl/kernel';
import { find_crashtype, lkdtm_direct_read, lkdtm_do_action } from './core.js';
import { pr_err, pr_info } from './lkdtm.js';

/** `strim`: the name without surrounding whitespace, up to a NUL. */
function strim(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return new TextDecoder().decode(nul < 0 ? bytes : bytes.subarray(0, nul)).trim();
}

/** `lkdtm_debugfs_read`: "Available crash types:" and one name per line. */
function lkdtm_debugfs_read(_f: file, user_buf: number, count: number, off: loff_ref): number {
  return simple_read_from_buffer(
    user_buf,
    count,
    off,
    new TextEncoder().encode(lkdtm_direct_read()),
  );
}

/** `direct_entry`: runs the test named by what user space wrote. */
function direct_entry(_f: file, user_buf: number, count: number, off: loff_ref): number {
  if (count >= PAGE_SIZE) return -EINVAL;
  if (count < 1) return -EINVAL;
  const buf = __get_free_pages(GFP_KERNEL, 0);
  if (!buf) return -ENOMEM;
  if (copy_from_user(buf, user_buf, count)) {
    free_page(buf);
    return -EFAULT;
  }
  const name = strim(memcpy_to_js(buf, count));
  free_page(buf);
  const crashtype = find_crashtype(name);
  if (!crashtype) return -EINVAL;
  pr_info('Performing direct entry %s\n', crashtype.name);
  lkdtm_do_action(crashtype);
  off.value += count;
  return count;
}

let lkdtm_debugfs_root: dentry | null = null;

/**
 * Creates `provoke-crash/DIRECT` in debugfs with operations owned by
 * `owner` (the module, pinned while the file is open); 0 or -ENODEV.
 */
export function lkdtm_debugfs_init(owner: unknown): number {
  const root = debugfs_create_dir('provoke-crash', null);
  if (typeof root === 'number') {
    pr_err('creating root dir failed\n');
    return -19;
  }
  lkdtm_debugfs_root = root;
  const fops: file_operations = {
    owner,
    read: lkdtm_debugfs_read,
    llseek: generic_file_llseek,
    open: () => 0,
    write: direct_entry,
  };
  const de = debugfs_create_file('DIRECT', 0o644, root, null, fops);
  if (typeof de === 'number') {
    pr_err('could not create crashpoint %s\n', 'DIRECT');
    debugfs_remove(root);
    lkdtm_debugfs_root = null;
    return de;
  }
  return 0;
}

/** Removes the debugfs directory (`debugfs_remove_recursive`). */
export function lkdtm_debugfs_exit(): void {
  debugfs_remove(lkdtm_debugfs_root);
  lkdtm_debugfs_root = null;
}
