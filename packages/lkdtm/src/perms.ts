/**
 * Memory permission tests (`drivers/misc/lkdtm/perms.c`): the kernel reading
 * and writing user memory directly (SMAP/PAN stop it) and NULL.
 *
 * @module
 */

import {
  copy_to_user,
  current,
  do_mmap,
  GFP_KERNEL,
  kfree,
  kzalloc,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  PAGE_SIZE,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  read_ptr,
  vm_munmap,
  write_ptr,
} from '@rfl/kernel';
import { type crashtype, pr_err, pr_info, pr_warn } from './lkdtm.js';

function lkdtm_ACCESS_USERSPACE(): void {
  const mm = current().mm;
  const user_addr =
    mm === null
      ? -1
      : do_mmap(
          mm,
          0,
          PAGE_SIZE,
          PROT_READ | PROT_WRITE | PROT_EXEC,
          MAP_ANONYMOUS | MAP_PRIVATE,
          0,
        );
  if (mm === null || user_addr < 0) {
    pr_warn('Failed to allocate user memory\n');
    return;
  }
  const tmp = kzalloc(8, GFP_KERNEL);
  if (copy_to_user(user_addr, tmp, 8)) {
    pr_warn('copy_to_user failed\n');
    kfree(tmp);
    vm_munmap(mm, user_addr, PAGE_SIZE);
    return;
  }
  kfree(tmp);
  pr_info('attempting bad read at %px\n', user_addr);
  let value = read_ptr(user_addr);
  value += 0xc0dec0de;
  pr_err('FAIL: survived bad read\n');
  pr_info('attempting bad write at %px\n', user_addr);
  write_ptr(value, user_addr);
  pr_err('FAIL: survived bad write\n');
  vm_munmap(mm, user_addr, PAGE_SIZE);
}

function lkdtm_ACCESS_NULL(): void {
  const ptr = 0;
  pr_info('attempting bad read at %px\n', ptr);
  let value = read_ptr(ptr);
  value += 0xc0dec0de;
  pr_err('FAIL: survived bad read\n');
  pr_info('attempting bad write at %px\n', ptr);
  write_ptr(value, ptr);
  pr_err('FAIL: survived bad write\n');
}

export const perms_crashtypes: crashtype[] = [
  { name: 'ACCESS_USERSPACE', func: lkdtm_ACCESS_USERSPACE },
  { name: 'ACCESS_NULL', func: lkdtm_ACCESS_NULL },
];
