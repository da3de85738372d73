/**
 * User address spaces (`struct mm_struct`, `mm/mmap.c`, `mm/memory.c`): each
 * user process has its own list of virtual memory areas (VMAs) below
 * `TASK_SIZE_MAX` and a page table from user virtual pages to page frames of
 * the simulated physical memory.
 *
 * - Anonymous memory is demand-paged: a page is allocated from the buddy
 *   allocator and zero-filled the first time it is touched (`MAP_POPULATE`
 *   touches every page at map time), and freed when it is unmapped.
 * - A driver's `->mmap` (the `setup` callback of {@link do_mmap}) maps its
 *   own pages with {@link remap_pfn_range} or {@link vm_insert_page}, or
 *   installs `vm_ops.fault` to supply pages on first touch. Those pages stay
 *   the driver's: unmapping never frees them (the kernel's page refcount,
 *   which the simulation does not have, keeps them alive until both sides let
 *   go; here the driver must keep them until its `vm_ops.close` ran).
 * - Private writable mappings are writable in place: there is no
 *   copy-on-write, because there is no fork.
 *
 * User tasks (`sim_spawn`) get a fresh address space; it is torn down when
 * the task exits. pid 1, the context of code that runs outside any task, has
 * one too, as init has after exec; kernel threads have none.
 *
 * @example
 * ```ts
 * import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE, TASK_SIZE_MAX, current, do_mmap, find_vma, vm_munmap, vma_lookup } from '@rfl/kernel';
 * const mm = current().mm!;
 * const addr = do_mmap(mm, 0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, 0);
 * addr > 0 && addr < TASK_SIZE_MAX && addr % 4096 === 0 // => true
 * const vma = find_vma(mm, addr)!;
 * vma.vm_end - vma.vm_start // => 8192
 * vm_munmap(mm, addr, 8192) // => 0
 * vma_lookup(mm, addr) // => null
 * ```
 *
 * @module
 */

import { EBUSY, EEXIST, EFAULT, EINVAL, ENOMEM } from '../errno.js';
import { boot_task, type task_struct } from '../sched/task.js';
import { __GFP_NOWARN, __GFP_ZERO, GFP_HIGHUSER_MOVABLE } from './gfp.js';
import { nr_pages, PAGE_SIZE } from './layout.js';
import {
  __alloc_pages_pfn,
  __free_pages_pfn,
  PG_buddy,
  page_flags,
  page_to_pfn,
  pfn_to_page,
} from './page_alloc.js';

/** The top of user space on x86-64 with 4-level paging (`TASK_SIZE_MAX`). */
export const TASK_SIZE_MAX = 0x00007ffffffff000;
/** Where top-down mmap allocation starts: below a 128 MiB stack gap, as without ASLR. */
const MMAP_BASE = 0x7ffff7fff000;

// Protections and flags of mmap(2) (include/uapi/asm-generic/mman*.h).
export const PROT_NONE = 0x0;
export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const PROT_EXEC = 0x4;
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_SHARED_VALIDATE = 0x03;
export const MAP_TYPE = 0x0f;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_GROWSDOWN = 0x0100;
export const MAP_LOCKED = 0x2000;
export const MAP_NORESERVE = 0x4000;
export const MAP_POPULATE = 0x8000;
export const MAP_FIXED_NOREPLACE = 0x100000;

// vm_flags (include/linux/mm.h).
export const VM_NONE = 0x00000000;
export const VM_READ = 0x00000001;
export const VM_WRITE = 0x00000002;
export const VM_EXEC = 0x00000004;
export const VM_SHARED = 0x00000008;
export const VM_MAYREAD = 0x00000010;
export const VM_MAYWRITE = 0x00000020;
export const VM_MAYEXEC = 0x00000040;
export const VM_MAYSHARE = 0x00000080;
export const VM_GROWSDOWN = 0x00000100;
export const VM_PFNMAP = 0x00000400;
export const VM_LOCKED = 0x00002000;
export const VM_IO = 0x00004000;
export const VM_DONTCOPY = 0x00020000;
export const VM_DONTEXPAND = 0x00040000;
export const VM_NORESERVE = 0x00200000;
export const VM_DONTDUMP = 0x04000000;
export const VM_MIXEDMAP = 0x10000000;

// What a fault handler returns (include/linux/mm_types.h `enum vm_fault_reason`).
export const VM_FAULT_OOM = 0x000001;
export const VM_FAULT_SIGBUS = 0x000002;
export const VM_FAULT_SIGSEGV = 0x000040;
export const VM_FAULT_NOPAGE = 0x000100;
export const VM_FAULT_ERROR = VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV;
/** `vm_fault.flags`: the access is a write. */
export const FAULT_FLAG_WRITE = 0x1;

/**
 * Page protection bits of a PTE (`pgprot_t`). The simulation keeps only what
 * it checks: the PROT_* bits of the mapping.
 */
export type pgprot_t = number;

/** One fault to resolve (`struct vm_fault`). */
export interface vm_fault {
  readonly vma: vm_area_struct;
  /** The faulting user address, page-aligned. */
  readonly address: number;
  /** The page's offset in the mapped object, in pages. */
  readonly pgoff: number;
  /** FAULT_FLAG_* bits. */
  readonly flags: number;
  /** Set by the handler: the `struct page *` to map, unless it returns VM_FAULT_NOPAGE. */
  page: number;
}

/** The operations of a mapping (`struct vm_operations_struct`). */
export interface vm_operations_struct {
  /** A new VMA now refers to the mapping (a split). */
  open?(vma: vm_area_struct): void;
  /** A VMA of the mapping goes away (munmap, exit). */
  close?(vma: vm_area_struct): void;
  /**
   * Supplies the page of a first touch: sets `vmf.page` and returns 0, or
   * maps it itself ({@link vmf_insert_pfn}) and returns VM_FAULT_NOPAGE, or
   * returns VM_FAULT_SIGBUS.
   */
  fault?(vmf: vm_fault): number;
}

/** One virtual memory area (`struct vm_area_struct`). */
export class vm_area_struct {
  readonly vm_mm: mm_struct;
  vm_start: number;
  vm_end: number;
  vm_flags: number;
  vm_page_prot: pgprot_t;
  /** The offset of `vm_start` in the mapped object, in pages. */
  vm_pgoff: number;
  /** The `struct file` mapped, or null for anonymous memory. */
  vm_file: unknown;
  vm_private_data: unknown = null;
  vm_ops: vm_operations_struct | null = null;

  constructor(mm: mm_struct, start: number, end: number, flags: number, pgoff: number) {
    this.vm_mm = mm;
    this.vm_start = start;
    this.vm_end = end;
    this.vm_flags = flags;
    this.vm_page_prot = vm_get_page_prot(flags);
    this.vm_pgoff = pgoff;
    this.vm_file = null;
  }
}

/** A page table entry: the page frame and its protection. */
interface pte_t {
  pfn: number;
  prot: pgprot_t;
  /** Anonymous memory the address space owns and frees when unmapping. */
  anon: boolean;
}

/**
 * A user address space (`struct mm_struct`).
 *
 * # Invariants
 *
 * `vmas` is sorted by address and its areas do not overlap; every entry of
 * `pgd` lies inside one of them.
 */
export class mm_struct {
  /** The areas, sorted by `vm_start`. */
  readonly vmas: vm_area_struct[] = [];
  /** The page table: user virtual page number to PTE. */
  readonly pgd = new Map<number, pte_t>();
  readonly mmap_base = MMAP_BASE;
  /** Pages mapped by all areas (`total_vm`). */
  total_vm = 0;
  /** Anonymous pages present (`MM_ANONPAGES`). */
  anon_rss = 0;
  /** `mm_users`: tasks using it. */
  mm_users = 1;
  /**
   * A one-entry TLB: the last page looked up. Map keys above 2^31 hash slowly,
   * and user copies touch the same page again and again. Cleared whenever a
   * PTE goes away, as a TLB flush.
   */
  tlb_vpn = -1;
  tlb_pte: pte_t | undefined = undefined;
}

/** Every live address space, so that a reboot can empty them. */
const live_mms = new Set<mm_struct>();

/** A new, empty address space (`mm_alloc`). */
export function mm_alloc(): mm_struct {
  const mm = new mm_struct();
  live_mms.add(mm);
  return mm;
}

/** Drops a user of `mm`; the last one unmaps everything (`mmput` → `exit_mmap`). */
export function mmput(mm: mm_struct): void {
  mm.mm_users -= 1;
  if (mm.mm_users > 0) return;
  while (mm.vmas.length > 0) {
    const vma = mm.vmas[0]!;
    unmap_range(mm, vma.vm_start, vma.vm_end);
  }
  live_mms.delete(mm);
}

/**
 * Empties every address space without freeing pages: after a reboot
 * (`mm_init`) the pages they mapped are gone with the rest of memory.
 * pid 1 gets a fresh address space.
 */
export function mmap_reset(): void {
  for (const mm of live_mms) {
    mm.vmas.length = 0;
    mm.pgd.clear();
    flush_tlb(mm);
    mm.total_vm = 0;
    mm.anon_rss = 0;
  }
  live_mms.clear();
  boot_task.mm = mm_alloc();
}

/** The PTE protection of a mapping with these vm_flags (`vm_get_page_prot`). */
export function vm_get_page_prot(vm_flags: number): pgprot_t {
  return vm_flags & (VM_READ | VM_WRITE | VM_EXEC);
}

/** The first area that ends above `addr` (`find_vma`), or null. */
export function find_vma(mm: mm_struct, addr: number): vm_area_struct | null {
  for (const vma of mm.vmas) if (vma.vm_end > addr) return vma;
  return null;
}

/** The area containing `addr` (`vma_lookup`), or null. */
export function vma_lookup(mm: mm_struct, addr: number): vm_area_struct | null {
  const vma = find_vma(mm, addr);
  return vma !== null && vma.vm_start <= addr ? vma : null;
}

function overlaps_any(mm: mm_struct, start: number, end: number): boolean {
  return mm.vmas.some((v) => v.vm_start < end && v.vm_end > start);
}

/** The highest free range of `len` bytes below `mmap_base` (top-down, as x86-64). */
function get_unmapped_area(mm: mm_struct, len: number): number {
  let end = mm.mmap_base;
  for (let i = mm.vmas.length - 1; i >= 0; i--) {
    const v = mm.vmas[i]!;
    if (v.vm_start >= end) continue;
    if (v.vm_end <= end - len) return end - len;
    end = v.vm_start;
  }
  return end - len >= PAGE_SIZE ? end - len : -ENOMEM;
}

function insert_vma(mm: mm_struct, vma: vm_area_struct): void {
  let i = 0;
  while (i < mm.vmas.length && mm.vmas[i]!.vm_start < vma.vm_start) i++;
  mm.vmas.splice(i, 0, vma);
  mm.total_vm += (vma.vm_end - vma.vm_start) / PAGE_SIZE;
}

/** Forgets the cached translation (`flush_tlb_mm`). */
function flush_tlb(mm: mm_struct): void {
  mm.tlb_vpn = -1;
  mm.tlb_pte = undefined;
}

function zap_pte(mm: mm_struct, vpn: number): void {
  const pte = mm.pgd.get(vpn);
  if (!pte) return;
  if (mm.tlb_vpn === vpn) flush_tlb(mm);
  mm.pgd.delete(vpn);
  if (pte.anon) {
    mm.anon_rss -= 1;
    __free_pages_pfn(pte.pfn, 0);
  }
}

/** Removes `[start, end)` from `mm`: splits, trims or removes the areas it meets. */
function unmap_range(mm: mm_struct, start: number, end: number): void {
  for (const vma of [...mm.vmas]) {
    if (vma.vm_end <= start || vma.vm_start >= end) continue;
    const lo = Math.max(start, vma.vm_start);
    const hi = Math.min(end, vma.vm_end);
    for (let a = lo; a < hi; a += PAGE_SIZE) zap_pte(mm, a / PAGE_SIZE);
    mm.total_vm -= (hi - lo) / PAGE_SIZE;
    const keep_low = vma.vm_start < lo;
    const keep_high = vma.vm_end > hi;
    if (keep_low && keep_high) {
      // __split_vma: the upper part becomes a new area sharing the mapping.
      const upper = new vm_area_struct(
        mm,
        hi,
        vma.vm_end,
        vma.vm_flags,
        vma.vm_pgoff + (hi - vma.vm_start) / PAGE_SIZE,
      );
      upper.vm_page_prot = vma.vm_page_prot;
      upper.vm_file = vma.vm_file;
      upper.vm_private_data = vma.vm_private_data;
      upper.vm_ops = vma.vm_ops;
      vma.vm_end = lo;
      mm.vmas.splice(mm.vmas.indexOf(vma) + 1, 0, upper);
      upper.vm_ops?.open?.(upper);
    } else if (keep_low) {
      vma.vm_end = lo;
    } else if (keep_high) {
      vma.vm_pgoff += (hi - vma.vm_start) / PAGE_SIZE;
      vma.vm_start = hi;
    } else {
      mm.vmas.splice(mm.vmas.indexOf(vma), 1);
      vma.vm_ops?.close?.(vma);
    }
  }
}

function calc_vm_flags(prot: number, flags: number): number {
  let vm_flags =
    (prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
  if ((flags & MAP_TYPE) !== MAP_PRIVATE) vm_flags |= VM_SHARED | VM_MAYSHARE;
  if (flags & MAP_GROWSDOWN) vm_flags |= VM_GROWSDOWN;
  if (flags & MAP_LOCKED) vm_flags |= VM_LOCKED;
  if (flags & MAP_NORESERVE) vm_flags |= VM_NORESERVE;
  return vm_flags;
}

/**
 * Maps `len` bytes into `mm` (`do_mmap`, what `mmap(2)` runs): returns the
 * address, or a negative errno. `addr` is a hint unless `MAP_FIXED` (which
 * replaces what was there) or `MAP_FIXED_NOREPLACE` (-EEXIST if something
 * is). Without a hint the highest free range below `mmap_base` is used.
 *
 * For a file mapping the VFS passes the file's `->mmap` as `setup`: it gets
 * the new area (with `vm_file` set to `file`) before it is visible, may
 * change its flags, `vm_ops` and `vm_private_data` or map pages into it, and
 * returns 0 or a negative errno that fails the whole call.
 */
export function do_mmap(
  mm: mm_struct,
  addr: number,
  len: number,
  prot: number,
  flags: number,
  pgoff: number,
  setup?: (vma: vm_area_struct) => number,
  file: unknown = null,
): number {
  if (len <= 0 || !Number.isSafeInteger(len)) return -EINVAL;
  const type = flags & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) return -EINVAL;
  len = Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
  if (len > TASK_SIZE_MAX) return -ENOMEM;
  if (pgoff < 0 || !Number.isSafeInteger(pgoff)) return -EINVAL;
  let start: number;
  if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    if (addr < 0 || addr + len > TASK_SIZE_MAX) return -ENOMEM;
    if (overlaps_any(mm, addr, addr + len)) {
      if (!(flags & MAP_FIXED)) return -EEXIST;
      unmap_range(mm, addr, addr + len);
    }
    start = addr;
  } else {
    const hint = Math.floor(addr / PAGE_SIZE) * PAGE_SIZE;
    if (hint >= PAGE_SIZE && hint + len <= TASK_SIZE_MAX && !overlaps_any(mm, hint, hint + len)) {
      start = hint;
    } else {
      start = get_unmapped_area(mm, len);
      if (start < 0) return start;
    }
  }
  const anonymous = (flags & MAP_ANONYMOUS) !== 0 && setup === undefined;
  const vma = new vm_area_struct(
    mm,
    start,
    start + len,
    calc_vm_flags(prot, flags),
    anonymous && type === MAP_PRIVATE ? start / PAGE_SIZE : pgoff,
  );
  vma.vm_file = anonymous ? null : file;
  insert_vma(mm, vma);
  if (setup !== undefined) {
    const ret = setup(vma);
    if (ret < 0) {
      // The driver's ->mmap failed: nothing it mapped stays, and its close is not called.
      vma.vm_ops = null;
      unmap_range(mm, vma.vm_start, vma.vm_end);
      return ret;
    }
  }
  if (flags & MAP_POPULATE) {
    for (let a = start; a < start + len; a += PAGE_SIZE) {
      if (user_page_phys(mm, a, (vma.vm_flags & VM_WRITE) !== 0, false) < 0) break;
    }
  }
  return start;
}

/**
 * Unmaps `[start, start+len)` (`vm_munmap`, what `munmap(2)` runs): 0 or
 * -EINVAL for an unaligned start, an empty length or a range outside user
 * space. Unmapping a range where nothing is mapped succeeds.
 */
export function vm_munmap(mm: mm_struct, start: number, len: number): number {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(len)) return -EINVAL;
  if (start % PAGE_SIZE !== 0 || start < 0 || start > TASK_SIZE_MAX) return -EINVAL;
  len = Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
  if (len <= 0 || len > TASK_SIZE_MAX - start) return -EINVAL;
  unmap_range(mm, start, start + len);
  return 0;
}

/**
 * Maps the page frames `pfn, pfn+1, …` at `[addr, addr+size)` of `vma`
 * (`remap_pfn_range`, the usual body of a driver's `->mmap`), with the
 * protection `prot` (normally `vma.vm_page_prot`). Marks the area
 * VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP. Returns 0, -EINVAL for a
 * range outside the area or frames outside memory, -EBUSY if a page of the
 * range is already mapped.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, MAP_SHARED, PAGE_SHIFT, PROT_READ, VM_PFNMAP, __get_free_pages, __pa, current, do_mmap, find_vma, free_pages, memcpy_from_js, remap_pfn_range, sim_user_read, vm_munmap } from '@rfl/kernel';
 * const buf = __get_free_pages(GFP_KERNEL, 0);
 * memcpy_from_js(buf, new TextEncoder().encode('fox'));
 * const mm = current().mm!;
 * const uaddr = do_mmap(mm, 0, 4096, PROT_READ, MAP_SHARED, 0, (vma) =>
 *   remap_pfn_range(vma, vma.vm_start, __pa(buf) >> PAGE_SHIFT, 4096, vma.vm_page_prot));
 * new TextDecoder().decode(sim_user_read(uaddr, 3)) // => 'fox'
 * const vma = find_vma(mm, uaddr)!;
 * vma.vm_flags & VM_PFNMAP // => VM_PFNMAP
 * vm_munmap(mm, uaddr, 4096);
 * free_pages(buf, 0);
 * ```
 */
export function remap_pfn_range(
  vma: vm_area_struct,
  addr: number,
  pfn: number,
  size: number,
  prot: pgprot_t,
): number {
  size = Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
  if (addr % PAGE_SIZE !== 0 || addr < vma.vm_start || addr + size > vma.vm_end) return -EINVAL;
  const n = size / PAGE_SIZE;
  if (pfn < 0 || pfn + n > nr_pages) return -EINVAL;
  const mm = vma.vm_mm;
  for (let i = 0; i < n; i++) if (mm.pgd.has(addr / PAGE_SIZE + i)) return -EBUSY;
  vma.vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
  for (let i = 0; i < n; i++) mm.pgd.set(addr / PAGE_SIZE + i, { pfn: pfn + i, prot, anon: false });
  return 0;
}

/**
 * Maps one allocated page (`struct page *`) at `addr` of `vma`
 * (`vm_insert_page`) and marks the area VM_MIXEDMAP. Returns 0, -EFAULT for
 * an address outside the area, -EINVAL for a VM_PFNMAP area or a page that
 * is not allocated, -EBUSY if something is mapped there.
 */
export function vm_insert_page(vma: vm_area_struct, addr: number, page: number): number {
  if (addr < vma.vm_start || addr >= vma.vm_end) return -EFAULT;
  if (vma.vm_flags & VM_PFNMAP) return -EINVAL;
  const pfn = page_to_pfn(page);
  if (!Number.isInteger(pfn) || pfn <= 0 || pfn >= nr_pages || page_flags[pfn] === PG_buddy) {
    return -EINVAL;
  }
  const vpn = Math.floor(addr / PAGE_SIZE);
  if (vma.vm_mm.pgd.has(vpn)) return -EBUSY;
  vma.vm_flags |= VM_MIXEDMAP;
  vma.vm_mm.pgd.set(vpn, { pfn, prot: vma.vm_page_prot, anon: false });
  return 0;
}

/**
 * Maps page frame `pfn` at `addr` from a fault handler (`vmf_insert_pfn`);
 * returns VM_FAULT_NOPAGE, or VM_FAULT_SIGBUS when it cannot.
 */
export function vmf_insert_pfn(vma: vm_area_struct, addr: number, pfn: number): number {
  if (addr < vma.vm_start || addr >= vma.vm_end || pfn < 0 || pfn >= nr_pages) {
    return VM_FAULT_SIGBUS;
  }
  const vpn = Math.floor(addr / PAGE_SIZE);
  if (!vma.vm_mm.pgd.has(vpn)) {
    vma.vm_mm.pgd.set(vpn, { pfn, prot: vma.vm_page_prot, anon: false });
  }
  return VM_FAULT_NOPAGE;
}

/**
 * Resolves a fault at `addr` in `vma` (`handle_mm_fault`): a zeroed page for
 * anonymous memory, the driver's page for a mapping with `vm_ops.fault`.
 * Returns 0 or VM_FAULT_* error bits.
 */
export function handle_mm_fault(vma: vm_area_struct, addr: number, flags: number): number {
  const mm = vma.vm_mm;
  const vpn = Math.floor(addr / PAGE_SIZE);
  if (mm.pgd.has(vpn)) return 0;
  if (vma.vm_ops?.fault) {
    const vmf: vm_fault = {
      vma,
      address: vpn * PAGE_SIZE,
      pgoff: vma.vm_pgoff + (vpn * PAGE_SIZE - vma.vm_start) / PAGE_SIZE,
      flags,
      page: 0,
    };
    const ret = vma.vm_ops.fault(vmf);
    if (ret & VM_FAULT_ERROR) return ret;
    if (ret & VM_FAULT_NOPAGE) return mm.pgd.has(vpn) ? 0 : VM_FAULT_SIGBUS;
    const pfn = page_to_pfn(vmf.page);
    if (vmf.page === 0 || pfn <= 0 || pfn >= nr_pages) return VM_FAULT_SIGBUS;
    mm.pgd.set(vpn, { pfn, prot: vma.vm_page_prot, anon: false });
    return 0;
  }
  if (vma.vm_file !== null || vma.vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) return VM_FAULT_SIGBUS;
  // A user page fault may sleep in reclaim in the kernel; here it never
  // waits, so that a copy in atomic context reports only might_fault's BUG.
  const pfn = __alloc_pages_pfn(GFP_HIGHUSER_MOVABLE | __GFP_ZERO | __GFP_NOWARN, 0);
  if (pfn < 0) return VM_FAULT_OOM;
  mm.pgd.set(vpn, { pfn, prot: vma.vm_page_prot, anon: true });
  mm.anon_rss += 1;
  return 0;
}

/**
 * The physical address behind user address `uaddr` of `mm` for an access
 * (faulting the page in unless `nofault`), or -1 when the access faults:
 * nothing mapped, no permission (PROT_NONE, a write to a read-only
 * mapping), or a fault handler that fails.
 */
export function user_page_phys(
  mm: mm_struct,
  uaddr: number,
  write: boolean,
  nofault: boolean,
): number {
  if (!(uaddr >= 0 && uaddr < TASK_SIZE_MAX)) return -1;
  const vpn = Math.floor(uaddr / PAGE_SIZE);
  const off = uaddr - vpn * PAGE_SIZE;
  let pte = mm.tlb_vpn === vpn ? mm.tlb_pte : mm.pgd.get(vpn);
  if (pte === undefined) {
    if (nofault) return -1;
    const vma = vma_lookup(mm, uaddr);
    if (vma === null) return -1;
    const need = write ? VM_WRITE : VM_READ | VM_WRITE | VM_EXEC;
    if ((vma.vm_flags & need) === 0) return -1;
    if (handle_mm_fault(vma, uaddr, write ? FAULT_FLAG_WRITE : 0) !== 0) return -1;
    pte = mm.pgd.get(vpn);
    if (pte === undefined) return -1;
  }
  if (write ? (pte.prot & PROT_WRITE) === 0 : pte.prot === PROT_NONE) return -1;
  mm.tlb_vpn = vpn;
  mm.tlb_pte = pte;
  return pte.pfn * PAGE_SIZE + off;
}

/** The `struct page *` mapped at a user address without faulting, or 0. */
export function follow_page(mm: mm_struct, uaddr: number): number {
  const pte = mm.pgd.get(Math.floor(uaddr / PAGE_SIZE));
  return pte === undefined ? 0 : pfn_to_page(pte.pfn);
}

/** Detaches an exiting task from its address space (`exit_mm`). */
export function exit_mm(task: task_struct): void {
  const mm = task.mm;
  if (mm === null) return;
  task.mm = null;
  mmput(mm);
}
