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
 * KASAN exists only with `CONFIG_KASAN` (see `kconfig.ts`): without it
 * {@link kasan_enable} does nothing, and switching the symbol off switches KASAN off.
 * KASAN can be switched on and off at runtime ({@link kasan_enable}); turning
 * it on rebuilds the shadow from the allocators' state, so objects allocated
 * before have no allocation stack. The simulation reports every bug, as with
 * `kasan_multi_shot` (the kernel reports only the first by default).
 *
 * @module
 */

import { kconfig_watch } from '../kconfig.js';
import { current } from '../sched/task.js';
import { type StackCapture, stack_capture } from '../stacktrace.js';
import {
  kasan_report_access,
  kasan_report_bad_free,
  kasan_reports_printed,
  kasan_reports_reset,
} from './kasan-report.js';
import { mem_size } from './layout.js';

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
  meta: new Map<number, object_meta>(),
  /** A ring of quarantined objects: physical addresses and object sizes. */
  q_addr: new Int32Array(1024),
  q_size: new Int32Array(1024),
  q_head: 0,
  q_len: 0,
  quarantine_bytes: 0,
  ops: undefined as kasan_slab_ops | undefined,
  rebuild: undefined as (() => void) | undefined,
  /** CONFIG_KASAN: without it `kasan=on` has nothing to switch on. */
  configured: true,
};

kconfig_watch('CONFIG_KASAN', (on) => {
  kasan.configured = on;
  if (!on) kasan_disable();
});

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
  if (!kasan.configured) return;
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
  return kasan_reports_printed();
}

/** Resets KASAN for a freshly booted memory of the current size; off. */
export function kasan_init(): void {
  kasan_shadow = new Uint8Array(mem_size >>> 3);
  kasan_shadow32 = new Uint32Array(kasan_shadow.buffer);
  kasan.enabled = false;
  kasan.stacktrace = true;
  kasan_reports_reset();
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
 * reports it and returns false if bad. `ip` is the accessor, so the report
 * starts at its caller.
 */
export function kasan_check(
  p: number,
  size: number,
  write: boolean,
  addr: number,
  // biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
  ip: Function,
): boolean {
  const s = kasan_shadow[p >>> 3]!;
  if (s === 0 && (p & 7) + size <= 8) return true;
  const bad = first_bad(p, size);
  if (bad < 0) return true;
  kasan_report_access(kasan, bad, addr + (bad - p), size, write, addr, ip);
  return false;
}

/**
 * Reports `double-free` or `invalid-free` for a kfree of physical `p`
 * (address `addr`); `ip` is the freeing function.
 */
export function kasan_report_invalid_free(
  p: number,
  addr: number,
  double_free: boolean,
  // biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
  ip: Function,
): void {
  kasan_report_bad_free(kasan, p, addr, double_free, ip);
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
