/**
 * kmalloc and friends (`include/linux/slab.h`, `mm/slab_common.c`): objects
 * up to 8 KiB from the `kmalloc-8` … `kmalloc-8k` caches, larger ones from
 * whole pages up to `KMALLOC_MAX_SIZE` (4 MiB).
 *
 * @module
 */

import { might_sleep } from '../sched/might-sleep.js';
import { memcpy } from './access.js';
import { __GFP_DIRECT_RECLAIM, __GFP_ZERO, type gfp_t } from './gfp.js';
import {
  KASAN_PAGE_FREE,
  KASAN_PAGE_REDZONE,
  kasan_check,
  kasan_enabled,
  kasan_kfree_large,
  kasan_kmalloc_large,
  kasan_poison,
  kasan_report_invalid_free,
  kasan_resize,
  kasan_shadow,
  kasan_unpoison,
} from './kasan.js';
import {
  kmemleak_alloc,
  kmemleak_enabled,
  kmemleak_free,
  kmemleak_update_size,
} from './kmemleak.js';
import { MAX_PAGE_ORDER, mem_size, mem_u8, PAGE_OFFSET, PAGE_SHIFT, PAGE_SIZE } from './layout.js';
import {
  __alloc_pages_pfn,
  __free_pages_pfn,
  PG_large_kmalloc,
  page_flags,
  page_order,
} from './page_alloc.js';
import { kmem_cache_create_usercopy } from './slab.js';
import { cache_of_page, invalid_free, type kmem_cache, slab_alloc, slab_free } from './slub.js';

/** What `kmalloc(0)` returns: not NULL, but faults when dereferenced. */
export const ZERO_SIZE_PTR = 16;
/** The largest size served from a kmalloc cache (`KMALLOC_MAX_CACHE_SIZE`). */
export const KMALLOC_MAX_CACHE_SIZE = 8192;
/** The largest kmalloc (`KMALLOC_MAX_SIZE`): one MAX_PAGE_ORDER block. */
export const KMALLOC_MAX_SIZE = PAGE_SIZE << MAX_PAGE_ORDER;

const KMALLOC_SIZES = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192];
/** The kmalloc caches, by index into KMALLOC_SIZES. */
let kmalloc_caches: kmem_cache[] = [];
/** `size_index[]`: the kmalloc cache for sizes 1..192, by `(size - 1) >> 3`. */
const SIZE_INDEX = new Uint8Array(24);
for (let i = 0; i < 24; i++) {
  const size = (i + 1) * 8;
  SIZE_INDEX[i] = KMALLOC_SIZES.findIndex((s) => s >= size);
}

function kmalloc_index(size: number): number {
  if (size <= 192) return SIZE_INDEX[(size - 1) >>> 3]!;
  // 256 .. 8192: index 7 + log2(size rounded up) - 8.
  return 32 - Math.clz32(size - 1) - 1;
}

/**
 * Allocates `size` bytes from the kmalloc caches (or pages above 8 KiB);
 * returns the address, `ZERO_SIZE_PTR` for 0 bytes, or 0 (NULL) on failure.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, kfree, kmalloc, ksize } from '@rfl/kernel';
 * const p = kmalloc(100, GFP_KERNEL);
 * ksize(p) // => 128
 * kfree(p);
 * ```
 */
export function kmalloc(size: number, gfp: gfp_t): number {
  return kmalloc_caller(size, gfp, kmalloc);
}

// biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
function kmalloc_caller(size: number, gfp: gfp_t, caller: Function): number {
  if (size > KMALLOC_MAX_CACHE_SIZE) return kmalloc_large(size, gfp, caller);
  if (size <= 0) return size === 0 ? ZERO_SIZE_PTR : 0;
  return slab_alloc(kmalloc_caches[kmalloc_index(size)]!, gfp, size, caller);
}

/** {@link kmalloc} of zeroed memory. */
export function kzalloc(size: number, gfp: gfp_t): number {
  return kmalloc_caller(size, gfp | __GFP_ZERO, kzalloc);
}

/** `n * size` bytes, or 0 if the product overflows `SIZE_MAX` (here: 2^53). */
export function kmalloc_array(n: number, size: number, gfp: gfp_t): number {
  const bytes = n * size;
  if (!Number.isSafeInteger(bytes)) return 0;
  return kmalloc_caller(bytes, gfp, kmalloc_array);
}

/** Zeroed {@link kmalloc_array}. */
export function kcalloc(n: number, size: number, gfp: gfp_t): number {
  const bytes = n * size;
  if (!Number.isSafeInteger(bytes)) return 0;
  return kmalloc_caller(bytes, gfp | __GFP_ZERO, kcalloc);
}

function kmalloc_large(
  size: number,
  gfp: gfp_t,
  // biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
  caller: Function,
): number {
  if (gfp & __GFP_DIRECT_RECLAIM) might_sleep();
  let order = 0;
  while (PAGE_SIZE << order < size && order <= MAX_PAGE_ORDER) order++;
  const pfn = __alloc_pages_pfn(gfp, order);
  if (pfn < 0) return 0;
  page_flags[pfn]! |= PG_large_kmalloc;
  const p = pfn << PAGE_SHIFT;
  if (kasan_enabled()) kasan_kmalloc_large(p, size, PAGE_SIZE << order, caller);
  if (kmemleak_enabled()) kmemleak_alloc(PAGE_OFFSET + p, size, caller);
  return PAGE_OFFSET + p;
}

/**
 * Frees memory from kmalloc, kzalloc, krealloc or kmem_cache_alloc; NULL and
 * `ZERO_SIZE_PTR` are ignored.
 */
export function kfree(addr: number): void {
  kfree_caller(addr, kfree);
}

// biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
function kfree_caller(addr: number, caller: Function): void {
  if (addr <= ZERO_SIZE_PTR && addr >= 0) return;
  const p = addr - PAGE_OFFSET;
  if (p < 0 || p >= mem_size) {
    invalid_free(p, addr, caller);
    return;
  }
  const pfn = p >>> PAGE_SHIFT;
  const s = cache_of_page(pfn);
  if (s !== undefined) {
    slab_free(s, p, addr, caller);
    return;
  }
  if ((p & (PAGE_SIZE - 1)) === 0 && kasan_enabled() && kasan_shadow[p >>> 3] === KASAN_PAGE_FREE) {
    kasan_report_invalid_free(p, addr, true, caller);
    return;
  }
  if (page_flags[pfn]! & PG_large_kmalloc && (p & (PAGE_SIZE - 1)) === 0) {
    page_flags[pfn]! &= ~PG_large_kmalloc;
    if (kmemleak_enabled()) kmemleak_free(addr);
    if (kasan_enabled()) kasan_kfree_large(p);
    __free_pages_pfn(pfn, page_order[pfn]!);
    return;
  }
  invalid_free(p, addr, caller);
}

/** The usable size of an object, without changing KASAN's view of it. */
function __ksize(addr: number): number {
  const p = addr - PAGE_OFFSET;
  if (p < 0 || p >= mem_size) return 0;
  const pfn = p >>> PAGE_SHIFT;
  const s = cache_of_page(pfn);
  if (s !== undefined) return s.object_size;
  if (page_flags[pfn]! & PG_large_kmalloc) return PAGE_SIZE << page_order[pfn]!;
  return 0;
}

/**
 * The number of bytes actually usable at `addr` (the cache's object size);
 * like the kernel's, it tells KASAN that all of them are now in use.
 */
export function ksize(addr: number): number {
  if (addr <= ZERO_SIZE_PTR && addr >= 0) return 0;
  const size = __ksize(addr);
  if (size && kasan_enabled()) {
    const p = addr - PAGE_OFFSET;
    if (!kasan_check(p, 1, false, addr, ksize)) return 0;
    kasan_resize(p, size, size);
  }
  return size;
}

/**
 * Resizes an allocation: in place when the object is already big enough,
 * otherwise by allocating, copying and freeing. On failure returns 0 and
 * leaves the old object untouched; `new_size` 0 frees it.
 */
export function krealloc(addr: number, new_size: number, gfp: gfp_t): number {
  if (new_size === 0) {
    kfree_caller(addr, krealloc);
    return ZERO_SIZE_PTR;
  }
  if (addr <= ZERO_SIZE_PTR && addr >= 0) return kmalloc(new_size, gfp);
  const ks = __ksize(addr);
  const p = addr - PAGE_OFFSET;
  if (ks && kasan_enabled() && !kasan_check(p, 1, false, addr, krealloc)) return 0;
  if (ks >= new_size) {
    if (kasan_enabled()) {
      const large = (page_flags[p >>> PAGE_SHIFT]! & PG_large_kmalloc) !== 0;
      if (large) {
        kasan_poison(p, ks, KASAN_PAGE_REDZONE);
        kasan_unpoison(p, new_size);
      } else kasan_resize(p, new_size, ks);
    }
    if (kmemleak_enabled()) kmemleak_update_size(addr, new_size);
    return addr;
  }
  const n =
    new_size > KMALLOC_MAX_CACHE_SIZE
      ? kmalloc_large(new_size, gfp, krealloc)
      : slab_alloc(kmalloc_caches[kmalloc_index(new_size)]!, gfp, new_size, krealloc);
  if (n === 0) return 0;
  mem_u8.copyWithin(n - PAGE_OFFSET, p, p + Math.min(ks, new_size));
  kfree_caller(addr, krealloc);
  return n;
}

/**
 * A kmalloc'd copy of `len` bytes at `src` (`kmemdup`), or 0. The copy goes
 * through `memcpy`, so KASAN checks the source.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, kfree, kmalloc, kmemdup, memcpy_from_js, memcpy_to_js } from '@rfl/kernel';
 * const src = kmalloc(4, GFP_KERNEL);
 * memcpy_from_js(src, new Uint8Array([1, 2, 3, 4]));
 * const copy = kmemdup(src, 4, GFP_KERNEL);
 * Array.from(memcpy_to_js(copy, 4)) // => [1, 2, 3, 4]
 * kfree(src);
 * kfree(copy);
 * ```
 */
export function kmemdup(src: number, len: number, gfp: gfp_t): number {
  const p = kmalloc_caller(len, gfp, kmemdup);
  if (p !== 0 && p !== ZERO_SIZE_PTR) memcpy(p, src, len);
  return p;
}

/**
 * Zeroes an object before freeing it (`kfree_sensitive`), for keys and
 * other secrets that must not linger in freed memory.
 */
export function kfree_sensitive(addr: number): void {
  if (addr <= ZERO_SIZE_PTR && addr >= 0) return;
  const size = __ksize(addr);
  if (size) mem_u8.fill(0, addr - PAGE_OFFSET, addr - PAGE_OFFSET + size);
  kfree_caller(addr, kfree_sensitive);
}

/**
 * Creates the kmalloc caches; part of booting the slab allocator. Their
 * whole objects are whitelisted for usercopy, as `create_kmalloc_cache` does.
 */
export function kmalloc_init(): void {
  kmalloc_caches = KMALLOC_SIZES.map((size) =>
    kmem_cache_create_usercopy(
      size >= 1024 ? `kmalloc-${size / 1024}k` : `kmalloc-${size}`,
      size,
      0,
      0,
      0,
      size,
    ),
  );
}
