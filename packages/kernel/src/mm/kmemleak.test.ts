import { beforeEach, describe, expect, it } from 'vitest';
import { EINVAL, EPERM } from '../errno.js';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_records, printk_reset } from '../printk.js';
import { memcpy_from_js, write_ptr } from './access.js';
import { GFP_KERNEL } from './gfp.js';
import { mm_init } from './init.js';
import { kfree, kmalloc, kzalloc } from './kmalloc.js';
import {
  kmemleak_clear,
  kmemleak_not_leak,
  kmemleak_object_count,
  kmemleak_report,
  kmemleak_scan,
  kmemleak_write,
} from './kmemleak.js';
import { kaddr_hex } from './layout.js';
import { vfree, vmalloc } from './vmalloc.js';

beforeEach(() => {
  mm_init({ quiet: true, kmemleak: true });
  printk_reset();
  panic_reset();
});

function probe_foxes(): number {
  const p = kmalloc(40, GFP_KERNEL);
  memcpy_from_js(p, new TextEncoder().encode('fox den: three cubs, one vixen!!'));
  return p;
}

describe('kmemleak', () => {
  it('reports an object nothing points to, with the kernel report shape', () => {
    const p = probe_foxes();
    expect(kmemleak_scan()).toBe(1);
    expect(dmesg_records().map((r) => r.text)).toEqual([
      'kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)',
    ]);
    const lines = kmemleak_report().split('\n');
    expect(lines[0]).toBe(`unreferenced object 0x${kaddr_hex(p)} (size 40):`);
    expect(lines[1]).toMatch(/^ {2}comm "swapper\/0", pid 1, jiffies \d+$/);
    expect(lines[2]).toBe('  hex dump (first 32 bytes):');
    expect(lines[3]).toBe('    66 6f 78 20 64 65 6e 3a 20 74 68 72 65 65 20 63  fox den: three c');
    expect(lines[4]).toBe('    75 62 73 2c 20 6f 6e 65 20 76 69 78 65 6e 21 21  ubs, one vixen!!');
    expect(lines[5]).toMatch(/^ {2}backtrace \(crc [0-9a-f]+\):$/);
    expect(lines[6]).toMatch(/^ {4}probe_foxes packages\/kernel\/src\/mm\/kmemleak\.test\.ts:\d+$/);
  });

  it('follows pointers stored in memory from a root', () => {
    const root = kzalloc(16, GFP_KERNEL);
    kmemleak_not_leak(root);
    const child = kzalloc(64, GFP_KERNEL);
    const grandchild = kzalloc(8, GFP_KERNEL);
    write_ptr(child, root);
    write_ptr(grandchild + 4, child + 56);
    expect(kmemleak_scan()).toBe(0);
    write_ptr(0, root);
    expect(kmemleak_scan()).toBe(2);
    expect(kmemleak_report()).toContain(`unreferenced object 0x${kaddr_hex(child)} (size 64):`);
    expect(kmemleak_report()).toContain(`unreferenced object 0x${kaddr_hex(grandchild)} (size 8):`);
  });

  it('reports a leak once, and forgets it when freed', () => {
    const p = kmalloc(8, GFP_KERNEL);
    expect(kmemleak_scan()).toBe(1);
    expect(kmemleak_scan()).toBe(0);
    kfree(p);
    expect(kmemleak_report()).toBe('');
    expect(kmemleak_object_count()).toBe(0);
  });

  it('treats addresses passed to the scan as roots and clears on request', () => {
    const p = kmalloc(8, GFP_KERNEL);
    expect(kmemleak_scan([p])).toBe(0);
    kmalloc(8, GFP_KERNEL);
    expect(kmemleak_scan([p])).toBe(1);
    kmemleak_clear();
    expect(kmemleak_report()).toBe('');
  });

  it('tracks vmalloc areas and large kmallocs', () => {
    const v = vmalloc(10000);
    const big = kmalloc(100000, GFP_KERNEL);
    expect(kmemleak_scan()).toBe(2);
    expect(kmemleak_report()).toContain(`unreferenced object 0x${kaddr_hex(v)} (size 10000):`);
    vfree(v);
    kfree(big);
    expect(kmemleak_object_count()).toBe(0);
  });

  it('prints the leaks to dmesg with kmemleak.verbose', () => {
    mm_init({ quiet: true, kmemleak: true, kmemleak_verbose: true });
    const p = kmalloc(8, GFP_KERNEL);
    kmemleak_scan();
    expect(dmesg()).toContain(`] unreferenced object 0x${kaddr_hex(p)} (size 8):`);
  });
});

describe('/sys/kernel/debug/kmemleak', () => {
  it('takes scan, clear and off', () => {
    kmalloc(8, GFP_KERNEL);
    expect(kmemleak_write('scan\n')).toBe(0);
    expect(kmemleak_report()).toContain('(size 8):');
    expect(kmemleak_write('clear')).toBe(0);
    expect(kmemleak_report()).toBe('');
    expect(kmemleak_write('stack=off')).toBe(-EINVAL);
    expect(kmemleak_write('off')).toBe(0);
    expect(kmemleak_write('scan')).toBe(-EPERM);
  });
});
