/**
 * Hardened usercopy tests (`drivers/misc/lkdtm/usercopy.c`): copies that
 * run past a kmalloc object, outside a cache's usercopy whitelist, or out of
 * kernel text. Each first makes a good copy, which must succeed, then the
 * bad one, which must end in `usercopy: Kernel memory … attempt detected`
 * and a BUG that kills the task.
 *
 * The kernel's tests go through a `volatile` "unconst" so that the compiler
 * cannot see constant sizes, which hardened usercopy skips; the simulation
 * checks every copy, so the sizes are plain numbers here. The stack tests
 * (USERCOPY_STACK_*) are not here: the simulation has no kernel stacks.
 *
 * @module
 */

import {
  _stext,
  copy_from_user,
  copy_to_user,
  current,
  do_mmap,
  GFP_KERNEL,
  hardened_usercopy_enabled,
  kernel_rodata,
  kfree,
  kmalloc,
  type kmem_cache,
  kmem_cache_alloc,
  kmem_cache_create_usercopy,
  kmem_cache_destroy,
  kmem_cache_free,
  kmem_caches,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  memset,
  type mm_struct,
  PAGE_SIZE,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  vfree,
  vm_munmap,
  vmalloc,
} from '@rfl/kernel';
import { type crashtype, pr_err, pr_expected_config, pr_info, pr_warn } from './lkdtm.js';

const cache_size = 1024;
let whitelist_cache: kmem_cache | null = null;

/** `test_text`, a `static const` string in rodata. */
const TEST_TEXT = 'This is a test.\n';
const TEST_TEXT_SIZE = TEST_TEXT.length + 1;

/**
 * Where `vm_mmap` is in kernel text. The simulated kernel's functions are
 * JavaScript; the test only needs an address inside text.
 */
const VM_MMAP_TEXT = _stext + 0x100;

/** `lkdtm_usercopy_init`: the cache whose objects whitelist bytes 256..319. */
export function lkdtm_usercopy_init(): void {
  if (whitelist_cache && kmem_caches().includes(whitelist_cache)) return;
  whitelist_cache = kmem_cache_create_usercopy(
    'lkdtm-usercopy',
    cache_size,
    0,
    0,
    cache_size / 4,
    cache_size / 16,
  );
}

/** `lkdtm_usercopy_exit`. */
export function lkdtm_usercopy_exit(): void {
  if (whitelist_cache && kmem_caches().includes(whitelist_cache)) {
    kmem_cache_destroy(whitelist_cache);
  }
  whitelist_cache = null;
}

/** `vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ|PROT_WRITE|PROT_EXEC, MAP_ANONYMOUS|MAP_PRIVATE, 0)`. */
function user_page(): { mm: mm_struct; addr: number } | null {
  const mm = current().mm;
  if (mm === null) return null;
  const addr = do_mmap(
    mm,
    0,
    PAGE_SIZE,
    PROT_READ | PROT_WRITE | PROT_EXEC,
    MAP_ANONYMOUS | MAP_PRIVATE,
    0,
  );
  return addr < 0 ? null : { mm, addr };
}

function bad_usercopy_not_detected(): void {
  pr_err('FAIL: bad usercopy not detected!\n');
  pr_expected_config('CONFIG_HARDENED_USERCOPY', hardened_usercopy_enabled());
}

function do_usercopy_heap_size(to_user: boolean): void {
  const size = 1024;
  const one = kmalloc(size, GFP_KERNEL);
  const two = kmalloc(size, GFP_KERNEL);
  const user = one && two ? user_page() : null;
  if (!one || !two) pr_warn('Failed to allocate kernel memory\n');
  else if (!user) pr_warn('Failed to allocate user memory\n');
  if (!one || !two || !user) {
    kfree(one);
    kfree(two);
    return;
  }
  memset(one, 0x41, size);
  memset(two, 0x42, size);
  const test_user_addr = user.addr + 16;
  const test_kern_addr = one + 16;
  // An Oops ends the task here, as in C: the objects leak and exit unmaps the page.
  usercopy_heap_size(to_user, test_user_addr, test_kern_addr, size);
  vm_munmap(user.mm, user.addr, PAGE_SIZE);
  kfree(one);
  kfree(two);
}

function usercopy_heap_size(
  to_user: boolean,
  test_user_addr: number,
  test_kern_addr: number,
  size: number,
): void {
  if (to_user) {
    pr_info('attempting good copy_to_user of correct size\n');
    if (copy_to_user(test_user_addr, test_kern_addr, size / 2)) {
      pr_warn('copy_to_user failed unexpectedly?!\n');
      return;
    }
    pr_info('attempting bad copy_to_user of too large size\n');
    if (copy_to_user(test_user_addr, test_kern_addr, size)) {
      pr_warn('copy_to_user failed, but lacked Oops\n');
      return;
    }
  } else {
    pr_info('attempting good copy_from_user of correct size\n');
    if (copy_from_user(test_kern_addr, test_user_addr, size / 2)) {
      pr_warn('copy_from_user failed unexpectedly?!\n');
      return;
    }
    pr_info('attempting bad copy_from_user of too large size\n');
    if (copy_from_user(test_kern_addr, test_user_addr, size)) {
      pr_warn('copy_from_user failed, but lacked Oops\n');
      return;
    }
  }
  bad_usercopy_not_detected();
}

function do_usercopy_heap_whitelist(to_user: boolean): void {
  lkdtm_usercopy_init();
  const cache = whitelist_cache!;
  const buf = kmem_cache_alloc(cache, GFP_KERNEL);
  if (!buf) {
    pr_warn('Failed to allocate buffer from whitelist cache\n');
    return;
  }
  const user = user_page();
  if (!user) {
    pr_warn('Failed to allocate user memory\n');
    kmem_cache_free(cache, buf);
    return;
  }
  memset(buf, 0x42, cache_size);
  usercopy_heap_whitelist(to_user, user.addr, buf);
  vm_munmap(user.mm, user.addr, PAGE_SIZE);
  kmem_cache_free(cache, buf);
}

function usercopy_heap_whitelist(to_user: boolean, user_addr: number, buf: number): void {
  const offset = cache_size / 4;
  const size = cache_size / 16;
  if (to_user) {
    pr_info('attempting good copy_to_user inside whitelist\n');
    if (copy_to_user(user_addr, buf + offset, size)) {
      pr_warn('copy_to_user failed unexpectedly?!\n');
      return;
    }
    pr_info('attempting bad copy_to_user outside whitelist\n');
    if (copy_to_user(user_addr, buf + offset - 1, size)) {
      pr_warn('copy_to_user failed, but lacked Oops\n');
      return;
    }
  } else {
    pr_info('attempting good copy_from_user inside whitelist\n');
    if (copy_from_user(buf + offset, user_addr, size)) {
      pr_warn('copy_from_user failed unexpectedly?!\n');
      return;
    }
    pr_info('attempting bad copy_from_user outside whitelist\n');
    if (copy_from_user(buf + offset - 1, user_addr, size)) {
      pr_warn('copy_from_user failed, but lacked Oops\n');
      return;
    }
  }
  bad_usercopy_not_detected();
}

function lkdtm_USERCOPY_HEAP_SIZE_TO(): void {
  do_usercopy_heap_size(true);
}

function lkdtm_USERCOPY_HEAP_SIZE_FROM(): void {
  do_usercopy_heap_size(false);
}

function lkdtm_USERCOPY_HEAP_WHITELIST_TO(): void {
  do_usercopy_heap_whitelist(true);
}

function lkdtm_USERCOPY_HEAP_WHITELIST_FROM(): void {
  do_usercopy_heap_whitelist(false);
}

function lkdtm_USERCOPY_KERNEL(): void {
  const user = user_page();
  if (!user) {
    pr_warn('Failed to allocate user memory\n');
    return;
  }
  const test_text = kernel_rodata(TEST_TEXT);
  usercopy_kernel(user.addr, test_text);
  vm_munmap(user.mm, user.addr, PAGE_SIZE);
}

function usercopy_kernel(user_addr: number, test_text: number): void {
  pr_info('attempting good copy_to_user from kernel rodata: %px\n', test_text);
  if (copy_to_user(user_addr, test_text, TEST_TEXT_SIZE)) {
    pr_warn('copy_to_user failed unexpectedly?!\n');
    return;
  }
  pr_info('attempting bad copy_to_user from kernel text: %px\n', VM_MMAP_TEXT);
  if (copy_to_user(user_addr, VM_MMAP_TEXT, PAGE_SIZE)) {
    pr_warn('copy_to_user failed, but lacked Oops\n');
    return;
  }
  pr_err('FAIL: bad copy_to_user() not detected!\n');
  pr_expected_config('CONFIG_HARDENED_USERCOPY', hardened_usercopy_enabled());
}

/**
 * Copies half a page from the middle of a one-page allocation: fine; then a
 * whole page from there, which runs off its end (`do_usercopy_page_span`).
 */
function do_usercopy_page_span(name: string, kaddr: number): void {
  const user = user_page();
  if (!user) {
    pr_warn('Failed to allocate user memory\n');
    return;
  }
  memset(kaddr, 0xaa, PAGE_SIZE);
  usercopy_page_span(name, user.addr, kaddr + PAGE_SIZE / 2);
  vm_munmap(user.mm, user.addr, PAGE_SIZE);
}

function usercopy_page_span(name: string, uaddr: number, kaddr: number): void {
  pr_info('attempting good copy_to_user() from kernel %s: %px\n', name, kaddr);
  if (copy_to_user(uaddr, kaddr, PAGE_SIZE / 2)) {
    pr_err('copy_to_user() failed unexpectedly?!\n');
    return;
  }
  pr_info('attempting bad copy_to_user() from kernel %s: %px\n', name, kaddr);
  if (copy_to_user(uaddr, kaddr, PAGE_SIZE)) {
    pr_warn('Good, copy_to_user() failed, but lacked Oops(?!)\n');
    return;
  }
  pr_err('FAIL: bad copy_to_user() not detected!\n');
  pr_expected_config('CONFIG_HARDENED_USERCOPY', hardened_usercopy_enabled());
}

function lkdtm_USERCOPY_VMALLOC(): void {
  const addr = vmalloc(PAGE_SIZE);
  if (!addr) {
    pr_err('vmalloc() failed!?\n');
    return;
  }
  do_usercopy_page_span('vmalloc', addr);
  vfree(addr);
}

export const usercopy_crashtypes: crashtype[] = [
  { name: 'USERCOPY_HEAP_SIZE_TO', func: lkdtm_USERCOPY_HEAP_SIZE_TO },
  { name: 'USERCOPY_HEAP_SIZE_FROM', func: lkdtm_USERCOPY_HEAP_SIZE_FROM },
  { name: 'USERCOPY_HEAP_WHITELIST_TO', func: lkdtm_USERCOPY_HEAP_WHITELIST_TO },
  { name: 'USERCOPY_HEAP_WHITELIST_FROM', func: lkdtm_USERCOPY_HEAP_WHITELIST_FROM },
  { name: 'USERCOPY_VMALLOC', func: lkdtm_USERCOPY_VMALLOC },
  { name: 'USERCOPY_KERNEL', func: lkdtm_USERCOPY_KERNEL },
];
