/**
 * Object caches (`kmem_cache_create` and friends, `mm/slab_common.c`) and
 * the statistics SLUB shows under `/sys/kernel/slab/<cache>/`. The machinery
 * is in `slub.ts`, the kmalloc API in `kmalloc.ts`.
 *
 * @module
 */

import { WARN, WARN_ON, WARN_ONCE } from '../panic.js';
import { __GFP_ZERO, type gfp_t } from './gfp.js';
import { kasan_enabled, kasan_quarantine_drain } from './kasan.js';
import { mem_size, PAGE_OFFSET, PAGE_SHIFT } from './layout.js';
import { register_reclaim } from './page_alloc.js';
import {
  add_cache,
  cache_of_page,
  kmem_cache,
  L1_CACHE_BYTES,
  live_caches,
  remove_cache,
  SLAB_FAILSLAB,
  SLAB_HWCACHE_ALIGN,
  SLAB_RECLAIM_ACCOUNT,
  shrink_slabs,
  slab_alloc,
  slab_free,
  slab_objects_inuse,
  slub_init,
} from './slub.js';

export {
  kmem_cache,
  SLAB_ACCOUNT,
  SLAB_FAILSLAB,
  SLAB_HWCACHE_ALIGN,
  SLAB_NOLEAKTRACE,
  SLAB_PANIC,
  SLAB_RECLAIM_ACCOUNT,
  SLAB_TYPESAFE_BY_RCU,
} from './slub.js';

/** `ARCH_KMALLOC_MINALIGN`: the smallest alignment of any slab object. */
export const ARCH_KMALLOC_MINALIGN = 8;

/**
 * Creates an object cache (`kmem_cache_create`). `align` 0 means the
 * default (8 bytes; a cache line with SLAB_HWCACHE_ALIGN). `ctor` runs once
 * for every object when its slab is created, as SLUB does.
 *
 * Its objects have no usercopy whitelist: hardened usercopy refuses any
 * `copy_to_user`/`copy_from_user` of them (use
 * {@link kmem_cache_create_usercopy}).
 */
export function kmem_cache_create(
  name: string,
  size: number,
  align: number,
  flags: number,
  ctor?: (addr: number) => void,
): kmem_cache {
  return kmem_cache_create_usercopy(name, size, align, flags, 0, 0, ctor);
}

/**
 * {@link kmem_cache_create} with a usercopy whitelist: only the bytes
 * `[useroffset, useroffset+usersize)` of an object may be copied to or from
 * user space (CONFIG_HARDENED_USERCOPY). A region outside the object is
 * ignored with the kernel's WARN, leaving no whitelist.
 *
 * @example
 * ```ts
 * import { kmem_cache_create_usercopy, kmem_cache_destroy } from '@rfl/kernel';
 * const s = kmem_cache_create_usercopy('fox_cache', 64, 0, 0, 16, 8);
 * [s.useroffset, s.usersize] // => [16, 8]
 * kmem_cache_destroy(s);
 * ```
 */
export function kmem_cache_create_usercopy(
  name: string,
  size: number,
  align: number,
  flags: number,
  useroffset: number,
  usersize: number,
  ctor?: (addr: number) => void,
): kmem_cache {
  if (WARN_ON(useroffset < 0 || usersize < 0 || size < usersize || size - usersize < useroffset)) {
    useroffset = 0;
    usersize = 0;
  }
  let a = Math.max(align, ARCH_KMALLOC_MINALIGN);
  if (flags & SLAB_HWCACHE_ALIGN && size > L1_CACHE_BYTES / 2) a = Math.max(a, L1_CACHE_BYTES);
  return add_cache((id) => new kmem_cache(id, name, size, a, flags, ctor, useroffset, usersize));
}

/** Allocates one object from `s`, or 0. */
export function kmem_cache_alloc(s: kmem_cache, gfp: gfp_t): number {
  return slab_alloc(s, gfp, s.object_size, kmem_cache_alloc);
}

/** A zeroed object from `s`, or 0. */
export function kmem_cache_zalloc(s: kmem_cache, gfp: gfp_t): number {
  return slab_alloc(s, gfp | __GFP_ZERO, s.object_size, kmem_cache_zalloc);
}

/**
 * Returns an object to `s`. Freeing something that is not a slab object is
 * refused with `virt_to_cache: Object is not a Slab page!` (once per boot,
 * as the kernel's WARN_ONCE), an object of another cache with
 * `Wrong slab cache`.
 */
export function kmem_cache_free(s: kmem_cache | null, addr: number): void {
  const p = addr - PAGE_OFFSET;
  if (p < 0 || p >= mem_size || cache_of_page(p >>> PAGE_SHIFT) === undefined) {
    WARN_ONCE(true, '%s: Object is not a Slab page!\n', 'virt_to_cache');
    return;
  }
  if (s === null) s = cache_of_page(p >>> PAGE_SHIFT)!;
  if (cache_of_page(p >>> PAGE_SHIFT) !== s) {
    WARN(
      true,
      'kmem_cache_free: Wrong slab cache. %s but object is from %s\n',
      s.name,
      cache_name_of(p),
    );
    return;
  }
  slab_free(s, p, addr, kmem_cache_free);
}

function cache_name_of(p: number): string {
  if (p < 0 || p >= mem_size) return '(none)';
  return cache_of_page(p >>> PAGE_SHIFT)?.name ?? '(none)';
}

/** Returns the empty slabs of `s` to the page allocator; returns the pages freed. */
export function kmem_cache_shrink(s: kmem_cache): number {
  return shrink_slabs(s);
}

/**
 * Destroys a cache. If objects are still allocated, the kernel's warning is
 * printed and the cache stays (its memory is leaked).
 */
export function kmem_cache_destroy(s: kmem_cache | null | undefined): void {
  if (!s) return;
  if (kasan_enabled()) kasan_quarantine_drain();
  if (s.inuse !== 0) {
    WARN(
      true,
      'kmem_cache_destroy %s: Slab cache still has objects when called from %pS\n',
      s.name,
      kmem_cache_destroy,
    );
    return;
  }
  kmem_cache_shrink(s);
  remove_cache(s);
}

/** Every live cache, kmalloc caches first (what `/sys/kernel/slab/` lists). */
export function kmem_caches(): kmem_cache[] {
  return live_caches();
}

/** The live cache named `name`. */
export function find_kmem_cache(name: string): kmem_cache | undefined {
  return live_caches().find((c) => c.name === name);
}

/**
 * The attribute files of `/sys/kernel/slab/<cache>/` and what `cat` prints
 * for each (SLUB's sysfs; the counters are CONFIG_SLUB_STATS').
 *
 * @example
 * ```ts
 * import { find_kmem_cache, slab_sysfs_attrs } from '@rfl/kernel';
 * const attrs = slab_sysfs_attrs(find_kmem_cache('kmalloc-64')!);
 * attrs.object_size // => '64\n'
 * attrs.objs_per_slab // => '64\n'
 * ```
 */
export function slab_sysfs_attrs(s: kmem_cache): Record<string, string> {
  let partial = 0;
  for (const pfn of s.slabs) {
    const n = slab_objects_inuse(pfn);
    if (n > 0 && n < s.objs_per_slab) partial += 1;
  }
  const v = (x: number | string) => `${x}\n`;
  return {
    object_size: v(s.object_size),
    slab_size: v(s.size),
    align: v(s.align),
    order: v(s.order),
    objs_per_slab: v(s.objs_per_slab),
    objects: v(s.inuse),
    total_objects: v(s.slabs.size * s.objs_per_slab),
    slabs: v(s.slabs.size),
    partial: v(partial),
    cpu_slabs: v(0),
    ctor: s.ctor ? v(s.ctor.name || '<anonymous>') : '',
    reclaim_account: v(s.flags & SLAB_RECLAIM_ACCOUNT ? 1 : 0),
    hwcache_align: v(s.flags & SLAB_HWCACHE_ALIGN ? 1 : 0),
    failslab: v(s.flags & SLAB_FAILSLAB ? 1 : 0),
    alloc_fastpath: v(s.alloc_fastpath),
    free_fastpath: v(s.free_fastpath),
    alloc_slab: v(s.alloc_slab),
    free_slab: v(s.free_slab),
  };
}

/** Boots the slab allocator with no caches (kmalloc_init adds the kmalloc ones). */
export function slab_init(): void {
  slub_init();
}

register_reclaim(() => {
  if (kasan_enabled()) kasan_quarantine_drain();
  let pages = 0;
  for (const s of kmem_caches()) pages += kmem_cache_shrink(s);
  return pages;
});
