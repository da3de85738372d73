/**
 * Address translation for kernel virtual addresses: the direct map is a
 * fixed offset, vmalloc space goes through a page table (`vmap_pte`), the
 * kernel image is fixed in page frame 0. The
 * unchecked readers here are for the kernel's own bookkeeping (kmemleak's
 * scan, KASAN's reports), which must not trip the detectors.
 *
 * @module
 */

import {
  kernel_image_phys,
  mem_size,
  mem_u8,
  PAGE_OFFSET,
  PAGE_SHIFT,
  PAGE_SIZE,
  VMALLOC_SIZE,
  VMALLOC_START,
} from './layout.js';

/** Per vmalloc page: the page frame mapped there plus one, or 0 when unmapped. */
export let vmap_pte = new Int32Array(0);

/** Clears vmalloc space (a reboot). */
export function vmap_pte_init(): void {
  vmap_pte = new Int32Array(VMALLOC_SIZE / PAGE_SIZE);
}

/** The physical address of any mapped kernel address, or -1 (a page fault). */
export function translate(addr: number): number {
  const p = addr - PAGE_OFFSET;
  if (p >= 0 && p < mem_size) return p;
  const v = addr - VMALLOC_START;
  if (v >= 0 && v < VMALLOC_SIZE) {
    const pte = vmap_pte[Math.floor(v / PAGE_SIZE)]!;
    if (pte !== 0) return (pte - 1) * PAGE_SIZE + (v % PAGE_SIZE);
    return -1;
  }
  return kernel_image_phys(addr);
}

/** A copy of `n` bytes at `addr`; unmapped bytes read as 0. No detector sees it. */
export function raw_read_bytes(addr: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let done = 0;
  while (done < n) {
    const a = addr + done;
    const chunk = Math.min(n - done, PAGE_SIZE - (a % PAGE_SIZE));
    const p = translate(a);
    if (p >= 0) out.set(mem_u8.subarray(p, p + chunk), done);
    done += chunk;
  }
  return out;
}

/** The page frame behind a mapped address, or -1. */
export function addr_to_pfn(addr: number): number {
  const p = translate(addr);
  return p < 0 ? -1 : p >>> PAGE_SHIFT;
}
