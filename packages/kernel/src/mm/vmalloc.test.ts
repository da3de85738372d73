import { beforeEach, describe, expect, it } from 'vitest';
import { panic_reset } from '../panic.js';
import { dmesg, printk_reset } from '../printk.js';
import { memcpy_from_js, memcpy_to_js, readb } from './access.js';
import { GFP_ATOMIC, GFP_KERNEL } from './gfp.js';
import { mm_init } from './init.js';
import { KMALLOC_MAX_SIZE, ZERO_SIZE_PTR } from './kmalloc.js';
import { is_vmalloc_addr, PAGE_SIZE } from './layout.js';
import { nr_free_pages } from './page_alloc.js';
import {
  kvfree,
  kvmalloc,
  kvrealloc,
  kvzalloc,
  vfree,
  vmalloc,
  vrealloc,
  vzalloc,
} from './vmalloc.js';

beforeEach(() => {
  mm_init({ quiet: true });
  printk_reset();
  panic_reset();
});

describe('vmalloc', () => {
  it('takes whole pages and gives them back', () => {
    const free = nr_free_pages();
    const v = vmalloc(PAGE_SIZE + 1);
    expect(nr_free_pages()).toBe(free - 2);
    vfree(v);
    expect(nr_free_pages()).toBe(free);
  });

  it('zeroes vzalloc memory', () => {
    const v = vzalloc(3 * PAGE_SIZE);
    expect(Array.from(memcpy_to_js(v + PAGE_SIZE - 2, 4))).toEqual([0, 0, 0, 0]);
  });

  it('grows with vrealloc, in place within its pages and by moving beyond', () => {
    const v = vmalloc(100);
    memcpy_from_js(v, new Uint8Array([9, 8, 7]));
    expect(vrealloc(v, 4000, GFP_KERNEL)).toBe(v);
    const w = vrealloc(v, 3 * PAGE_SIZE, GFP_KERNEL);
    expect(w).not.toBe(v);
    expect(Array.from(memcpy_to_js(w, 3))).toEqual([9, 8, 7]);
    vfree(w);
  });
});

describe('kvmalloc', () => {
  it('uses kmalloc for small sizes and vmalloc above KMALLOC_MAX_SIZE', () => {
    const small = kvmalloc(PAGE_SIZE, GFP_KERNEL);
    expect(is_vmalloc_addr(small)).toBe(false);
    const big = kvzalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL);
    expect(is_vmalloc_addr(big)).toBe(true);
    expect(readb(big + KMALLOC_MAX_SIZE)).toBe(0);
    kvfree(small);
    kvfree(big);
  });

  it('falls back to vmalloc when contiguous pages run out', () => {
    mm_init({ mem_size: 4 << 20, quiet: true });
    // 3 MiB needs an order-10 block, which 4 MiB minus page frame 0 lacks.
    const v = kvmalloc(3 << 20, GFP_KERNEL);
    expect(is_vmalloc_addr(v)).toBe(true);
    kvfree(v);
  });

  it('does not fall back for callers that cannot sleep', () => {
    expect(kvmalloc(KMALLOC_MAX_SIZE + 1, GFP_ATOMIC)).toBe(0);
  });
});

describe('kvrealloc', () => {
  it('keeps kmalloc memory in place when it fits and moves it to vmalloc beyond kmalloc', () => {
    const p = kvmalloc(64, GFP_KERNEL);
    memcpy_from_js(p, new Uint8Array([1, 2, 3]));
    expect(kvrealloc(p, 32, GFP_KERNEL)).toBe(p);
    const big = kvrealloc(p, KMALLOC_MAX_SIZE + 1, GFP_KERNEL);
    expect(is_vmalloc_addr(big)).toBe(true);
    expect(Array.from(memcpy_to_js(big, 3))).toEqual([1, 2, 3]);
    // Already vmalloc: vrealloc keeps the area while its pages suffice.
    expect(kvrealloc(big, KMALLOC_MAX_SIZE + 2, GFP_KERNEL)).toBe(big);
    kvfree(big);
  });

  it('leaves the old memory as it was when it cannot grow, and frees at size 0', () => {
    const p = kvmalloc(16, GFP_KERNEL);
    memcpy_from_js(p, new Uint8Array([9, 9]));
    // No sleeping allocation beyond a page: kmalloc cannot, and vmalloc may not be tried.
    expect(kvrealloc(p, KMALLOC_MAX_SIZE + 1, GFP_ATOMIC)).toBe(0);
    expect(Array.from(memcpy_to_js(p, 2))).toEqual([9, 9]);
    expect(kvrealloc(p, 0, GFP_KERNEL)).toBe(ZERO_SIZE_PTR);
    expect(dmesg()).not.toMatch(/BUG|WARNING/);
  });
});
