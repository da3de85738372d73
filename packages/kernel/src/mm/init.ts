/**
 * Booting memory management: physical memory, the page allocator, slab,
 * vmalloc and the memory detectors, in the order `mm_core_init` sets them up.
 *
 * Kernel state is module-level, as the kernel's is global: there is one
 * simulated machine per JavaScript realm. {@link mm_init} is the reboot —
 * tests call it to start from a fresh machine of the size they want.
 *
 * @module
 */

import { pr_info } from '../printk.js';
import { register_exit_hook } from '../sched/core.js';
import { fault_inject_reset } from './fault-inject.js';
import { kasan_enable, kasan_init } from './kasan.js';
import { kmalloc_init } from './kmalloc.js';
import { kmemleak_enable, kmemleak_init } from './kmemleak.js';
import { DEFAULT_MEM_SIZE, nr_pages, PAGE_SIZE, phys_mem_init } from './layout.js';
import { exit_mm, mmap_reset } from './mmap.js';
import { page_alloc_init, zone } from './page_alloc.js';
import { vmap_pte_init } from './raw.js';
import { slab_init } from './slab.js';
import { vmalloc_init } from './vmalloc.js';

/** Boot options of {@link mm_init}. */
export interface mm_init_options {
  /** Bytes of physical memory; a multiple of 4 MiB (default 64 MiB). */
  mem_size?: number;
  /** Overrides the computed `min_free_kbytes` (the min watermark). */
  min_free_kbytes?: number;
  /** `kasan=on` (default off). */
  kasan?: boolean;
  /** `kasan.stacktrace` (default on). */
  kasan_stacktrace?: boolean;
  /** `kmemleak=on` (default off). */
  kmemleak?: boolean;
  /** Print leaks to dmesg when a scan finds them. */
  kmemleak_verbose?: boolean;
  /** Print the `Memory: ...K/...K available` boot line. */
  quiet?: boolean;
}

/**
 * (Re)boots memory management: fresh zeroed physical memory, empty free
 * lists, only the kmalloc caches, empty vmalloc space and user address
 * spaces, detectors as asked and fault injection at its defaults. Every address handed out before is
 * invalid afterwards.
 *
 * @example
 * ```ts
 * import { mm_init, nr_free_pages } from '@rfl/kernel';
 * mm_init({ mem_size: 8 << 20, quiet: true });
 * nr_free_pages() // => 2047
 * mm_init();
 * ```
 */
export function mm_init(options: mm_init_options = {}): void {
  phys_mem_init(options.mem_size ?? DEFAULT_MEM_SIZE);
  vmap_pte_init();
  kasan_init();
  kmemleak_init();
  fault_inject_reset();
  page_alloc_init(options.min_free_kbytes);
  slab_init();
  kmalloc_init();
  vmalloc_init();
  mmap_reset();
  if (options.kasan) kasan_enable({ stacktrace: options.kasan_stacktrace ?? true });
  if (options.kmemleak) kmemleak_enable({ verbose: options.kmemleak_verbose ?? false });
  if (!options.quiet) {
    const kb = PAGE_SIZE / 1024;
    pr_info('Memory: %uK/%uK available\n', zone.free_pages * kb, nr_pages * kb);
  }
}

register_exit_hook(exit_mm);
mm_init({ quiet: true });
