/**
 * The buddy page allocator (`mm/page_alloc.c`): one zone (`Normal`) over all
 * of physical memory, free lists for orders 0–10, and the min/low/high
 * watermarks that decide who may take the last pages.
 *
 * The fast path allocates while free memory stays above the low watermark.
 * Below it the slow path applies the caller's reserves: `__GFP_HIGH` may go
 * down to half the min watermark, and an atomic `__GFP_HIGH` caller
 * (`GFP_ATOMIC`) to 3/8 of it; everyone else stops at min. A caller that may
 * sleep (`__GFP_DIRECT_RECLAIM`) then reclaims — frees empty slabs and drains
 * the KASAN quarantine — and tries once more. The simulation has no page cache
 * to reclaim and no OOM killer: where the kernel would kill a process to make
 * progress, it fails the allocation and prints the `page allocation failure`
 * report (unless `__GFP_NOWARN`).
 *
 * A `struct page *` is an address in vmemmap (`VMEMMAP_START + pfn * 64`).
 *
 * @module
 */

import { add_taint, dump_stack, TAINT_BAD_PAGE, WARN_ON_ONCE } from '../panic.js';
import { KERN_DEFAULT, pr_alert, pr_cont, pr_warn, printk } from '../printk.js';
import { might_sleep } from '../sched/might-sleep.js';
import { current } from '../sched/task.js';
import { should_fail_alloc_page } from './fault-inject.js';
import {
  __GFP_DIRECT_RECLAIM,
  __GFP_HIGH,
  __GFP_KSWAPD_RECLAIM,
  __GFP_NOMEMALLOC,
  __GFP_NOWARN,
  __GFP_ZERO,
  gfp_names,
  type gfp_t,
} from './gfp.js';
import { kasan_alloc_pages, kasan_enabled, kasan_free_pages } from './kasan.js';
import {
  MAX_PAGE_ORDER,
  mem_size,
  mem_u8,
  NR_PAGE_ORDERS,
  nr_pages,
  PAGE_OFFSET,
  PAGE_SHIFT,
  PAGE_SIZE,
  STRUCT_PAGE_SIZE,
  VMEMMAP_START,
} from './layout.js';

/** Page flags the allocators keep per page frame. */
export const PG_buddy = 1;
export const PG_slab = 2;
export const PG_large_kmalloc = 4;
export const PG_vmalloc = 8;
export const PG_reserved = 16;
/** The first page of an allocated block (its order is in `page_order`). */
export const PG_head = 32;

/** Per page frame: PG_* flags. */
export let page_flags = new Uint8Array(0);
/** Per page frame: the order of the free or allocated block it heads. */
export let page_order = new Int8Array(0);

let free_head = new Int32Array(NR_PAGE_ORDERS);
let free_next = new Int32Array(0);
let free_prev = new Int32Array(0);
let nr_free_order = new Int32Array(NR_PAGE_ORDERS);

/** The zone's counters and watermarks, in pages. */
export const zone = {
  present_pages: 0,
  managed_pages: 0,
  free_pages: 0,
  min: 0,
  low: 0,
  high: 0,
  /** vmstat counters. */
  pgalloc: 0,
  pgfree: 0,
  allocstall: 0,
  kswapd_wakeups: 0,
  alloc_failures: 0,
};

/** Functions direct reclaim calls; each returns the pages it freed. */
const shrinkers: (() => number)[] = [];

/** Registers something direct reclaim can free memory from (a shrinker). */
export function register_reclaim(shrink: () => number): void {
  shrinkers.push(shrink);
}

function list_add(pfn: number, order: number): void {
  const head = free_head[order]!;
  free_next[pfn] = head;
  free_prev[pfn] = -1;
  if (head >= 0) free_prev[head] = pfn;
  free_head[order] = pfn;
  page_flags[pfn] = PG_buddy;
  page_order[pfn] = order;
  nr_free_order[order]! += 1;
}

function list_del(pfn: number, order: number): void {
  const next = free_next[pfn]!;
  const prev = free_prev[pfn]!;
  if (prev >= 0) free_next[prev] = next;
  else free_head[order] = next;
  if (next >= 0) free_prev[next] = prev;
  page_flags[pfn] = 0;
  nr_free_order[order]! -= 1;
}

function __free_one_page(pfn: number, order: number): void {
  while (order < MAX_PAGE_ORDER) {
    const buddy = pfn ^ (1 << order);
    if (buddy >= nr_pages || page_flags[buddy] !== PG_buddy || page_order[buddy] !== order) break;
    list_del(buddy, order);
    pfn &= buddy;
    order += 1;
  }
  list_add(pfn, order);
}

function __rmqueue(order: number): number {
  for (let o = order; o <= MAX_PAGE_ORDER; o++) {
    const pfn = free_head[o]!;
    if (pfn < 0) continue;
    list_del(pfn, o);
    while (o > order) {
      o -= 1;
      list_add(pfn + (1 << o), o);
    }
    page_flags[pfn] = PG_head;
    page_order[pfn] = order;
    zone.free_pages -= 1 << order;
    return pfn;
  }
  return -1;
}

/** `int_sqrt(lowmem_kbytes * 16)` clamped to [128, 262144], as init_per_zone_wmark_min. */
function default_min_free_kbytes(managed_pages: number): number {
  const kbytes = managed_pages * (PAGE_SIZE / 1024);
  return Math.min(262144, Math.max(128, Math.floor(Math.sqrt(kbytes * 16))));
}

/** `__setup_per_zone_wmarks` with the default `watermark_scale_factor` of 10. */
export function setup_per_zone_wmarks(min_free_kbytes?: number): void {
  const kb = min_free_kbytes ?? default_min_free_kbytes(zone.managed_pages);
  zone.min = Math.floor(kb / (PAGE_SIZE / 1024));
  const tmp = Math.max(zone.min >> 2, Math.floor((zone.managed_pages * 10) / 10000));
  zone.low = zone.min + tmp;
  zone.high = zone.min + 2 * tmp;
}

/**
 * Boots the page allocator over the current physical memory: page frame 0 is
 * reserved (so physical address 0 is never handed out) and every other page
 * goes to the free lists in the largest aligned blocks.
 */
export function page_alloc_init(min_free_kbytes?: number): void {
  page_flags = new Uint8Array(nr_pages);
  page_order = new Int8Array(nr_pages);
  free_next = new Int32Array(nr_pages);
  free_prev = new Int32Array(nr_pages);
  free_head = new Int32Array(NR_PAGE_ORDERS).fill(-1);
  nr_free_order = new Int32Array(NR_PAGE_ORDERS);
  Object.assign(zone, {
    present_pages: nr_pages,
    managed_pages: nr_pages - 1,
    free_pages: 0,
    pgalloc: 0,
    pgfree: 0,
    allocstall: 0,
    kswapd_wakeups: 0,
    alloc_failures: 0,
  });
  page_flags[0] = PG_reserved;
  for (let pfn = 1; pfn < nr_pages; pfn++) {
    __free_one_page(pfn, 0);
    zone.free_pages += 1;
  }
  setup_per_zone_wmarks(min_free_kbytes);
}

// alloc_flags of mm/internal.h that the simulation uses.
const ALLOC_WMARK_MIN = 0;
const ALLOC_WMARK_LOW = 1;
const ALLOC_MIN_RESERVE = 0x8;
const ALLOC_NON_BLOCK = 0x10;

function zone_watermark_ok(order: number, alloc_flags: number): boolean {
  let min = alloc_flags & ALLOC_WMARK_LOW ? zone.low : zone.min;
  if (alloc_flags & ALLOC_MIN_RESERVE) {
    min -= min >> 1;
    if (alloc_flags & ALLOC_NON_BLOCK) min -= min >> 2;
  }
  return zone.free_pages - (1 << order) + 1 > min;
}

function get_page_from_freelist(order: number, alloc_flags: number): number {
  if (!zone_watermark_ok(order, alloc_flags)) return -1;
  return __rmqueue(order);
}

/** `gfp_to_alloc_flags`: the reserves a caller may use in the slow path. */
function gfp_to_alloc_flags(gfp: gfp_t): number {
  let flags = ALLOC_WMARK_MIN;
  if (gfp & __GFP_HIGH) flags |= ALLOC_MIN_RESERVE;
  if (!(gfp & __GFP_DIRECT_RECLAIM) && !(gfp & __GFP_NOMEMALLOC)) flags |= ALLOC_NON_BLOCK;
  return flags;
}

function direct_reclaim(): number {
  zone.allocstall += 1;
  let freed = 0;
  for (const shrink of shrinkers) freed += shrink();
  return freed;
}

/** The `Mem-Info:` part of the failure report (`show_mem`). */
export function show_mem(): void {
  const kb = PAGE_SIZE / 1024;
  printk(`${KERN_DEFAULT}Mem-Info:\n`);
  printk(
    `${KERN_DEFAULT}Node 0 Normal free:%ukB boost:0kB min:%ukB low:%ukB high:%ukB present:%ukB managed:%ukB\n`,
    zone.free_pages * kb,
    zone.min * kb,
    zone.low * kb,
    zone.high * kb,
    zone.present_pages * kb,
    zone.managed_pages * kb,
  );
  let line = 'Node 0 Normal:';
  for (let o = 0; o <= MAX_PAGE_ORDER; o++) line += ` ${nr_free_order[o]}*${kb << o}kB`;
  printk(`${KERN_DEFAULT}%s = %ukB\n`, line, zone.free_pages * kb);
}

/** `warn_alloc`: the `page allocation failure` report. */
function warn_alloc(gfp: gfp_t, order: number): void {
  pr_warn(
    '%s: page allocation failure: order:%u, mode:%#x(%s), nodemask=(null)',
    current().comm,
    order,
    gfp,
    gfp_names(gfp),
  );
  pr_cont(',cpuset=/,mems_allowed=0\n');
  dump_stack();
  show_mem();
}

/**
 * Allocates 2^order contiguous pages and returns the page frame number, or
 * -1. The engine behind {@link alloc_pages}; see the module comment.
 */
export function __alloc_pages_pfn(gfp: gfp_t, order: number): number {
  if (order > MAX_PAGE_ORDER) {
    if (!(gfp & __GFP_NOWARN)) WARN_ON_ONCE(true);
    return -1;
  }
  if (gfp & __GFP_DIRECT_RECLAIM) might_sleep();
  if (should_fail_alloc_page(gfp, order)) return -1;
  let pfn = get_page_from_freelist(order, ALLOC_WMARK_LOW);
  if (pfn < 0) {
    if (gfp & __GFP_KSWAPD_RECLAIM) zone.kswapd_wakeups += 1;
    const alloc_flags = gfp_to_alloc_flags(gfp);
    pfn = get_page_from_freelist(order, alloc_flags);
    if (pfn < 0 && gfp & __GFP_DIRECT_RECLAIM) {
      direct_reclaim();
      pfn = get_page_from_freelist(order, alloc_flags);
    }
    if (pfn < 0) {
      zone.alloc_failures += 1;
      if (!(gfp & __GFP_NOWARN)) warn_alloc(gfp, order);
      return -1;
    }
  }
  zone.pgalloc += 1 << order;
  const start = pfn << PAGE_SHIFT;
  if (kasan_enabled()) kasan_alloc_pages(start, PAGE_SIZE << order);
  if (gfp & __GFP_ZERO) mem_u8.fill(0, start, start + (PAGE_SIZE << order));
  return pfn;
}

/** `bad_page()`: the report for freeing a page that is not allocated. */
function bad_page(pfn: number, reason: string): void {
  pr_alert('BUG: Bad page state in process %s  pfn:%05x\n', current().comm, pfn);
  pr_alert('page dumped because: %s\n', reason);
  dump_stack();
  add_taint(TAINT_BAD_PAGE);
}

/**
 * Returns a block to the buddy allocator. Freeing a page that is not the
 * head of an allocated block of that order is reported as a bad page and
 * ignored, as the kernel's `free_page_is_bad` checks do.
 */
export function __free_pages_pfn(pfn: number, order: number): void {
  if (pfn < 0 || pfn >= nr_pages || (page_flags[pfn]! & PG_head) === 0) {
    bad_page(
      pfn,
      pfn >= 0 && pfn < nr_pages && page_flags[pfn] === PG_buddy
        ? 'page already free'
        : 'not an allocated page',
    );
    return;
  }
  if (page_order[pfn] !== order) {
    bad_page(pfn, `freed with order ${order}, allocated with order ${page_order[pfn]}`);
    return;
  }
  if (page_flags[pfn]! & (PG_slab | PG_large_kmalloc | PG_vmalloc)) {
    bad_page(pfn, 'PAGE_FLAGS_CHECK_AT_FREE flag(s) set');
    return;
  }
  page_flags[pfn] = 0;
  if (kasan_enabled()) kasan_free_pages(pfn << PAGE_SHIFT, PAGE_SIZE << order);
  zone.pgfree += 1 << order;
  zone.free_pages += 1 << order;
  __free_one_page(pfn, order);
}

/** The `struct page *` of a page frame. */
export function pfn_to_page(pfn: number): number {
  return VMEMMAP_START + pfn * STRUCT_PAGE_SIZE;
}

/** The page frame of a `struct page *`. */
export function page_to_pfn(page: number): number {
  return (page - VMEMMAP_START) / STRUCT_PAGE_SIZE;
}

/** The direct-map address of a page. */
export function page_address(page: number): number {
  return PAGE_OFFSET + page_to_pfn(page) * PAGE_SIZE;
}

/** The page that holds a direct-map address. */
export function virt_to_page(addr: number): number {
  return pfn_to_page(Math.floor((addr - PAGE_OFFSET) / PAGE_SIZE));
}

/**
 * Allocates 2^order contiguous pages; returns the `struct page *`, or 0.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, __free_pages, alloc_pages, page_address } from '@rfl/kernel';
 * const page = alloc_pages(GFP_KERNEL, 2);
 * page !== 0 // => true
 * page_address(page) % 16384 // => 0
 * __free_pages(page, 2);
 * ```
 */
export function alloc_pages(gfp: gfp_t, order: number): number {
  const pfn = __alloc_pages_pfn(gfp, order);
  return pfn < 0 ? 0 : pfn_to_page(pfn);
}

/** One page; see {@link alloc_pages}. */
export function alloc_page(gfp: gfp_t): number {
  return alloc_pages(gfp, 0);
}

/** Frees pages from {@link alloc_pages}. */
export function __free_pages(page: number, order: number): void {
  __free_pages_pfn(page_to_pfn(page), order);
}

/** Frees one page from {@link alloc_page}. */
export function __free_page(page: number): void {
  __free_pages(page, 0);
}

/** Allocates 2^order pages; returns their direct-map address, or 0. */
export function __get_free_pages(gfp: gfp_t, order: number): number {
  const pfn = __alloc_pages_pfn(gfp, order);
  return pfn < 0 ? 0 : PAGE_OFFSET + pfn * PAGE_SIZE;
}

/** One zeroed page's address, or 0. */
export function get_zeroed_page(gfp: gfp_t): number {
  return __get_free_pages(gfp | __GFP_ZERO, 0);
}

/** Frees pages by address; 0 is ignored, like NULL. */
export function free_pages(addr: number, order: number): void {
  if (addr === 0) return;
  const p = addr - PAGE_OFFSET;
  if (p < 0 || p >= mem_size || p % PAGE_SIZE !== 0) {
    bad_page(Math.floor(p / PAGE_SIZE), 'not a page-aligned direct-map address');
    return;
  }
  __free_pages_pfn(p / PAGE_SIZE, order);
}

/** Frees one page by address. */
export function free_page(addr: number): void {
  free_pages(addr, 0);
}

/** Free pages in the zone (`nr_free_pages()`). */
export function nr_free_pages(): number {
  return zone.free_pages;
}

/** Free blocks per order, as the columns of `/proc/buddyinfo`. */
export function buddyinfo(): number[] {
  return Array.from(nr_free_order);
}
