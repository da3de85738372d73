/**
 * The slab allocator (SLUB's behaviour, `mm/slub.c`, `mm/slab_common.c`):
 * object caches carved out of buddy pages, the `kmalloc-8` … `kmalloc-8k`
 * caches behind `kmalloc`, and page-backed "large" kmalloc above 8 KiB up to
 * `KMALLOC_MAX_SIZE` (4 MiB).
 *
 * # Invariants
 *
 * Each cache keeps its free objects in a typed-array stack (the hot path
 * allocates no JavaScript objects); per page frame, typed arrays record which
 * cache a slab page belongs to, the head page of its slab and (at the head)
 * how many of its objects are in use. An object is on its cache's stack
 * exactly when it is free and not in the KASAN quarantine.
 *
 * The allocator's metadata lives outside simulated memory, so a buffer
 * overflow cannot corrupt a freelist; with KASAN off, a double free is not
 * noticed and the object is handed out twice, as in a kernel without debug
 * options. Empty slabs stay cached until `kmem_cache_shrink` or direct
 * reclaim returns them to the page allocator.
 *
 * @module
 */

import { WARN } from '../panic.js';
import { might_sleep } from '../sched/might-sleep.js';
import { failslab_armed, should_failslab } from './fault-inject.js';
import { __GFP_DIRECT_RECLAIM, __GFP_ZERO, type gfp_t } from './gfp.js';
import {
  KASAN_PAGE_REDZONE,
  KASAN_SLAB_FREE,
  kasan_enabled,
  kasan_kfree_large,
  kasan_kmalloc_large,
  kasan_poison,
  kasan_poison_slab,
  kasan_quarantine_drain,
  kasan_register_slab,
  kasan_report_invalid_free,
  kasan_resize,
  kasan_shadow,
  kasan_slab_alloc,
  kasan_slab_free,
  kasan_unpoison,
} from './kasan.js';
import {
  kmemleak_alloc,
  kmemleak_enabled,
  kmemleak_free,
  kmemleak_update_size,
} from './kmemleak.js';
import {
  MAX_PAGE_ORDER,
  mem_size,
  mem_u8,
  nr_pages,
  PAGE_OFFSET,
  PAGE_SHIFT,
  PAGE_SIZE,
} from './layout.js';
import {
  __alloc_pages_pfn,
  __free_pages_pfn,
  PG_large_kmalloc,
  PG_slab,
  page_flags,
  page_order,
  register_reclaim,
} from './page_alloc.js';

/** What `kmalloc(0)` returns: not NULL, but faults when dereferenced. */
export const ZERO_SIZE_PTR = 16;
/** The largest size served from a kmalloc cache (`KMALLOC_MAX_CACHE_SIZE`). */
export const KMALLOC_MAX_CACHE_SIZE = 8192;
/** The largest kmalloc (`KMALLOC_MAX_SIZE`): one MAX_PAGE_ORDER block. */
export const KMALLOC_MAX_SIZE = PAGE_SIZE << MAX_PAGE_ORDER;
/** `ARCH_KMALLOC_MINALIGN`. */
export const ARCH_KMALLOC_MINALIGN = 8;

// Cache flags with their v6.8 values (include/linux/slab.h).
export const SLAB_HWCACHE_ALIGN = 0x00002000;
export const SLAB_PANIC = 0x00040000;
export const SLAB_TYPESAFE_BY_RCU = 0x00080000;
export const SLAB_RECLAIM_ACCOUNT = 0x00020000;
export const SLAB_NOLEAKTRACE = 0x00800000;
export const SLAB_FAILSLAB = 0x02000000;
export const SLAB_ACCOUNT = 0x04000000;

/** `slub_max_order`. */
const SLUB_MAX_ORDER = 3;
/** SLUB's minimum objects per slab for one CPU: `4 * (fls(nr_cpus) + 1)`. */
const SLUB_MIN_OBJECTS = 8;
const L1_CACHE_BYTES = 64;

/** `struct kmem_cache`: one object cache. */
export class kmem_cache {
  readonly id: number;
  readonly name: string;
  /** The size users asked for. */
  readonly object_size: number;
  /** The size of a slot, alignment included. */
  readonly size: number;
  readonly align: number;
  readonly flags: number;
  readonly order: number;
  readonly objs_per_slab: number;
  readonly ctor: ((addr: number) => void) | undefined;
  /** Free objects (physical addresses); `free[0 .. free_top)` are valid. */
  free = new Int32Array(64);
  free_top = 0;
  /** Head page frames of this cache's slabs. */
  readonly slabs = new Set<number>();
  /** Objects handed out and not yet back on the freelist (quarantined ones count). */
  inuse = 0;
  // CONFIG_SLUB_STATS counters.
  alloc_fastpath = 0;
  free_fastpath = 0;
  alloc_slab = 0;
  free_slab = 0;

  constructor(
    id: number,
    name: string,
    object_size: number,
    align: number,
    flags: number,
    ctor: ((addr: number) => void) | undefined,
  ) {
    this.id = id;
    this.name = name;
    this.object_size = object_size;
    this.align = align;
    this.flags = flags;
    this.ctor = ctor;
    this.size = Math.ceil(object_size / align) * align;
    let order = 0;
    while (order < SLUB_MAX_ORDER && (PAGE_SIZE << order) / this.size < SLUB_MIN_OBJECTS) order++;
    this.order = order;
    this.objs_per_slab = Math.floor((PAGE_SIZE << order) / this.size);
  }
}

/** Caches by id; id 0 means "not a slab page". */
let caches: (kmem_cache | undefined)[] = [undefined];
/** Per page frame: the id of the cache its slab belongs to. */
let page_cache = new Uint16Array(0);
/** Per page frame: the head page of its slab. */
let slab_head = new Int32Array(0);
/** Per head page frame: objects of that slab in use. */
let slab_inuse = new Int32Array(0);

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

function grow_freelist(s: kmem_cache, need: number): void {
  if (s.free.length >= need) return;
  let len = s.free.length * 2;
  while (len < need) len *= 2;
  const next = new Int32Array(len);
  next.set(s.free.subarray(0, s.free_top));
  s.free = next;
}

/** `allocate_slab`: takes pages for a new slab and puts its objects on the freelist. */
function new_slab(s: kmem_cache, gfp: gfp_t): boolean {
  const pfn = __alloc_pages_pfn(gfp & ~__GFP_ZERO, s.order);
  if (pfn < 0) return false;
  const npages = 1 << s.order;
  for (let i = 0; i < npages; i++) {
    page_flags[pfn + i]! |= PG_slab;
    page_cache[pfn + i] = s.id;
    slab_head[pfn + i] = pfn;
  }
  slab_inuse[pfn] = 0;
  s.slabs.add(pfn);
  s.alloc_slab += 1;
  const base = pfn << PAGE_SHIFT;
  if (kasan_enabled()) kasan_poison_slab(base, PAGE_SIZE << s.order);
  grow_freelist(s, s.free_top + s.objs_per_slab);
  for (let i = s.objs_per_slab - 1; i >= 0; i--) s.free[s.free_top++] = base + i * s.size;
  if (s.ctor) {
    for (let i = 0; i < s.objs_per_slab; i++) {
      const p = base + i * s.size;
      if (kasan_enabled()) kasan_unpoison(p, s.object_size);
      s.ctor(PAGE_OFFSET + p);
      if (kasan_enabled()) kasan_poison_slab(p, s.size);
    }
  }
  return true;
}

function discard_slab(s: kmem_cache, pfn: number): void {
  const npages = 1 << s.order;
  for (let i = 0; i < npages; i++) {
    page_flags[pfn + i]! &= ~PG_slab;
    page_cache[pfn + i] = 0;
  }
  s.slabs.delete(pfn);
  s.free_slab += 1;
  __free_pages_pfn(pfn, s.order);
}

/**
 * The allocation path shared by kmalloc and kmem_cache_alloc. `size` is what
 * the caller asked for (KASAN poisons the rest of the object); `caller` is the
 * public entry point, so that stacks start at its caller.
 */
function slab_alloc(
  s: kmem_cache,
  gfp: gfp_t,
  size: number,
  // biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
  caller: Function,
): number {
  if (gfp & __GFP_DIRECT_RECLAIM) might_sleep();
  const debug = kasan_enabled() || kmemleak_enabled() || failslab_armed();
  if (
    debug &&
    failslab_armed() &&
    should_failslab(s.object_size, gfp, (s.flags & SLAB_FAILSLAB) !== 0)
  ) {
    return 0;
  }
  let top = s.free_top;
  if (top === 0) {
    if (!new_slab(s, gfp)) return 0;
    top = s.free_top;
  }
  const p = s.free[--top]!;
  s.free_top = top;
  slab_inuse[slab_head[p >>> PAGE_SHIFT]!]! += 1;
  s.inuse += 1;
  s.alloc_fastpath += 1;
  if (debug) {
    if (kasan_enabled()) kasan_slab_alloc(p, size, s.object_size, caller);
    if (kmemleak_enabled() && !(s.flags & SLAB_NOLEAKTRACE))
      kmemleak_alloc(PAGE_OFFSET + p, size, caller);
  }
  if (gfp & __GFP_ZERO) mem_u8.fill(0, p, p + s.object_size);
  return PAGE_OFFSET + p;
}

/** Puts an object back on its cache's freelist (after the quarantine, if any). */
function slab_release(p: number): void {
  const s = caches[page_cache[p >>> PAGE_SHIFT]!]!;
  s.free[s.free_top++] = p;
  slab_inuse[slab_head[p >>> PAGE_SHIFT]!]! -= 1;
  s.inuse -= 1;
  s.free_fastpath += 1;
}

// biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
function invalid_free(p: number, addr: number, caller: Function): void {
  if (kasan_enabled() && p >= 0 && p < mem_size) kasan_report_invalid_free(p, addr, false, caller);
  else WARN(true, 'kfree: invalid pointer %px\n', addr);
}

// biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
function slab_free(s: kmem_cache, p: number, addr: number, caller: Function): void {
  const head = slab_head[p >>> PAGE_SHIFT]!;
  if ((p - (head << PAGE_SHIFT)) % s.size !== 0) {
    invalid_free(p, addr, caller);
    return;
  }
  if (kmemleak_enabled()) kmemleak_free(addr);
  if (kasan_enabled()) {
    kasan_slab_free(p, addr, s.object_size, caller);
    return;
  }
  s.free[s.free_top++] = p;
  slab_inuse[head]! -= 1;
  s.inuse -= 1;
  s.free_fastpath += 1;
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
  if (size > KMALLOC_MAX_CACHE_SIZE) return kmalloc_large(size, gfp, kmalloc);
  if (size <= 0) return size === 0 ? ZERO_SIZE_PTR : 0;
  return slab_alloc(kmalloc_caches[kmalloc_index(size)]!, gfp, size, kmalloc);
}

/** {@link kmalloc} of zeroed memory. */
export function kzalloc(size: number, gfp: gfp_t): number {
  if (size > KMALLOC_MAX_CACHE_SIZE) return kmalloc_large(size, gfp | __GFP_ZERO, kzalloc);
  if (size <= 0) return size === 0 ? ZERO_SIZE_PTR : 0;
  return slab_alloc(kmalloc_caches[kmalloc_index(size)]!, gfp | __GFP_ZERO, size, kzalloc);
}

/** `n * size` bytes, or 0 if the product overflows `SIZE_MAX` (here: 2^53). */
export function kmalloc_array(n: number, size: number, gfp: gfp_t): number {
  const bytes = n * size;
  if (!Number.isSafeInteger(bytes)) return 0;
  return kmalloc(bytes, gfp);
}

/** Zeroed {@link kmalloc_array}. */
export function kcalloc(n: number, size: number, gfp: gfp_t): number {
  return kmalloc_array(n, size, gfp | __GFP_ZERO);
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
  const s = caches[page_cache[pfn]!];
  if (s !== undefined) {
    slab_free(s, p, addr, caller);
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
  const s = caches[page_cache[pfn]!];
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
    if (kasan_shadow_is_free(p)) return size;
    kasan_resize(p, size, size);
  }
  return size;
}

function kasan_shadow_is_free(p: number): boolean {
  return kasan_shadow[p >>> 3] === KASAN_SLAB_FREE;
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
 * Creates an object cache (`kmem_cache_create`). `align` 0 means the
 * default (8 bytes; a cache line with SLAB_HWCACHE_ALIGN). `ctor` runs once
 * for every object when its slab is created, as SLUB does.
 */
export function kmem_cache_create(
  name: string,
  size: number,
  align: number,
  flags: number,
  ctor?: (addr: number) => void,
): kmem_cache {
  let a = Math.max(align, ARCH_KMALLOC_MINALIGN);
  if (flags & SLAB_HWCACHE_ALIGN && size > L1_CACHE_BYTES / 2) a = Math.max(a, L1_CACHE_BYTES);
  const s = new kmem_cache(caches.length, name, size, a, flags, ctor);
  caches.push(s);
  return s;
}

/** Allocates one object from `s`, or 0. */
export function kmem_cache_alloc(s: kmem_cache, gfp: gfp_t): number {
  return slab_alloc(s, gfp, s.object_size, kmem_cache_alloc);
}

/** A zeroed object from `s`, or 0. */
export function kmem_cache_zalloc(s: kmem_cache, gfp: gfp_t): number {
  return slab_alloc(s, gfp | __GFP_ZERO, s.object_size, kmem_cache_zalloc);
}

/** Returns an object to `s`. */
export function kmem_cache_free(s: kmem_cache, addr: number): void {
  const p = addr - PAGE_OFFSET;
  if (p < 0 || p >= mem_size || caches[page_cache[p >>> PAGE_SHIFT]!] !== s) {
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
  return caches[page_cache[p >>> PAGE_SHIFT]!]?.name ?? '(none)';
}

/** Returns the empty slabs of `s` to the page allocator; returns the pages freed. */
export function kmem_cache_shrink(s: kmem_cache): number {
  const empty = new Set<number>();
  for (const pfn of s.slabs) if (slab_inuse[pfn] === 0) empty.add(pfn);
  if (empty.size === 0) return 0;
  let w = 0;
  for (let r = 0; r < s.free_top; r++) {
    const p = s.free[r]!;
    if (!empty.has(slab_head[p >>> PAGE_SHIFT]!)) s.free[w++] = p;
  }
  s.free_top = w;
  for (const pfn of empty) discard_slab(s, pfn);
  return empty.size << s.order;
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
  caches[s.id] = undefined;
}

/** Every live cache, kmalloc caches first (what `/sys/kernel/slab/` lists). */
export function kmem_caches(): kmem_cache[] {
  return caches.filter((c): c is kmem_cache => c !== undefined);
}

/** The live cache named `name`. */
export function find_kmem_cache(name: string): kmem_cache | undefined {
  return caches.find((c) => c?.name === name);
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
    const n = slab_inuse[pfn]!;
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

/** The object containing physical address `p`, for KASAN's report. */
function object_of(p: number): { start: number; cache: string; object_size: number } | undefined {
  if (p < 0 || p >= mem_size) return undefined;
  const s = caches[page_cache[p >>> PAGE_SHIFT]!];
  if (!s) return undefined;
  const base = slab_head[p >>> PAGE_SHIFT]! << PAGE_SHIFT;
  const start = base + Math.floor((p - base) / s.size) * s.size;
  return { start, cache: s.name, object_size: s.object_size };
}

/**
 * Rebuilds KASAN's view of every slab when KASAN is switched on: slabs are
 * redzone, objects on freelists are free, the others are live (their
 * requested size is unknown, so all of the object is accessible).
 */
function kasan_rebuild_slabs(): void {
  for (const s of kmem_caches()) {
    const free = new Set<number>();
    for (let i = 0; i < s.free_top; i++) free.add(s.free[i]!);
    for (const pfn of s.slabs) {
      const base = pfn << PAGE_SHIFT;
      kasan_poison_slab(base, PAGE_SIZE << s.order);
      for (let i = 0; i < s.objs_per_slab; i++) {
        const p = base + i * s.size;
        if (free.has(p)) kasan_poison(p, s.object_size, KASAN_SLAB_FREE);
        else kasan_unpoison(p, s.object_size);
      }
    }
  }
  for (let pfn = 0; pfn < nr_pages; pfn++) {
    if (page_flags[pfn]! & PG_large_kmalloc)
      kasan_unpoison(pfn << PAGE_SHIFT, PAGE_SIZE << page_order[pfn]!);
  }
}

/** Boots the slab allocator: no caches but the kmalloc ones. */
export function slab_init(): void {
  caches = [undefined];
  page_cache = new Uint16Array(nr_pages);
  slab_head = new Int32Array(nr_pages);
  slab_inuse = new Int32Array(nr_pages);
  kmalloc_caches = KMALLOC_SIZES.map((size) =>
    kmem_cache_create(size >= 1024 ? `kmalloc-${size / 1024}k` : `kmalloc-${size}`, size, 0, 0),
  );
  kasan_register_slab({ object_of, release: slab_release }, kasan_rebuild_slabs);
}

register_reclaim(() => {
  if (kasan_enabled()) kasan_quarantine_drain();
  let pages = 0;
  for (const s of kmem_caches()) pages += kmem_cache_shrink(s);
  return pages;
});
