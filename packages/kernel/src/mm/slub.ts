/**
 * The slab allocator's machinery (SLUB's behaviour, `mm/slub.c`): caches,
 * slabs carved out of buddy pages, and the allocation and free paths that
 * `kmem_cache_alloc` and `kmalloc` share. Internal: the API is in `slab.ts`
 * and `kmalloc.ts`.
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
  KASAN_SLAB_FREE,
  kasan_enabled,
  kasan_poison,
  kasan_poison_slab,
  kasan_register_slab,
  kasan_report_invalid_free,
  kasan_slab_alloc,
  kasan_slab_free,
  kasan_unpoison,
} from './kasan.js';
import { kmemleak_alloc, kmemleak_enabled, kmemleak_free } from './kmemleak.js';
import { mem_size, mem_u8, nr_pages, PAGE_OFFSET, PAGE_SHIFT, PAGE_SIZE } from './layout.js';
import {
  __alloc_pages_pfn,
  __free_pages_pfn,
  PG_head,
  PG_reserved,
  PG_slab,
  page_flags,
  page_order,
} from './page_alloc.js';

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
/** `L1_CACHE_BYTES` of x86-64. */
export const L1_CACHE_BYTES = 64;

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
  /** The usercopy whitelist: the bytes `[useroffset, useroffset+usersize)` of an object. */
  readonly useroffset: number;
  readonly usersize: number;
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
    useroffset = 0,
    usersize = 0,
  ) {
    this.id = id;
    this.useroffset = useroffset;
    this.usersize = usersize;
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

/** The cache a page frame's slab belongs to, if it is a slab page. */
export function cache_of_page(pfn: number): kmem_cache | undefined {
  return caches[page_cache[pfn]!];
}

/** The first page frame of the slab that page frame `pfn` belongs to. */
export function slab_head_of(pfn: number): number {
  return slab_head[pfn]!;
}

/** Objects in use in the slab headed by page frame `head`. */
export function slab_objects_inuse(head: number): number {
  return slab_inuse[head]!;
}

/** Registers a cache built by `make` with the next free id. */
export function add_cache(make: (id: number) => kmem_cache): kmem_cache {
  const s = make(caches.length);
  caches.push(s);
  return s;
}

/** Forgets a destroyed cache (its slabs must be gone). */
export function remove_cache(s: kmem_cache): void {
  caches[s.id] = undefined;
}

/** Every live cache, in creation order. */
export function live_caches(): kmem_cache[] {
  return caches.filter((c): c is kmem_cache => c !== undefined);
}

function grow_freelist(s: kmem_cache, need: number): void {
  if (s.free.length >= need) return;
  let len = s.free.length * 2;
  while (len < need) len *= 2;
  const next = new Int32Array(len);
  next.set(s.free.subarray(0, s.free_top));
  s.free = next;
}

/**
 * Pushes a free object. The stack holds every object of the cache's slabs,
 * so it only fills up when a double free (unnoticed with KASAN off) pushes an
 * object twice; it then grows rather than lose the entry.
 */
function push_free(s: kmem_cache, p: number): void {
  if (s.free_top === s.free.length) grow_freelist(s, s.free_top + 1);
  s.free[s.free_top++] = p;
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

export function discard_slab(s: kmem_cache, pfn: number): void {
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
export function slab_alloc(
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
  push_free(s, p);
  slab_inuse[slab_head[p >>> PAGE_SHIFT]!]! -= 1;
  s.inuse -= 1;
  s.free_fastpath += 1;
}

// biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
export function invalid_free(p: number, addr: number, caller: Function): void {
  if (kasan_enabled() && p >= 0 && p < mem_size) kasan_report_invalid_free(p, addr, false, caller);
  else WARN(true, 'kfree: invalid pointer %px\n', addr);
}

// biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
export function slab_free(s: kmem_cache, p: number, addr: number, caller: Function): void {
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
  push_free(s, p);
  slab_inuse[head]! -= 1;
  s.inuse -= 1;
  s.free_fastpath += 1;
}

/** Frees the empty slabs of `s`; returns the pages given back. */
export function shrink_slabs(s: kmem_cache): number {
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
 * Rebuilds KASAN's view of allocated memory when KASAN is switched on:
 * every allocated page block is accessible (page allocations, large kmalloc,
 * vmalloc pages), then in each slab the slots are redzone, objects on
 * freelists are free and the others live (their requested size is unknown,
 * so all of the object is accessible).
 */
function kasan_rebuild_slabs(): void {
  for (let pfn = 0; pfn < nr_pages; pfn++) {
    if (page_flags[pfn]! & (PG_head | PG_reserved))
      kasan_unpoison(pfn << PAGE_SHIFT, PAGE_SIZE << page_order[pfn]!);
  }
  for (const s of live_caches()) {
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
}

/** Empties the cache registry and the per-page-frame slab arrays (a reboot). */
export function slub_init(): void {
  caches = [undefined];
  page_cache = new Uint16Array(nr_pages);
  slab_head = new Int32Array(nr_pages);
  slab_inuse = new Int32Array(nr_pages);
  kasan_register_slab({ object_of, release: slab_release }, kasan_rebuild_slabs);
}
