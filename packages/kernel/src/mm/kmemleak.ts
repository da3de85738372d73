/**
 * kmemleak (`mm/kmemleak.c`): a tracing garbage collector's mark phase over
 * kernel memory. Every allocation is recorded with its size and backtrace; a
 * scan marks as referenced every object whose address (or an address inside
 * it) is stored, as an 8-byte word, in a referenced object, starting from the
 * roots. Objects left unmarked are reported, once each, as
 * `unreferenced object 0x... (size N)` with the allocation backtrace.
 *
 * Roots are objects marked with {@link kmemleak_not_leak} (the simulation's
 * stand-in for the kernel's data sections and task stacks) and the addresses
 * passed to {@link kmemleak_scan}. A pointer held only in a JavaScript variable
 * is invisible to the scan, as a pointer held only in a CPU register is to the
 * kernel's. The kernel also waits until an object is 5 seconds old before
 * reporting it; the simulation reports it at the first scan.
 *
 * A scan runs on demand ({@link kmemleak_scan}, `echo scan >
 * /sys/kernel/debug/kmemleak`) and when a module is unloaded.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, dmesg, kmalloc, kmemleak_enable, kmemleak_report, kmemleak_scan, mm_init } from '@rfl/kernel';
 * # mm_init({ quiet: true });
 * kmemleak_enable();
 * kmalloc(48, GFP_KERNEL); // the address is dropped: a leak
 * kmemleak_scan() // => 1
 * dmesg().includes('kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)') // => true
 * kmemleak_report().startsWith('unreferenced object 0xffff8880') // => true
 * kmemleak_report().includes('(size 48):') // => true
 * # mm_init({ quiet: true });
 * ```
 *
 * @module
 */

import { crc32 } from 'node:zlib';
import { EINVAL, EPERM } from '../errno.js';
import { kconfig_watch } from '../kconfig.js';
import { pr_info, pr_warn } from '../printk.js';
import { current } from '../sched/task.js';
import { type StackCapture, stack_capture, stack_lines } from '../stacktrace.js';
import { jiffies } from '../time/jiffies.js';
import { kaddr_hex } from './layout.js';
import { raw_read_bytes } from './raw.js';

/** `struct kmemleak_object`. */
interface kmemleak_object {
  readonly pointer: number;
  size: number;
  readonly pid: number;
  readonly comm: string;
  readonly jiffies: number;
  readonly trace: StackCapture;
  /** OBJECT_REPORTED: already reported as a leak. */
  reported: boolean;
  /** kmemleak_not_leak: a root, never reported. */
  not_leak: boolean;
  /** kmemleak_ignore: neither scanned nor reported. */
  ignore: boolean;
}

const state = {
  enabled: false,
  verbose: false,
  objects: new Map<number, kmemleak_object>(),
  /** CONFIG_DEBUG_KMEMLEAK: without it `kmemleak=on` has nothing to switch on. */
  configured: true,
};

kconfig_watch('CONFIG_DEBUG_KMEMLEAK', (on) => {
  state.configured = on;
  if (!on) kmemleak_disable();
});

/** Whether allocations are being tracked. */
export function kmemleak_enabled(): boolean {
  return state.enabled;
}

/**
 * Starts tracking allocations (objects allocated before are unknown to it);
 * does nothing without `CONFIG_DEBUG_KMEMLEAK`.
 * `verbose` is the `kmemleak.verbose` parameter: leaks found by a scan are
 * also printed to dmesg, not only listed in {@link kmemleak_report}.
 */
export function kmemleak_enable(options: { verbose?: boolean } = {}): void {
  if (!state.configured) return;
  state.enabled = true;
  state.verbose = options.verbose ?? false;
}

/** Stops tracking and forgets every object (`echo off`). */
export function kmemleak_disable(): void {
  state.enabled = false;
  state.objects.clear();
}

/** Forgets everything and switches off; for a reboot. */
export function kmemleak_init(): void {
  kmemleak_disable();
  state.verbose = false;
}

/** Records an allocation; `caller` is the allocator's entry point. */
export function kmemleak_alloc(
  pointer: number,
  size: number,
  // biome-ignore lint/complexity/noBannedTypes: a function reference cuts the stack.
  caller: Function,
): void {
  const task = current();
  state.objects.set(pointer, {
    pointer,
    size,
    pid: task.pid,
    comm: task.comm,
    jiffies: jiffies(),
    trace: stack_capture(caller),
    reported: false,
    not_leak: false,
    ignore: false,
  });
}

/** Records a free. Objects kmemleak never saw are ignored. */
export function kmemleak_free(pointer: number): void {
  state.objects.delete(pointer);
}

/** The object's size changed (krealloc in place). */
export function kmemleak_update_size(pointer: number, size: number): void {
  const o = state.objects.get(pointer);
  if (o) o.size = size;
}

/** Marks an object as referenced from outside kernel memory: a root. */
export function kmemleak_not_leak(pointer: number): void {
  const o = state.objects.get(pointer);
  if (o) o.not_leak = true;
}

/** Neither scans nor reports this object (it holds no pointers and is not a leak). */
export function kmemleak_ignore(pointer: number): void {
  const o = state.objects.get(pointer);
  if (o) o.ignore = true;
}

/** How many allocated objects kmemleak tracks. */
export function kmemleak_object_count(): number {
  return state.objects.size;
}

/**
 * Scans memory and reports new leaks: prints `kmemleak: N new suspected
 * memory leaks` and returns N. `roots` are extra addresses to treat as
 * referenced (pointers the caller keeps in JavaScript).
 */
export function kmemleak_scan(roots: Iterable<number> = []): number {
  if (!state.enabled) return 0;
  const objs = [...state.objects.values()].sort((a, b) => a.pointer - b.pointer);
  const starts = objs.map((o) => o.pointer);
  const marked = new Uint8Array(objs.length);
  const gray: number[] = [];
  const lookup = (value: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= value) lo = mid + 1;
      else hi = mid - 1;
    }
    const o = objs[hi];
    return o && value < o.pointer + Math.max(o.size, 1) ? hi : -1;
  };
  const mark = (i: number) => {
    if (i >= 0 && !marked[i]) {
      marked[i] = 1;
      gray.push(i);
    }
  };
  objs.forEach((o, i) => {
    if (o.not_leak || o.ignore) mark(i);
  });
  for (const r of roots) mark(lookup(r));
  while (gray.length) {
    const o = objs[gray.pop()!]!;
    if (o.ignore) continue;
    const bytes = raw_read_bytes(o.pointer, o.size);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let off = 0; off + 8 <= bytes.length; off += 8) {
      const value = view.getUint32(off, true) + view.getUint32(off + 4, true) * 2 ** 32;
      if (value !== 0) mark(lookup(value));
    }
  }
  let leaks = 0;
  objs.forEach((o, i) => {
    if (marked[i] || o.reported) return;
    o.reported = true;
    leaks += 1;
    if (state.verbose) for (const line of print_unreferenced(o)) pr_warn('%s\n', line);
  });
  if (leaks) {
    pr_info('kmemleak: %d new suspected memory leaks (see /sys/kernel/debug/kmemleak)\n', leaks);
  }
  return leaks;
}

/** `print_unreferenced`: the lines describing one leak. */
function print_unreferenced(o: kmemleak_object): string[] {
  const len = Math.min(o.size, 32);
  const bytes = raw_read_bytes(o.pointer, len);
  const lines = [
    `unreferenced object 0x${kaddr_hex(o.pointer)} (size ${o.size}):`,
    `  comm "${o.comm}", pid ${o.pid}, jiffies ${o.jiffies}`,
    `  hex dump (first ${len} bytes):`,
  ];
  for (let row = 0; row < len; row += 16)
    lines.push(`    ${hex_dump_row(bytes.subarray(row, row + 16))}`);
  const crc = crc32(raw_read_bytes(o.pointer, o.size));
  lines.push(`  backtrace (crc ${crc.toString(16)}):`);
  for (const frame of stack_lines(o.trace)) lines.push(`   ${frame}`);
  return lines;
}

/** One row of `print_hex_dump(..., 16, 1, ..., true)`: bytes, then ASCII at column 49. */
function hex_dump_row(row: Uint8Array): string {
  const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
  const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join(
    '',
  );
  return `${hex.padEnd(49, ' ')}${ascii}`;
}

/**
 * What `cat /sys/kernel/debug/kmemleak` prints: every reported leak that is
 * still allocated.
 */
export function kmemleak_report(): string {
  let out = '';
  for (const o of state.objects.values()) {
    if (o.reported) out += `${print_unreferenced(o).join('\n')}\n`;
  }
  return out;
}

/** `echo clear`: forgets the reported leaks (they become roots). */
export function kmemleak_clear(): void {
  for (const o of state.objects.values()) {
    if (o.reported) {
      o.reported = false;
      o.not_leak = true;
    }
  }
}

/**
 * A write to `/sys/kernel/debug/kmemleak`: `scan`, `clear` or `off`.
 * Returns 0, or `-EINVAL` for another command, `-EPERM` once kmemleak is
 * off. (The kernel also takes `stack=`, `scan=` and `dump=`.)
 *
 * @example
 * ```ts
 * import { kmemleak_write, mm_init } from '@rfl/kernel';
 * mm_init({ quiet: true, kmemleak: true });
 * kmemleak_write('scan\n') // => 0
 * kmemleak_write('rescan') // => -22
 * kmemleak_write('off') // => 0
 * kmemleak_write('scan') // => -1
 * # mm_init({ quiet: true });
 * ```
 */
export function kmemleak_write(command: string): number {
  const cmd = command.trim();
  if (!state.enabled) return -EPERM;
  if (cmd === 'scan') kmemleak_scan();
  else if (cmd === 'clear') kmemleak_clear();
  else if (cmd === 'off') kmemleak_disable();
  else return -EINVAL;
  return 0;
}
