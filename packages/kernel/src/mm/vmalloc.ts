/**
 * vmalloc (`mm/vmalloc.c`): virtually contiguous memory built from single
 * pages that need not be physically contiguous, mapped page by page into
 * vmalloc space with an unmapped guard page after each area. Sizes are
 * rounded up to whole pages; `kvmalloc` tries kmalloc first and falls back to
 * vmalloc for callers that may sleep.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, is_vmalloc_addr, kvfree, kvmalloc, readb, vfree, vmalloc, writeb } from '@rfl/kernel';
 * const v = vmalloc(3 * 4096);
 * is_vmalloc_addr(v) // => true
 * writeb(7, v + 8191);
 * readb(v + 8191) // => 7
 * vfree(v);
 * const small = kvmalloc(64, GFP_KERNEL);
 * is_vmalloc_addr(small) // => false
 * kvfree(small);
 * ```
 *
 * @module
 */

import { dump_stack, WARN } from '../panic.js';
import { pr_cont, pr_warn } from '../printk.js';
import { might_sleep } from '../sched/might-sleep.js';
import { current } from '../sched/task.js';
import { memcpy } from './access.js';
import {
  __GFP_DIRECT_RECLAIM,
  __GFP_NORETRY,
  __GFP_NOWARN,
  __GFP_ZERO,
  GFP_KERNEL,
  gfp_names,
  type gfp_t,
  gfpflags_allow_blocking,
} from './gfp.js';
import { KASAN_VMALLOC_INVALID, kasan_enabled, kasan_poison, kasan_unpoison } from './kasan.js';
import { KMALLOC_MAX_SIZE, kfree, kmalloc, krealloc, ksize, ZERO_SIZE_PTR } from './kmalloc.js';
import { kmemleak_alloc, kmemleak_enabled, kmemleak_free } from './kmemleak.js';
import {
  is_vmalloc_addr,
  mem_u8,
  PAGE_SHIFT,
  PAGE_SIZE,
  VMALLOC_SIZE,
  VMALLOC_START,
} from './layout.js';
import {
  __alloc_pages_pfn,
  __free_pages_pfn,
  PG_vmalloc,
  page_flags,
  pfn_to_page,
  show_mem,
} from './page_alloc.js';
import { raw_read_bytes, vmap_pte } from './raw.js';

/** `struct vm_struct`: one vmalloc area. */
interface vm_struct {
  readonly addr: number;
  /** Bytes the caller asked for. */
  size: number;
  /** Page frames, in address order. */
  readonly pages: number[];
}

/** Areas by start address. */
let areas = new Map<number, vm_struct>();
/** Next never-used vmalloc page (areas are not reused until space runs out). */
let next_vpage = 0;

/** Empties vmalloc space (a reboot). */
export function vmalloc_init(): void {
  areas = new Map();
  next_vpage = 0;
}

/** Finds `n` free virtual pages plus a guard page; -1 when vmalloc space is full. */
function alloc_vmap_area(n: number): number {
  const total = VMALLOC_SIZE / PAGE_SIZE;
  if (next_vpage + n + 1 <= total) {
    const v = next_vpage;
    next_vpage += n + 1;
    return v;
  }
  const used = [...areas.values()]
    .map((a) => [(a.addr - VMALLOC_START) / PAGE_SIZE, a.pages.length + 1] as const)
    .sort((a, b) => a[0] - b[0]);
  let start = 0;
  for (const [s, len] of used) {
    if (s - start >= n + 1) return start;
    start = s + len;
  }
  return total - start >= n + 1 ? start : -1;
}

function vmalloc_fail(size: number, gfp: gfp_t): void {
  if (gfp & __GFP_NOWARN) return;
  pr_warn(
    '%s: vmalloc error: size %u, failed to allocate pages, mode:%#x(%s), nodemask=(null)',
    current().comm,
    size,
    gfp,
    gfp_names(gfp),
  );
  pr_cont(',cpuset=/,mems_allowed=0\n');
  dump_stack();
  show_mem();
}

function __vmalloc_caller(
  size: number,
  gfp: gfp_t,
  // biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
  caller: Function,
): number {
  if (size <= 0) return 0;
  if (gfp & __GFP_DIRECT_RECLAIM) might_sleep();
  const n = Math.ceil(size / PAGE_SIZE);
  const vpage = alloc_vmap_area(n);
  if (vpage < 0) {
    vmalloc_fail(size, gfp);
    return 0;
  }
  const pages: number[] = [];
  for (let i = 0; i < n; i++) {
    const pfn = __alloc_pages_pfn(gfp | __GFP_NOWARN, 0);
    if (pfn < 0) {
      for (const q of pages) __free_pages_pfn(q, 0);
      for (let j = 0; j < pages.length; j++) vmap_pte[vpage + j] = 0;
      vmalloc_fail(size, gfp);
      return 0;
    }
    page_flags[pfn]! |= PG_vmalloc;
    pages.push(pfn);
    vmap_pte[vpage + i] = pfn + 1;
  }
  const addr = VMALLOC_START + vpage * PAGE_SIZE;
  areas.set(addr, { addr, size, pages });
  if (kasan_enabled()) kasan_set_size(pages, size);
  if (kmemleak_enabled()) kmemleak_alloc(addr, size, caller);
  return addr;
}

/** Poisons the bytes of the last page beyond `size` as vmalloc redzone. */
function kasan_set_size(pages: number[], size: number): void {
  const last = pages.length - 1;
  const p = pages[last]! << PAGE_SHIFT;
  const used = size - last * PAGE_SIZE;
  kasan_poison(p, PAGE_SIZE, KASAN_VMALLOC_INVALID);
  kasan_unpoison(p, used);
  for (let i = 0; i < last; i++) kasan_unpoison(pages[i]! << PAGE_SHIFT, PAGE_SIZE);
}

/** `size` bytes of virtually contiguous memory (GFP_KERNEL), or 0. */
export function vmalloc(size: number): number {
  return __vmalloc_caller(size, GFP_KERNEL, vmalloc);
}

/** Zeroed {@link vmalloc}. */
export function vzalloc(size: number): number {
  return __vmalloc_caller(size, GFP_KERNEL | __GFP_ZERO, vzalloc);
}

/** {@link vmalloc} with explicit GFP flags (`__vmalloc`). */
export function __vmalloc(size: number, gfp: gfp_t): number {
  return __vmalloc_caller(size, gfp, __vmalloc);
}

/**
 * Frees a vmalloc area; 0 is ignored. Anything else that is not the start of
 * a live area gets the kernel's `Trying to vfree() nonexistent vm area` WARN.
 */
export function vfree(addr: number): void {
  if (addr === 0) return;
  const area = areas.get(addr);
  if (!area) {
    WARN(true, 'Trying to vfree() nonexistent vm area (%px)\n', addr);
    return;
  }
  areas.delete(addr);
  if (kmemleak_enabled()) kmemleak_free(addr);
  const vpage = (addr - VMALLOC_START) / PAGE_SIZE;
  area.pages.forEach((pfn, i) => {
    vmap_pte[vpage + i] = 0;
    page_flags[pfn]! &= ~PG_vmalloc;
    __free_pages_pfn(pfn, 0);
  });
}

/**
 * Resizes a vmalloc area: in place while the pages it has suffice, otherwise
 * into a new area (the old one is freed). Returns 0 on failure, leaving the
 * old area untouched.
 */
export function vrealloc(addr: number, size: number, gfp: gfp_t): number {
  if (addr === 0) return __vmalloc_caller(size, gfp, vrealloc);
  if (size === 0) {
    vfree(addr);
    return 0;
  }
  const area = areas.get(addr);
  if (!area) {
    WARN(true, 'Trying to vrealloc() nonexistent vm area (%px)\n', addr);
    return 0;
  }
  if (size <= area.pages.length * PAGE_SIZE) {
    if (gfp & __GFP_ZERO && size > area.size) {
      for (let off = area.size; off < size; off++) {
        const pfn = area.pages[Math.floor(off / PAGE_SIZE)]!;
        mem_u8[(pfn << PAGE_SHIFT) + (off % PAGE_SIZE)] = 0;
      }
    }
    area.size = size;
    if (kasan_enabled()) kasan_set_size(area.pages, size);
    return addr;
  }
  const n = __vmalloc_caller(size, gfp, vrealloc);
  if (n === 0) return 0;
  const old = raw_read_bytes(addr, area.size);
  const dst = areas.get(n)!;
  for (let off = 0; off < old.length; off += PAGE_SIZE) {
    const pfn = dst.pages[off / PAGE_SIZE]!;
    mem_u8.set(old.subarray(off, off + PAGE_SIZE), pfn << PAGE_SHIFT);
  }
  vfree(addr);
  return n;
}

/** Pages mapped in vmalloc space (`vmalloc_nr_pages`, /proc/meminfo's VmallocUsed). */
export function vmalloc_nr_pages(): number {
  let n = 0;
  for (const area of areas.values()) n += area.pages.length;
  return n;
}

/**
 * The vmalloc area holding `addr` (`find_vmap_area`): its start and the end
 * of its mapped pages (the guard page excluded), or undefined.
 */
export function find_vmap_area(addr: number): { va_start: number; va_end: number } | undefined {
  if (!is_vmalloc_addr(addr)) return undefined;
  for (const area of areas.values()) {
    const end = area.addr + area.pages.length * PAGE_SIZE;
    if (addr >= area.addr && addr < end) return { va_start: area.addr, va_end: end };
  }
  return undefined;
}

/** The `struct page *` mapped at a vmalloc address, or 0. */
export function vmalloc_to_page(addr: number): number {
  if (!is_vmalloc_addr(addr)) return 0;
  const pte = vmap_pte[Math.floor((addr - VMALLOC_START) / PAGE_SIZE)]!;
  return pte === 0 ? 0 : pfn_to_page(pte - 1);
}

/**
 * kmalloc when it can succeed cheaply, vmalloc otherwise: sizes above a page
 * try kmalloc without warnings or retries first. Callers that cannot sleep
 * get no vmalloc fallback (vmalloc may sleep).
 */
export function kvmalloc(size: number, gfp: gfp_t): number {
  return kvmalloc_caller(size, gfp);
}

function kvmalloc_caller(size: number, gfp: gfp_t): number {
  let kgfp = gfp;
  if (size > PAGE_SIZE) kgfp |= __GFP_NOWARN | __GFP_NORETRY;
  if (size <= KMALLOC_MAX_SIZE) {
    const p = kmalloc(size, gfpflags_allow_blocking(gfp) ? kgfp : gfp);
    if (p !== 0 || size <= PAGE_SIZE || !gfpflags_allow_blocking(gfp)) return p;
  } else if (!gfpflags_allow_blocking(gfp)) {
    return 0;
  }
  return __vmalloc_caller(size, gfp, kvmalloc);
}

/** Zeroed {@link kvmalloc}. */
export function kvzalloc(size: number, gfp: gfp_t): number {
  return kvmalloc_caller(size, gfp | __GFP_ZERO);
}

/** Frees memory from kvmalloc: vfree for vmalloc addresses, kfree otherwise. */
export function kvfree(addr: number): void {
  if (is_vmalloc_addr(addr)) vfree(addr);
  else kfree(addr);
}

/**
 * Resizes memory from kvmalloc (`kvrealloc`): a vmalloc area with vrealloc; kmalloc memory
 * with krealloc, and when that cannot grow it (a size beyond kmalloc, or memory too short
 * for contiguous pages) with a kvmalloc copy of the old contents. Returns 0 on failure and
 * leaves the old memory as it was; size 0 frees it.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, KMALLOC_MAX_SIZE, is_vmalloc_addr, kvfree, kvmalloc, kvrealloc, memcpy_from_js, memcpy_to_js } from '@rfl/kernel';
 * const p = kvmalloc(16, GFP_KERNEL);
 * memcpy_from_js(p, new Uint8Array([7, 8, 9]));
 * const big = kvrealloc(p, KMALLOC_MAX_SIZE + 1, GFP_KERNEL);
 * is_vmalloc_addr(big) // => true
 * Array.from(memcpy_to_js(big, 3)) // => [7, 8, 9]
 * kvfree(big);
 * ```
 */
export function kvrealloc(addr: number, size: number, gfp: gfp_t): number {
  if (is_vmalloc_addr(addr)) return vrealloc(addr, size, gfp);
  // kmalloc_gfp_adjust(): above a page, try kmalloc quietly and without retrying.
  const kgfp = size > PAGE_SIZE ? gfp | __GFP_NOWARN | __GFP_NORETRY : gfp;
  const n = size <= KMALLOC_MAX_SIZE ? krealloc(addr, size, kgfp) : 0;
  if (n !== 0) return n;
  const v = kvmalloc(size, gfp);
  if (v === 0) return 0;
  if (addr > ZERO_SIZE_PTR) {
    // ksize() makes the whole old object accessible, as the kernel's copy assumes.
    memcpy(v, addr, Math.min(ksize(addr), size));
    kfree(addr);
  }
  return v;
}
