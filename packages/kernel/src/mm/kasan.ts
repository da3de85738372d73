/**
 * KASAN, the generic (shadow memory) mode of `mm/kasan/`: one shadow byte per
 * 8-byte granule of physical memory says how many of its bytes are
 * accessible (0 = all, 1–7 = the first N) or, when negative, why none is:
 * a slab redzone, a freed object, a freed page. Every access through the
 * accessors (`readb`…`writeq`, `memcpy`, `memset`) is checked against it, and
 * a bad one prints the kernel's report — bug type, the access, the call
 * trace, the object's allocation and free stacks, where the address lies
 * relative to the object, and the shadow around it — then taints the kernel
 * with `B` and lets the access happen, as `kasan.fault=report` does.
 *
 * Freed slab objects wait in a quarantine (1/32 of memory) before they can be
 * reused, so that a use-after-free hits poisoned memory rather than the next
 * owner's object.
 *
 * KASAN can be switched on and off at runtime ({@link kasan_enable}); turning
 * it on rebuilds the shadow from the allocators' state, so objects allocated
 * before have no allocation stack. The simulation reports every bug, as with
 * `kasan_multi_shot` (the kernel reports only the first by default).
 *
 * @module
 */

import {
  add_taint,
  current_task_info,
  print_tainted,
  TAINT_BAD_PAGE,
  UTS_RELEASE,
} from '../panic.js';
import { pr_err } from '../printk.js';
import { current } from '../sched/task.js';
import { type StackCapture, stack_capture, stack_frames, stack_lines } from '../stacktrace.js';
import { kaddr_hex, mem_size, PAGE_SHIFT } from './layout.js';

// Shadow values of mm/kasan/kasan.h.
export const KASAN_PAGE_FREE = 0xff;
export const KASAN_PAGE_REDZONE = 0xfe;
export const KASAN_SLAB_REDZONE = 0xfc;
export const KASAN_SLAB_FREE = 0xfb;
export const KASAN_SLAB_FREE_META = 0xfa;
export const KASAN_VMALLOC_INVALID = 0xf8;
export const KASAN_GRANULE_SIZE = 8;

/** The shadow: byte `i` describes physical bytes `8i .. 8i+7`. */
export let kasan_shadow = new Uint8Array(0);
/** The shadow as 32-bit words, to skip clean stretches four granules at a time. */
let kasan_shadow32 = new Uint32Array(0);

/** An allocation or free: who did it and the stack it came from. */
export interface kasan_track {
  readonly pid: number;
  readonly stack: StackCapture | undefined;
}

/**
 * The allocation and free tracks of one slab or large-kmalloc object, kept
 * only with `kasan.stacktrace=on` (the requested size is read back from the
 * shadow, as `kasan_get_alloc_size` does).
 */
interface object_meta {
  alloc: kasan_track;
  free: kasan_track | undefined;
}

/** How the slab allocator lets KASAN describe and finally free an object. */
export interface kasan_slab_ops {
  /** The object containing physical address `p`: its start, cache name and object size. */
  object_of(p: number): { start: number; cache: string; object_size: number } | undefined;
  /** Puts a quarantined object back on its cache's freelist. */
  release(p: number): void;
}

const kasan = {
  enabled: false,
  stacktrace: true,
  reports: 0,
  meta: new Map<number, object_meta>(),
  /** A ring of quarantined objects: physical addresses and object sizes. */
  q_addr: new Int32Array(1024),
  q_size: new Int32Array(1024),
  q_head: 0,
  q_len: 0,
  quarantine_bytes: 0,
  ops: undefined as kasan_slab_ops | undefined,
  rebuild: undefined as (() => void) | undefined,
};

/** Whether KASAN is checking accesses. */
export function kasan_enabled(): boolean {
  return kasan.enabled;
}

/** Called by the slab allocator at boot: how to describe and release objects. */
export function kasan_register_slab(ops: kasan_slab_ops, rebuild: () => void): void {
  kasan.ops = ops;
  kasan.rebuild = rebuild;
}

/**
 * Switches KASAN on (`kasan=on`), rebuilding the shadow from the allocators'
 * state. `stacktrace: false` is `kasan.stacktrace=off`: no allocation and free
 * stacks are recorded, which makes allocation much cheaper.
 */
export function kasan_enable(options: { stacktrace?: boolean } = {}): void {
  kasan.stacktrace = options.stacktrace ?? true;
  if (kasan.enabled) return;
  kasan.enabled = true;
  kasan.meta.clear();
  kasan_shadow.fill(KASAN_PAGE_FREE);
  kasan.rebuild?.();
}

/** Switches KASAN off, releasing every quarantined object. */
export function kasan_disable(): void {
  if (!kasan.enabled) return;
  kasan_quarantine_drain();
  kasan.enabled = false;
  kasan.meta.clear();
}

/** How many KASAN reports were printed since boot. */
export function kasan_report_count(): number {
  return kasan.reports;
}

/** Resets KASAN for a freshly booted memory of the current size; off. */
export function kasan_init(): void {
  kasan_shadow = new Uint8Array(mem_size >>> 3);
  kasan_shadow32 = new Uint32Array(kasan_shadow.buffer);
  kasan.enabled = false;
  kasan.stacktrace = true;
  kasan.reports = 0;
  kasan.meta.clear();
  kasan.q_addr = new Int32Array(1024);
  kasan.q_size = new Int32Array(1024);
  kasan.q_head = 0;
  kasan.q_len = 0;
  kasan.quarantine_bytes = 0;
}

/** Marks `[p, p+size)` accessible; a partial last granule records its length. */
export function kasan_unpoison(p: number, size: number): void {
  const g = p >>> 3;
  const full = size >>> 3;
  kasan_shadow.fill(0, g, g + full);
  if (size & 7) kasan_shadow[g + full] = size & 7;
}

/** Marks `[p, p+size)` (granule-aligned) inaccessible with `value`. */
export function kasan_poison(p: number, size: number, value: number): void {
  kasan_shadow.fill(value, p >>> 3, (p + size + 7) >>> 3);
}

/** The first inaccessible byte of `[p, p+size)`, or -1 when all are accessible. */
function first_bad(p: number, size: number): number {
  const end = p + size;
  for (let b = p; b < end; ) {
    // Long ranges: four clean granules (32 bytes) per 32-bit shadow word.
    if ((b & 31) === 0 && end - b >= 32 && kasan_shadow32[b >>> 5] === 0) {
      b += 32;
      continue;
    }
    const s = kasan_shadow[b >>> 3]!;
    if (s === 0) {
      b = (b | 7) + 1;
      continue;
    }
    if (s < KASAN_GRANULE_SIZE && (b & 7) < s) {
      b += 1;
      continue;
    }
    return b;
  }
  return -1;
}

/**
 * Checks an access of `size` bytes at physical `p` (kernel address `addr`);
 * reports it if bad. `ip` is the accessor, so the report starts at its caller.
 */
export function kasan_check(
  p: number,
  size: number,
  write: boolean,
  addr: number,
  // biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
  ip: Function,
): void {
  const s = kasan_shadow[p >>> 3]!;
  if (s === 0 && (p & 7) + size <= 8) return;
  const bad = first_bad(p, size);
  if (bad < 0) return;
  kasan_report_access(bad, addr + (bad - p), size, write, addr, ip);
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

function dump_stack_err(capture: StackCapture): void {
  const { pid, comm } = current_task_info();
  pr_err('CPU: 0 UID: 0 PID: %d Comm: %s %s\n', pid, comm, tainted_line());
  pr_err('Hardware name: rfl-ts simulated machine\n');
  pr_err('Call Trace:\n');
  pr_err(' <TASK>\n');
  for (const line of stack_lines(capture)) pr_err('%s\n', line);
  pr_err(' </TASK>\n');
}

function tainted_line(): string {
  return `${print_tainted()} ${UTS_RELEASE} #1`;
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
function describe_object(bad_p: number, bad_addr: number): void {
  let obj = kasan.ops?.object_of(bad_p);
  if (!obj) return;
  // Slots have no redzone of their own: an overflow lands in the next slot.
  // When that slot holds no object, blame the object to its left, which is
  // what the kernel's per-object redzone would have shown.
  if (kasan_shadow[obj.start >>> 3] === KASAN_SLAB_REDZONE && obj.start > 0) {
    const prev = kasan.ops?.object_of(obj.start - 1);
    if (prev && prev.cache === obj.cache && is_live(prev.start)) obj = prev;
  }
  const meta = kasan.meta.get(obj.start);
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
  kasan.reports += 1;
  pr_err('==================================================================\n');
}

function end_report(): void {
  pr_err('==================================================================\n');
  add_taint(TAINT_BAD_PAGE);
}

function kasan_report_access(
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
  dump_stack_err(capture);
  pr_err('\n');
  describe_object(bad_p, bad_addr);
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
export function kasan_report_invalid_free(
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
  dump_stack_err(capture);
  pr_err('\n');
  describe_object(p, addr);
  print_physical_page(p);
  end_report();
}

// biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
function track(caller: Function): kasan_track {
  return { pid: current().pid, stack: kasan.stacktrace ? stack_capture(caller) : undefined };
}

/** A new slab: all of it is redzone until objects are allocated. */
export function kasan_poison_slab(p: number, bytes: number): void {
  kasan_poison(p, bytes, KASAN_SLAB_REDZONE);
}

/** An object of `object_size` was allocated for `size` bytes by `caller`'s caller. */
export function kasan_slab_alloc(
  p: number,
  size: number,
  object_size: number,
  // biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
  caller: Function,
): void {
  kasan_poison(p, object_size, KASAN_SLAB_REDZONE);
  kasan_unpoison(p, size);
  if (kasan.stacktrace) kasan.meta.set(p, { alloc: track(caller), free: undefined });
}

/** A live object's usable size changed (krealloc in place, ksize). */
export function kasan_resize(p: number, size: number, object_size: number): void {
  kasan_poison(p, object_size, KASAN_SLAB_REDZONE);
  kasan_unpoison(p, size);
}

/**
 * An object is being freed. Returns false when the free is a double free
 * (already reported); otherwise poisons the object, records the free stack
 * and keeps it in quarantine: the slab must not reuse it yet.
 */
export function kasan_slab_free(
  p: number,
  addr: number,
  object_size: number,
  // biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
  caller: Function,
): boolean {
  const s = kasan_shadow[p >>> 3]!;
  if (s === KASAN_SLAB_FREE || s === KASAN_SLAB_FREE_META) {
    kasan_report_invalid_free(p, addr, true, caller);
    return false;
  }
  kasan_poison(p, object_size, KASAN_SLAB_FREE);
  if (kasan.stacktrace) {
    const meta = kasan.meta.get(p);
    if (meta) meta.free = track(caller);
    else kasan.meta.set(p, { alloc: { pid: 0, stack: undefined }, free: track(caller) });
  }
  quarantine_put(p, object_size);
  const budget = mem_size >>> 5;
  while (kasan.quarantine_bytes > budget) quarantine_evict_one();
  return true;
}

function quarantine_put(p: number, size: number): void {
  let cap = kasan.q_addr.length;
  if (kasan.q_len === cap) {
    const addr = new Int32Array(cap * 2);
    const sizes = new Int32Array(cap * 2);
    for (let i = 0; i < kasan.q_len; i++) {
      addr[i] = kasan.q_addr[(kasan.q_head + i) % cap]!;
      sizes[i] = kasan.q_size[(kasan.q_head + i) % cap]!;
    }
    kasan.q_addr = addr;
    kasan.q_size = sizes;
    kasan.q_head = 0;
    cap *= 2;
  }
  const tail = (kasan.q_head + kasan.q_len) % cap;
  kasan.q_addr[tail] = p;
  kasan.q_size[tail] = size;
  kasan.q_len += 1;
  kasan.quarantine_bytes += size;
}

function quarantine_evict_one(): void {
  const p = kasan.q_addr[kasan.q_head]!;
  kasan.quarantine_bytes -= kasan.q_size[kasan.q_head]!;
  kasan.q_head = (kasan.q_head + 1) % kasan.q_addr.length;
  kasan.q_len -= 1;
  if (kasan.stacktrace) kasan.meta.delete(p);
  kasan.ops?.release(p);
}

/** Releases every quarantined object to its cache; returns how many. */
export function kasan_quarantine_drain(): number {
  const n = kasan.q_len;
  while (kasan.q_len > 0) quarantine_evict_one();
  return n;
}

/** Pages handed out by the buddy allocator are accessible. */
export function kasan_alloc_pages(p: number, bytes: number): void {
  kasan_shadow.fill(0, p >>> 3, (p + bytes) >>> 3);
}

/** Pages returned to the buddy allocator are poisoned as free pages. */
export function kasan_free_pages(p: number, bytes: number): void {
  kasan_shadow.fill(KASAN_PAGE_FREE, p >>> 3, (p + bytes) >>> 3);
}

/** A large kmalloc: `size` bytes usable, the rest of its pages redzone. */
export function kasan_kmalloc_large(
  p: number,
  size: number,
  bytes: number,
  // biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
  caller: Function,
): void {
  kasan_poison(p, bytes, KASAN_PAGE_REDZONE);
  kasan_unpoison(p, size);
  if (kasan.stacktrace) kasan.meta.set(p, { alloc: track(caller), free: undefined });
}

/** A large kmalloc was freed (its pages go back to the buddy allocator). */
export function kasan_kfree_large(p: number): void {
  kasan.meta.delete(p);
}
