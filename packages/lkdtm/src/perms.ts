/**
 * Memory permission tests (`drivers/misc/lkdtm/perms.c`): writes to the
 * kernel's read-only data and text, the kernel reading and writing user
 * memory directly (SMAP stops it) and NULL.
 *
 * @module
 */

import {
  _stext,
  copy_to_user,
  current,
  do_mmap,
  GFP_KERNEL,
  kernel_rodata,
  kfree,
  kzalloc,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  memcpy,
  PAGE_SIZE,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  read_ptr,
  readl,
  vm_munmap,
  write_ptr,
  writel,
} from '@rfl/kernel';
import { type crashtype, pr_err, pr_info, pr_warn } from './lkdtm.js';

/** `static const unsigned long rodata = 0xAA55AA55;` */
const RODATA_VALUE = Uint8Array.of(0x55, 0xaa, 0x55, 0xaa, 0, 0, 0, 0);

/**
 * Two functions in kernel text, `do_nothing` and the `do_overwritten` after
 * it. The simulated kernel's functions are JavaScript; these are addresses
 * in its text that stand for them.
 */
const DO_NOTHING_TEXT = _stext + 0x40;
const DO_OVERWRITTEN_TEXT = _stext + 0x80;

function lkdtm_WRITE_RO(): void {
  const ptr = kernel_rodata(RODATA_VALUE);
  pr_info('attempting bad rodata write at %px\n', ptr);
  writel((readl(ptr) ^ 0xabcd1234) >>> 0, ptr);
  pr_err('FAIL: survived bad write\n');
}

function lkdtm_WRITE_KERN(): void {
  const size = DO_OVERWRITTEN_TEXT - DO_NOTHING_TEXT;
  pr_info('attempting bad %zu byte write at %px\n', size, DO_OVERWRITTEN_TEXT);
  memcpy(DO_OVERWRITTEN_TEXT, DO_NOTHING_TEXT, size);
  pr_err('FAIL: survived bad write\n');
}

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
  { name: 'WRITE_RO', func: lkdtm_WRITE_RO },
  { name: 'WRITE_KERN', func: lkdtm_WRITE_KERN },
  { name: 'ACCESS_USERSPACE', func: lkdtm_ACCESS_USERSPACE },
  { name: 'ACCESS_NULL', func: lkdtm_ACCESS_NULL },
];
