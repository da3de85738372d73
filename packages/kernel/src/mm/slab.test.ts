import { beforeEach, describe, expect, it } from 'vitest';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_records, printk_reset } from '../printk.js';
import { memcpy_from_js, memcpy_to_js, readb, readl, writel } from './access.js';
import { __GFP_NOWARN, GFP_KERNEL } from './gfp.js';
import { mm_init } from './init.js';
import {
  KMALLOC_MAX_SIZE,
  kcalloc,
  kfree,
  kfree_sensitive,
  kmalloc,
  kmalloc_array,
  kmemdup,
  krealloc,
  ksize,
  kzalloc,
  ZERO_SIZE_PTR,
} from './kmalloc.js';
import { PAGE_OFFSET } from './layout.js';
import { nr_free_pages } from './page_alloc.js';
import {
  find_kmem_cache,
  kmem_cache_alloc,
  kmem_cache_create,
  kmem_cache_destroy,
  kmem_cache_free,
  kmem_cache_shrink,
  SLAB_HWCACHE_ALIGN,
  slab_sysfs_attrs,
} from './slab.js';

const log = () => dmesg_records().map((r) => r.text);

beforeEach(() => {
  mm_init({ quiet: true });
  printk_reset();
  panic_reset();
});

describe('kmalloc', () => {
  it('rounds sizes up to the kmalloc caches, 96 and 192 included', () => {
    const sizes = [1, 8, 9, 33, 65, 96, 97, 129, 193, 257, 1025, 4097, 8192];
    const got = sizes.map((n) => {
      const p = kmalloc(n, GFP_KERNEL);
      const k = ksize(p);
      kfree(p);
      return k;
    });
    expect(got).toEqual([8, 8, 16, 64, 96, 96, 128, 192, 256, 512, 2048, 8192, 8192]);
  });

  it('returns ZERO_SIZE_PTR for 0 bytes and ignores it and NULL in kfree', () => {
    expect(kmalloc(0, GFP_KERNEL)).toBe(ZERO_SIZE_PTR);
    kfree(ZERO_SIZE_PTR);
    kfree(0);
    expect(dmesg()).toBe('');
  });

  it('serves sizes above 8 KiB from pages, up to KMALLOC_MAX_SIZE', () => {
    const free = nr_free_pages();
    const p = kmalloc(8193, GFP_KERNEL);
    expect(ksize(p)).toBe(16384);
    expect(nr_free_pages()).toBe(free - 4);
    kfree(p);
    expect(nr_free_pages()).toBe(free);
    const max = kmalloc(KMALLOC_MAX_SIZE, GFP_KERNEL);
    expect(max).not.toBe(0);
    kfree(max);
    expect(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL)).toBe(0);
    expect(dmesg()).toContain('WARNING:');
    expect(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN)).toBe(0);
  });

  it('reuses the most recently freed object first, like a per-CPU freelist', () => {
    const a = kmalloc(64, GFP_KERNEL);
    kfree(a);
    expect(kmalloc(64, GFP_KERNEL)).toBe(a);
  });

  it('zeroes kzalloc memory, not kmalloc memory', () => {
    const a = kmalloc(32, GFP_KERNEL);
    writel(0xffffffff, a);
    kfree(a);
    const b = kmalloc(32, GFP_KERNEL);
    expect(readl(b)).toBe(0xffffffff);
    kfree(b);
    const c = kzalloc(32, GFP_KERNEL);
    expect(readl(c)).toBe(0);
  });

  it('checks kmalloc_array for overflow and zeroes kcalloc', () => {
    expect(kmalloc_array(2 ** 40, 2 ** 20, GFP_KERNEL)).toBe(0);
    const p = kcalloc(4, 8, GFP_KERNEL);
    expect(Array.from(memcpy_to_js(p, 32))).toEqual(new Array(32).fill(0));
  });
});

describe('krealloc', () => {
  it('grows in place within ksize and moves beyond it, keeping the bytes', () => {
    const p = kmalloc(40, GFP_KERNEL);
    memcpy_from_js(p, new Uint8Array([1, 2, 3, 4]));
    expect(krealloc(p, 64, GFP_KERNEL)).toBe(p);
    const q = krealloc(p, 200, GFP_KERNEL);
    expect(q).not.toBe(p);
    expect(ksize(q)).toBe(256);
    expect(Array.from(memcpy_to_js(q, 4))).toEqual([1, 2, 3, 4]);
    expect(krealloc(q, 0, GFP_KERNEL)).toBe(ZERO_SIZE_PTR);
    expect(find_kmem_cache('kmalloc-256')!.inuse).toBe(0);
  });

  it('allocates for NULL', () => {
    const p = krealloc(0, 10, GFP_KERNEL);
    expect(ksize(p)).toBe(16);
  });
});

describe('kmem_cache', () => {
  it('runs the constructor for every object of a new slab', () => {
    const s = kmem_cache_create('fox_cache', 24, 0, 0, (addr) => writel(0xf0c5, addr));
    const p = kmem_cache_alloc(s, GFP_KERNEL);
    expect(readl(p)).toBe(0xf0c5);
    expect(readl(p + 24)).toBe(0xf0c5);
    kmem_cache_free(s, p);
    kmem_cache_destroy(s);
  });

  it('exposes SLUB sysfs attributes', () => {
    const s = kmem_cache_create('fox_cache', 100, 0, SLAB_HWCACHE_ALIGN);
    const objs = [0, 1, 2].map(() => kmem_cache_alloc(s, GFP_KERNEL));
    const attrs = slab_sysfs_attrs(s);
    expect(attrs.object_size).toBe('100\n');
    expect(attrs.slab_size).toBe('128\n');
    expect(attrs.align).toBe('64\n');
    expect(attrs.order).toBe('0\n');
    expect(attrs.objs_per_slab).toBe('32\n');
    expect(attrs.objects).toBe('3\n');
    expect(attrs.total_objects).toBe('32\n');
    expect(attrs.slabs).toBe('1\n');
    expect(attrs.partial).toBe('1\n');
    expect(attrs.alloc_slab).toBe('1\n');
    for (const o of objs) kmem_cache_free(s, o);
    expect(slab_sysfs_attrs(s).objects).toBe('0\n');
    expect(kmem_cache_shrink(s)).toBe(1);
    expect(slab_sysfs_attrs(s).slabs).toBe('0\n');
  });

  it('uses order-3 slabs for the big kmalloc caches', () => {
    expect(slab_sysfs_attrs(find_kmem_cache('kmalloc-8k')!).order).toBe('3\n');
    expect(slab_sysfs_attrs(find_kmem_cache('kmalloc-8k')!).objs_per_slab).toBe('4\n');
    expect(slab_sysfs_attrs(find_kmem_cache('kmalloc-8')!).objs_per_slab).toBe('512\n');
  });

  it('warns when destroyed with objects left, and keeps the cache', () => {
    const s = kmem_cache_create('leaky', 32, 0, 0);
    kmem_cache_alloc(s, GFP_KERNEL);
    kmem_cache_destroy(s);
    expect(log()).toContain(
      'kmem_cache_destroy leaky: Slab cache still has objects when called from kmem_cache_destroy',
    );
    expect(find_kmem_cache('leaky')).toBe(s);
  });

  it('warns when an object is freed to the wrong cache', () => {
    const s = kmem_cache_create('foxes', 32, 0, 0);
    const p = kmalloc(32, GFP_KERNEL);
    kmem_cache_free(s, p);
    expect(log()).toContain(
      'kmem_cache_free: Wrong slab cache. foxes but object is from kmalloc-32',
    );
  });

  it('warns about kfree of a pointer that is not an object', () => {
    const p = kmalloc(64, GFP_KERNEL);
    kfree(p + 8);
    kfree(PAGE_OFFSET - 4096);
    expect(log().filter((l) => l.startsWith('kfree: invalid pointer'))).toEqual([
      `kfree: invalid pointer ffff${(p + 8).toString(16)}`,
      'kfree: invalid pointer ffff887ffffff000',
    ]);
    expect(readb(p)).toBeTypeOf('number');
  });
});

describe('kmemdup and kfree_sensitive', () => {
  it('copies through memcpy and zeroes before freeing', () => {
    const secret = kmalloc(16, GFP_KERNEL);
    memcpy_from_js(secret, new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    const copy = kmemdup(secret, 4, GFP_KERNEL);
    expect(Array.from(memcpy_to_js(copy, 4))).toEqual([0xde, 0xad, 0xbe, 0xef]);
    kfree_sensitive(secret);
    // Detectors are off, so the freed object can be read back: it was wiped.
    expect(readl(secret)).toBe(0);
    expect(kmalloc(16, GFP_KERNEL)).toBe(secret);
    kfree_sensitive(0);
  });
});

describe('without KASAN', () => {
  it('hands a double-freed object out twice, as an unchecked kernel does', () => {
    // A full slab of 8-byte objects: the freelist is exactly as long as the slab.
    const s = kmem_cache_create('twice', 8, 0, 0);
    const objs = Array.from({ length: 512 }, () => kmem_cache_alloc(s, GFP_KERNEL));
    expect(slab_sysfs_attrs(s).slabs).toBe('1\n');
    const victim = objs[3]!;
    for (const o of objs) kmem_cache_free(s, o);
    kmem_cache_free(s, victim);
    const again = Array.from({ length: 513 }, () => kmem_cache_alloc(s, GFP_KERNEL));
    expect(again.filter((o) => o === victim)).toHaveLength(2);
    expect(again.every((o) => Number.isSafeInteger(o) && o > 0)).toBe(true);
    expect(dmesg()).toBe('');
  });
});
