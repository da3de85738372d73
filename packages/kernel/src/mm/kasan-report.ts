/**
 * KASAN's reports (`mm/kasan/report.c`, `report_generic.c`): the bug type
 * read from the shadow, the access, the call trace, the object's allocation
 * and free stacks, where the address lies relative to the object, and the
 * shadow around it. Internal to `kasan.ts`.
 *
 * @module
 */

import { add_taint, current_task_info, dump_stack_lvl, TAINT_BAD_PAGE } from '../panic.js';
import { KERN_ERR, pr_err } from '../printk.js';
import { stack_capture, stack_frames, stack_lines } from '../stacktrace.js';
import {
  KASAN_GRANULE_SIZE,
  KASAN_PAGE_FREE,
  KASAN_PAGE_REDZONE,
  KASAN_SLAB_FREE,
  KASAN_SLAB_FREE_META,
  KASAN_SLAB_REDZONE,
  KASAN_VMALLOC_INVALID,
  kasan_shadow,
  type kasan_slab_ops,
  type kasan_track,
} from './kasan.js';
import { kaddr_hex, mem_size, PAGE_SHIFT } from './layout.js';

/** What a report needs from KASAN's state. */
export interface kasan_report_ctx {
  readonly meta: ReadonlyMap<number, { alloc: kasan_track; free: kasan_track | undefined }>;
  readonly ops: kasan_slab_ops | undefined;
}

let report_count = 0;

/** Reports printed since boot. */
export function kasan_reports_printed(): number {
  return report_count;
}

/** Restarts the report count (a reboot). */
export function kasan_reports_reset(): void {
  report_count = 0;
}

function bug_type_of(shadow: number): string {
  switch (shadow) {
    case KASAN_PAGE_REDZONE:
    case KASAN_SLAB_REDZONE:
      return 'slab-out-of-bounds';
    case KASAN_PAGE_FREE:
      return 'use-after-free';
    case KASAN_SLAB_FREE:
    case KASAN_SLAB_FREE_META:
      return 'slab-use-after-free';
    case KASAN_VMALLOC_INVALID:
      return 'vmalloc-out-of-bounds';
    default:
      return shadow < KASAN_GRANULE_SIZE ? 'out-of-bounds' : 'unknown-crash';
  }
}

function print_track(track: kasan_track, prefix: string): void {
  pr_err('%s by task %u:\n', prefix, track.pid);
  if (track.stack) for (const line of stack_lines(track.stack)) pr_err('%s\n', line);
  else pr_err('(stack is not available)\n');
}

/** Whether the object at `p` is allocated (its first granule is not poisoned). */
function is_live(p: number): boolean {
  return kasan_shadow[p >>> 3]! < KASAN_GRANULE_SIZE;
}

/** The size a live object was allocated with, read from the shadow. */
function alloc_size(p: number, object_size: number): number {
  let size = 0;
  for (let g = p >>> 3; size < object_size; g++) {
    const s = kasan_shadow[g]!;
    if (s === 0) size += KASAN_GRANULE_SIZE;
    else return s < KASAN_GRANULE_SIZE ? size + s : size;
  }
  return object_size;
}

/** "The buggy address belongs to the object at ..." for slab objects. */
function describe_object(ctx: kasan_report_ctx, bad_p: number, bad_addr: number): void {
  let obj = ctx.ops?.object_of(bad_p);
  if (!obj) return;
  // Slots have no redzone of their own: an overflow lands in the next slot.
  // When that slot holds no object, blame the object to its left, which is
  // what the kernel's per-object redzone would have shown.
  if (kasan_shadow[obj.start >>> 3] === KASAN_SLAB_REDZONE && obj.start > 0) {
    const prev = ctx.ops?.object_of(obj.start - 1);
    if (prev && prev.cache === obj.cache && is_live(prev.start)) obj = prev;
  }
  const meta = ctx.meta.get(obj.start);
  if (meta) {
    print_track(meta.alloc, 'Allocated');
    pr_err('\n');
    if (meta.free) {
      print_track(meta.free, 'Freed');
      pr_err('\n');
    }
  }
  const obj_addr = bad_addr - (bad_p - obj.start);
  const freed = kasan_shadow[obj.start >>> 3] === KASAN_SLAB_FREE;
  const region = freed ? obj.object_size : alloc_size(obj.start, obj.object_size);
  pr_err(
    'The buggy address belongs to the object at %s\n which belongs to the cache %s of size %d\n',
    kaddr_hex(obj_addr),
    obj.cache,
    obj.object_size,
  );
  let rel_type: string;
  let rel_bytes: number;
  if (bad_addr < obj_addr) {
    rel_type = 'to the left';
    rel_bytes = obj_addr - bad_addr;
  } else if (bad_addr >= obj_addr + region) {
    rel_type = 'to the right';
    rel_bytes = bad_addr - (obj_addr + region);
  } else {
    rel_type = 'inside';
    rel_bytes = bad_addr - obj_addr;
  }
  pr_err(
    'The buggy address is located %d bytes %s of\n %s%d-byte region [%s, %s)\n',
    rel_bytes,
    rel_type,
    freed ? 'freed ' : 'allocated ',
    region,
    kaddr_hex(obj_addr),
    kaddr_hex(obj_addr + region),
  );
  pr_err('\n');
}

/** "Memory state around the buggy address:": 5 rows of 16 shadow bytes. */
function print_memory_metadata(bad_p: number, bad_addr: number): void {
  pr_err('Memory state around the buggy address:\n');
  const row_bytes = 16 * KASAN_GRANULE_SIZE;
  const row_p = Math.floor(bad_p / row_bytes) * row_bytes;
  const delta = bad_addr - bad_p;
  for (let i = -2; i <= 2; i++) {
    const rp = row_p + i * row_bytes;
    if (rp < 0 || rp >= mem_size) continue;
    const bytes: string[] = [];
    for (let g = 0; g < 16; g++)
      bytes.push(kasan_shadow[(rp >>> 3) + g]!.toString(16).padStart(2, '0'));
    pr_err('%s%s: %s\n', i === 0 ? '>' : ' ', kaddr_hex(rp + delta), bytes.join(' '));
    if (i === 0) pr_err('%*c\n', 20 + ((bad_p - rp) >>> 3) * 3, '^');
  }
}

function start_report(): void {
  report_count += 1;
  pr_err('==================================================================\n');
}

function end_report(): void {
  pr_err('==================================================================\n');
  add_taint(TAINT_BAD_PAGE);
}

export function kasan_report_access(
  ctx: kasan_report_ctx,
  bad_p: number,
  bad_addr: number,
  size: number,
  write: boolean,
  addr: number,
  // biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
  ip: Function,
): void {
  const capture = stack_capture(ip);
  const fn = stack_frames(capture)[0]?.function ?? '<unknown>';
  start_report();
  // A partial granule says nothing about why the rest is bad: the next one does.
  let shadow = kasan_shadow[bad_p >>> 3]!;
  if (shadow > 0 && shadow < KASAN_GRANULE_SIZE) shadow = kasan_shadow[(bad_p >>> 3) + 1] ?? shadow;
  pr_err('BUG: KASAN: %s in %s\n', bug_type_of(shadow), fn);
  const { pid, comm } = current_task_info();
  pr_err(
    '%s of size %u at addr %s by task %s/%d\n',
    write ? 'Write' : 'Read',
    size,
    kaddr_hex(addr),
    comm,
    pid,
  );
  pr_err('\n');
  dump_stack_lvl(KERN_ERR, capture);
  pr_err('\n');
  describe_object(ctx, bad_p, bad_addr);
  print_physical_page(bad_p);
  print_memory_metadata(bad_p, bad_addr);
  end_report();
}

function print_physical_page(p: number): void {
  pr_err('The buggy address belongs to the physical page:\n');
  pr_err(
    'page: refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x%x\n',
    p >>> PAGE_SHIFT,
  );
  pr_err('page dumped because: kasan: bad access detected\n');
  pr_err('\n');
}

/**
 * `double-free` or `invalid-free` for a kfree of object `p` (address
 * `addr`); `ip` is the freeing function.
 */
export function kasan_report_bad_free(
  ctx: kasan_report_ctx,
  p: number,
  addr: number,
  double_free: boolean,
  // biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
  ip: Function,
): void {
  const capture = stack_capture(ip);
  const fn = stack_frames(capture)[0]?.function ?? '<unknown>';
  start_report();
  pr_err('BUG: KASAN: %s in %s\n', double_free ? 'double-free' : 'invalid-free', fn);
  const { pid, comm } = current_task_info();
  pr_err('Free of addr %s by task %s/%d\n', kaddr_hex(addr), comm, pid);
  pr_err('\n');
  dump_stack_lvl(KERN_ERR, capture);
  pr_err('\n');
  describe_object(ctx, p, addr);
  print_physical_page(p);
  end_report();
}
