import { beforeEach, describe, expect, it } from 'vitest';
import { Oops, panic_reset } from '../panic.js';
import { dmesg_records, printk_reset } from '../printk.js';
import {
  memcmp,
  memcpy,
  memcpy_from_js,
  memcpy_to_js,
  memmove,
  memset,
  read_ptr,
  readb,
  readl,
  readq,
  readw,
  write_ptr,
  writeb,
  writel,
  writeq,
  writew,
} from './access.js';
import { GFP_KERNEL } from './gfp.js';
import { mm_init } from './init.js';
import { kfree, kmalloc, ZERO_SIZE_PTR } from './kmalloc.js';
import { kaddr_hex, PAGE_SIZE } from './layout.js';
import { __get_free_pages, free_page } from './page_alloc.js';
import { vfree, vmalloc, vmalloc_to_page } from './vmalloc.js';

const log = () => dmesg_records().map((r) => r.text);

beforeEach(() => {
  mm_init({ quiet: true });
  printk_reset();
  panic_reset();
});

describe('accessors', () => {
  it('store little-endian values of each width', () => {
    const p = kmalloc(16, GFP_KERNEL);
    writeq(0x0123456789abcdefn, p);
    expect(Array.from(memcpy_to_js(p, 8))).toEqual([
      0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01,
    ]);
    expect(readw(p)).toBe(0xcdef);
    expect(readl(p + 4)).toBe(0x01234567);
    expect(readq(p)).toBe(0x0123456789abcdefn);
    writew(0x1234, p + 8);
    writeb(0x1ff, p + 10);
    writel(-1, p + 12);
    expect(Array.from(memcpy_to_js(p + 8, 8))).toEqual([
      0x34, 0x12, 0xff, 0, 0xff, 0xff, 0xff, 0xff,
    ]);
    write_ptr(p, p + 8);
    expect(read_ptr(p + 8)).toBe(p);
  });

  it('copy, move, fill and compare ranges', () => {
    const a = kmalloc(32, GFP_KERNEL);
    const b = kmalloc(32, GFP_KERNEL);
    memcpy_from_js(a, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    memcpy(b, a, 8);
    expect(memcmp(a, b, 8)).toBe(0);
    memmove(a + 2, a, 6);
    expect(Array.from(memcpy_to_js(a, 8))).toEqual([1, 2, 1, 2, 3, 4, 5, 6]);
    expect(memcmp(a, b, 8)).toBeLessThan(0);
    memset(b, 0x5a, 32);
    expect(readl(b + 28)).toBe(0x5a5a5a5a);
  });

  it('turn a NULL or ZERO_SIZE_PTR dereference into an Oops', () => {
    expect(() => readl(0)).toThrow(Oops);
    expect(log()[0]).toBe('BUG: kernel NULL pointer dereference, address: 0000000000000000');
    expect(log()[1]).toBe('#PF: supervisor read access in kernel mode');
    expect(log()[2]).toBe('#PF: error_code(0x0000) - not-present page');
    expect(log()[3]).toBe('Oops: 0000 [#1] PREEMPT SMP NOPTI');
    printk_reset();
    expect(() => writeb(1, ZERO_SIZE_PTR)).toThrow(Oops);
    expect(log()[0]).toBe('BUG: kernel NULL pointer dereference, address: 0000000000000010');
    expect(log()[1]).toBe('#PF: supervisor write access in kernel mode');
    expect(log()[3]).toBe('Oops: 0002 [#2] PREEMPT SMP NOPTI');
  });
});

describe('vmalloc', () => {
  it('maps separate pages contiguously and faults on the guard page', () => {
    // Leave only every other page free, so no two free pages are adjacent.
    const pages = Array.from({ length: 8 }, () => __get_free_pages(GFP_KERNEL, 0));
    pages.forEach((p, i) => {
      if (i % 2 === 0) free_page(p);
    });
    const v = vmalloc(2 * PAGE_SIZE);
    expect(vmalloc_to_page(v + PAGE_SIZE)).not.toBe(vmalloc_to_page(v) + 64);
    writel(0xa1b2c3d4, v + PAGE_SIZE - 2);
    expect(readl(v + PAGE_SIZE - 2)).toBe(0xa1b2c3d4);
    memset(v, 7, 2 * PAGE_SIZE);
    expect(readb(v + 2 * PAGE_SIZE - 1)).toBe(7);
    expect(() => readb(v + 2 * PAGE_SIZE)).toThrow(Oops);
    expect(log()[0]).toBe(
      `BUG: unable to handle page fault for address: ${kaddr_hex(v + 2 * PAGE_SIZE)}`,
    );
    vfree(v);
  });

  it('warns on vfree of something that is not a vmalloc area', () => {
    const v = vmalloc(100);
    vfree(v);
    vfree(v);
    expect(log()).toContain(`Trying to vfree() nonexistent vm area (${kaddr_hex(v)})`);
    kfree(0);
  });
});
