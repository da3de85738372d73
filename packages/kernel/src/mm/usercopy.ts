/**
 * Hardened usercopy (CONFIG_HARDENED_USERCOPY, `mm/usercopy.c`): before
 * `copy_to_user`/`copy_from_user` move bytes, the kernel side of the copy is
 * checked against what the allocators know about it, and a copy that would
 * expose or overwrite memory beyond the object it starts in is refused with
 * a report and a BUG:
 *
 * - NULL and `ZERO_SIZE_PTR` (`null address`);
 * - a slab object: the copy must stay inside the cache's usercopy whitelist
 *   (`kmem_cache_create_usercopy`; kmalloc caches whitelist whole objects,
 *   `kmem_cache_create` caches nothing) — `SLUB object '<cache>'`;
 * - a multi-page page allocation (large kmalloc): the copy must end inside
 *   it (`page alloc`);
 * - vmalloc: the copy must lie in one mapped area (`vmalloc`);
 * - kernel text is never copied (`kernel text`).
 *
 * The simulation has no kernel stacks (a task's locals are JavaScript
 * values), so the stack-frame checks have nothing to check.
 *
 * @example
 * ```ts should_throw="kernel BUG at mm/usercopy.c:102!"
 * import { GFP_KERNEL, copy_to_user, kmalloc, sim_user_alloc } from '@rfl/kernel';
 * const p = kmalloc(16, GFP_KERNEL);
 * const u = sim_user_alloc(4096);
 * copy_to_user(u, p, 20);
 * ```
 *
 * @module
 */

import { kconfig_watch } from '../kconfig.js';
import { die } from '../panic.js';
import { pr_emerg, pr_warn } from '../printk.js';
import { stack_capture } from '../stacktrace.js';
import { ZERO_SIZE_PTR } from './kmalloc.js';
import {
  _etext,
  _stext,
  is_vmalloc_addr,
  mem_size,
  PAGE_OFFSET,
  PAGE_SHIFT,
  PAGE_SIZE,
} from './layout.js';
import { PG_head, PG_large_kmalloc, page_flags, page_order } from './page_alloc.js';
import { cache_of_page, slab_head_of } from './slub.js';
import { find_vmap_area } from './vmalloc.js';

/** The `kernel BUG at` line of usercopy_abort in the kernel the simulation follows. */
const USERCOPY_BUG_LINE = 102;

let enabled = true;
/** CONFIG_HARDENED_USERCOPY: without it check_object_size() checks nothing. */
let configured = true;
kconfig_watch('CONFIG_HARDENED_USERCOPY', (on) => {
  configured = on;
});

/**
 * Switches the checks on or off, as the `hardened_usercopy=` boot parameter
 * does (for benchmarks); returns the previous setting.
 */
export function set_hardened_usercopy(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/** Whether the checks are on (CONFIG_HARDENED_USERCOPY and not `hardened_usercopy=off`). */
export function hardened_usercopy_enabled(): boolean {
  return configured && enabled;
}

/**
 * Reports a refused copy and BUGs (`usercopy_abort`): the
 * `usercopy: Kernel memory exposure attempt detected from …` line (or
 * `overwrite attempt detected to …` for a copy from user space), then
 * `kernel BUG at mm/usercopy.c:102!` and the Oops; the task dies.
 */
export function usercopy_abort(
  name: string,
  detail: string | null,
  to_user: boolean,
  offset: number,
  len: number,
): never {
  const capture = stack_capture(usercopy_abort);
  pr_emerg(
    'usercopy: Kernel memory %s attempt detected %s %s%s%s%s (offset %lu, size %lu)!\n',
    to_user ? 'exposure' : 'overwrite',
    to_user ? 'from' : 'to',
    name,
    detail !== null ? " '" : '',
    detail ?? '',
    detail !== null ? "'" : '',
    offset,
    len,
  );
  const at = `mm/usercopy.c:${USERCOPY_BUG_LINE}`;
  pr_warn('------------[ cut here ]------------\n');
  pr_emerg('kernel BUG at %s!\n', at);
  throw die('invalid opcode', 0, capture, `kernel BUG at ${at}!`);
}

/** `__check_heap_object` of SLUB: the copy must stay in the cache's whitelist. */
function check_slab_object(ptr: number, n: number, pfn: number, to_user: boolean): void {
  const s = cache_of_page(pfn)!;
  const slab_start = PAGE_OFFSET + (slab_head_of(pfn) << PAGE_SHIFT);
  const offset = (ptr - slab_start) % s.size;
  if (
    offset >= s.useroffset &&
    offset - s.useroffset <= s.usersize &&
    n <= s.useroffset - offset + s.usersize
  ) {
    return;
  }
  usercopy_abort('SLUB object', s.name, to_user, offset, n);
}

/** The head page frame of the allocated block holding `pfn`, or -1. */
function block_head(pfn: number): number {
  for (let order = 0; order <= 10; order++) {
    const head = pfn & ~((1 << order) - 1);
    if (page_flags[head]! & PG_head && head + (1 << page_order[head]!) > pfn) return head;
  }
  return -1;
}

function check_heap_object(ptr: number, n: number, to_user: boolean): void {
  if (is_vmalloc_addr(ptr)) {
    const area = find_vmap_area(ptr);
    if (!area) usercopy_abort('vmalloc', 'no area', to_user, 0, n);
    if (n > area.va_end - ptr) usercopy_abort('vmalloc', null, to_user, ptr - area.va_start, n);
    return;
  }
  const p = ptr - PAGE_OFFSET;
  if (p < 0 || p >= mem_size) return;
  const pfn = p >>> PAGE_SHIFT;
  if (cache_of_page(pfn) !== undefined) {
    check_slab_object(ptr, n, pfn, to_user);
    return;
  }
  // Only compound allocations (large kmalloc) are folios the kernel can size.
  const head = block_head(pfn);
  if (head < 0 || !(page_flags[head]! & PG_large_kmalloc) || page_order[head] === 0) return;
  const offset = p - head * PAGE_SIZE;
  if (n > (PAGE_SIZE << page_order[head]!) - offset) {
    usercopy_abort('page alloc', null, to_user, offset, n);
  }
}

/**
 * Checks the kernel side `[ptr, ptr+n)` of a user copy (`__check_object_size`):
 * `to_user` for copy_to_user (an exposure), false for copy_from_user (an
 * overwrite). Refused copies do not return (see the module comment).
 */
export function check_object_size(ptr: number, n: number, to_user: boolean): void {
  if (!configured || !enabled || n === 0) return;
  if (ptr + (n - 1) < ptr) usercopy_abort('wrapped address', null, to_user, 0, ptr + n);
  if (ptr >= 0 && ptr <= ZERO_SIZE_PTR) usercopy_abort('null address', null, to_user, ptr, n);
  check_heap_object(ptr, n, to_user);
  if (ptr < _etext && ptr + n > _stext) {
    usercopy_abort('kernel text', null, to_user, ptr - _stext, n);
  }
}
