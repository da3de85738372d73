/**
 * `/proc/meminfo` (`fs/proc/meminfo.c`) for the parts of memory the
 * simulation has: total and free memory, slab and vmalloc usage. Part 2's
 * procfs prints it; tests can read the numbers directly.
 *
 * @example
 * ```ts
 * import { meminfo, mm_init } from '@rfl/kernel';
 * mm_init({ mem_size: 8 << 20, quiet: true });
 * meminfo().split('\n')[0] // => 'MemTotal:           8188 kB'
 * # mm_init({ quiet: true });
 * ```
 *
 * @module
 */

import { PAGE_SIZE, VMALLOC_SIZE } from './layout.js';
import { zone } from './page_alloc.js';
import { kmem_caches, SLAB_RECLAIM_ACCOUNT } from './slab.js';
import { vmalloc_nr_pages } from './vmalloc.js';

/** `show_val_kb`: a label padded to 16 columns, the value right-aligned in 8. */
function show_val_kb(label: string, kb: number): string {
  return `${label.padEnd(16, ' ')}${String(kb).padStart(8, ' ')} kB\n`;
}

/** What `cat /proc/meminfo` prints. */
export function meminfo(): string {
  const kb = PAGE_SIZE / 1024;
  let reclaimable = 0;
  let unreclaimable = 0;
  for (const s of kmem_caches()) {
    const pages = s.slabs.size << s.order;
    if (s.flags & SLAB_RECLAIM_ACCOUNT) reclaimable += pages;
    else unreclaimable += pages;
  }
  // si_mem_available(): free pages above the low watermark plus reclaimable slab.
  const available = Math.max(0, zone.free_pages - zone.low + reclaimable);
  return (
    show_val_kb('MemTotal:', zone.managed_pages * kb) +
    show_val_kb('MemFree:', zone.free_pages * kb) +
    show_val_kb('MemAvailable:', available * kb) +
    show_val_kb('Slab:', (reclaimable + unreclaimable) * kb) +
    show_val_kb('SReclaimable:', reclaimable * kb) +
    show_val_kb('SUnreclaim:', unreclaimable * kb) +
    show_val_kb('VmallocTotal:', VMALLOC_SIZE / 1024) +
    show_val_kb('VmallocUsed:', vmalloc_nr_pages() * kb)
  );
}
