/**
 * Heap bugs (`drivers/misc/lkdtm/heap.c`): linear overflows of a slab object
 * and a vmalloc area, reads after free from slab and buddy memory, double and cross-cache frees, and freeing a page as a slab
 * object. KASAN reports the reads and the double free; the slab allocator
 * refuses the wrong-cache and non-slab frees with a WARN.
 *
 * The simulation does not implement `init_on_free`, so without KASAN the
 * freed memory keeps its contents and the read tests say so.
 *
 * @module
 */

import {
  __get_free_pages,
  free_page,
  GFP_KERNEL,
  kfree,
  kmalloc,
  type kmem_cache,
  kmem_cache_alloc,
  kmem_cache_create,
  kmem_cache_destroy,
  kmem_cache_free,
  kmem_caches,
  memset,
  PAGE_SIZE,
  readl,
  vfree,
  vzalloc,
  writel,
} from '@rfl/kernel';
import { type crashtype, pr_err, pr_expected_config, pr_info } from './lkdtm.js';

let double_free_cache: kmem_cache | null = null;
let a_cache: kmem_cache | null = null;
let b_cache: kmem_cache | null = null;

// Constructors keep the caches distinct, as the C module does to avoid slab merging.
function ctor_double_free(_region: number): void {}
function ctor_a(_region: number): void {}
function ctor_b(_region: number): void {}

/** `lkdtm_heap_init`: creates the caches (again after a reboot dropped them). */
export function lkdtm_heap_init(): void {
  const live = new Set(kmem_caches());
  if (double_free_cache && live.has(double_free_cache)) return;
  double_free_cache = kmem_cache_create('lkdtm-heap-double_free', 64, 0, 0, ctor_double_free);
  a_cache = kmem_cache_create('lkdtm-heap-a', 64, 0, 0, ctor_a);
  b_cache = kmem_cache_create('lkdtm-heap-b', 64, 0, 0, ctor_b);
}

/** `lkdtm_heap_exit`. */
export function lkdtm_heap_exit(): void {
  const live = new Set(kmem_caches());
  for (const s of [double_free_cache, a_cache, b_cache])
    if (s && live.has(s)) kmem_cache_destroy(s);
  double_free_cache = a_cache = b_cache = null;
}

/**
 * One byte past a vmalloc area: the guard page after every area makes it a
 * page fault even without KASAN.
 */
function lkdtm_VMALLOC_LINEAR_OVERFLOW(): void {
  const one = vzalloc(PAGE_SIZE);
  const two = vzalloc(PAGE_SIZE);
  if (one && two) {
    pr_info('Attempting vmalloc linear overflow ...\n');
    memset(one, 0xaa, PAGE_SIZE + 1);
  }
  vfree(two);
  vfree(one);
}

/** Four bytes past a 1020-byte object, still inside its kmalloc-1k slot: KASAN's redzone. */
function lkdtm_SLAB_LINEAR_OVERFLOW(): void {
  const len = 1020;
  const data = kmalloc(len, GFP_KERNEL);
  if (!data) return;
  pr_info('Attempting slab linear overflow ...\n');
  writel(0x12345678, data + 1024);
  kfree(data);
}

function lkdtm_READ_AFTER_FREE(): void {
  const len = 1024;
  // SLUB may keep its free pointer in the first word: use the middle.
  const offset = (len / 4 / 2) * 4;
  const base = kmalloc(len, GFP_KERNEL);
  if (!base) {
    pr_info('Unable to allocate base memory.\n');
    return;
  }
  const val = kmalloc(len, GFP_KERNEL);
  if (!val) {
    pr_info('Unable to allocate val memory.\n');
    kfree(base);
    return;
  }
  writel(0x12345678, val);
  writel(readl(val), base + offset);
  pr_info('Value in memory before free: %x\n', readl(base + offset));
  kfree(base);
  pr_info('Attempting bad read from freed memory\n');
  const saw = readl(base + offset);
  if (saw !== readl(val)) {
    pr_info('Memory correctly poisoned (%x)\n', saw);
  } else {
    pr_err('FAIL: Memory was not poisoned!\n');
    pr_expected_config('CONFIG_INIT_ON_FREE_DEFAULT_ON', false);
  }
  kfree(val);
}

function lkdtm_READ_BUDDY_AFTER_FREE(): void {
  const p = __get_free_pages(GFP_KERNEL, 0);
  if (!p) {
    pr_info('Unable to allocate free page\n');
    return;
  }
  const val = kmalloc(1024, GFP_KERNEL);
  if (!val) {
    pr_info('Unable to allocate val memory.\n');
    free_page(p);
    return;
  }
  writel(0x12345678, val);
  writel(readl(val), p);
  pr_info('Value in memory before free: %x\n', readl(p));
  free_page(p);
  pr_info('Attempting to read from freed memory\n');
  const saw = readl(p);
  if (saw !== readl(val)) {
    pr_info('Memory correctly poisoned (%x)\n', saw);
  } else {
    pr_err('FAIL: Buddy page was not poisoned!\n');
    pr_expected_config('CONFIG_INIT_ON_FREE_DEFAULT_ON', false);
  }
  kfree(val);
}

function lkdtm_SLAB_FREE_DOUBLE(): void {
  lkdtm_heap_init();
  const val = kmem_cache_alloc(double_free_cache!, GFP_KERNEL);
  if (!val) {
    pr_info('Unable to allocate double_free_cache memory.\n');
    return;
  }
  writel(0x12345678, val);
  pr_info('Attempting double slab free ...\n');
  kmem_cache_free(double_free_cache, val);
  kmem_cache_free(double_free_cache, val);
}

function lkdtm_SLAB_FREE_CROSS(): void {
  lkdtm_heap_init();
  const val = kmem_cache_alloc(a_cache!, GFP_KERNEL);
  if (!val) {
    pr_info('Unable to allocate a_cache memory.\n');
    return;
  }
  writel(0x12345679, val);
  pr_info('Attempting cross-cache slab free ...\n');
  kmem_cache_free(b_cache, val);
}

function lkdtm_SLAB_FREE_PAGE(): void {
  const p = __get_free_pages(GFP_KERNEL, 0);
  pr_info('Attempting non-Slab slab free ...\n');
  kmem_cache_free(null, p);
  free_page(p);
}

export const heap_crashtypes: crashtype[] = [
  { name: 'SLAB_LINEAR_OVERFLOW', func: lkdtm_SLAB_LINEAR_OVERFLOW },
  { name: 'VMALLOC_LINEAR_OVERFLOW', func: lkdtm_VMALLOC_LINEAR_OVERFLOW },
  { name: 'READ_AFTER_FREE', func: lkdtm_READ_AFTER_FREE },
  { name: 'READ_BUDDY_AFTER_FREE', func: lkdtm_READ_BUDDY_AFTER_FREE },
  { name: 'SLAB_FREE_DOUBLE', func: lkdtm_SLAB_FREE_DOUBLE },
  { name: 'SLAB_FREE_CROSS', func: lkdtm_SLAB_FREE_CROSS },
  { name: 'SLAB_FREE_PAGE', func: lkdtm_SLAB_FREE_PAGE },
];
