import { beforeEach, describe, expect, it } from 'vitest';
import { get_taint, panic_reset, TAINT_BAD_PAGE } from '../panic.js';
import { dmesg, dmesg_records, printk_reset } from '../printk.js';
import { alloc_task, release_task, run_as } from '../sched/task.js';
import { memcpy, memset, readb, readl, writeb } from './access.js';
import { GFP_KERNEL } from './gfp.js';
import { mm_init } from './init.js';
import {
  kasan_disable,
  kasan_enable,
  kasan_quarantine_drain,
  kasan_report_count,
} from './kasan.js';
import { kfree, kmalloc, krealloc, ksize } from './kmalloc.js';
import { kaddr_hex } from './layout.js';
import { __get_free_pages, free_pages } from './page_alloc.js';
import { vfree, vmalloc } from './vmalloc.js';

const log = () => dmesg_records().map((r) => r.text);
const text = () => log().join('\n');

beforeEach(() => {
  mm_init({ quiet: true, kasan: true });
  printk_reset();
  panic_reset();
});

function kmalloc_oob_right(): number {
  const p = kmalloc(123, GFP_KERNEL);
  writeb(0x79, p + 123);
  return p;
}

function allocate_fox(): number {
  return kmalloc(64, GFP_KERNEL);
}

function release_fox(p: number): void {
  kfree(p);
}

function read_fox_after_free(p: number): number {
  return readb(p + 8);
}

describe('KASAN', () => {
  it('reports slab-out-of-bounds with the access, the object and the shadow', () => {
    const p = kmalloc_oob_right();
    const lines = log();
    expect(lines[0]).toBe('==================================================================');
    expect(lines[1]).toBe('BUG: KASAN: slab-out-of-bounds in kmalloc_oob_right');
    expect(lines[2]).toBe(`Write of size 1 at addr ${kaddr_hex(p + 123)} by task swapper/0/1`);
    expect(
      lines.some((l) =>
        /^ kmalloc_oob_right packages\/kernel\/src\/mm\/kasan\.test\.ts:\d+$/.test(l),
      ),
    ).toBe(true);
    expect(lines).toContain('Allocated by task 1:');
    expect(text()).toContain(
      `The buggy address belongs to the object at ${kaddr_hex(p)}\n which belongs to the cache kmalloc-128 of size 128`,
    );
    expect(text()).toContain(
      `The buggy address is located 0 bytes to the right of\n allocated 123-byte region [${kaddr_hex(p)}, ${kaddr_hex(p + 123)})`,
    );
    const guilty = lines.findIndex((l) => l.startsWith('>'));
    // 123 bytes = 15 full granules and one of 3 bytes, then the kmalloc redzone.
    expect(lines[guilty]).toBe(`>${kaddr_hex(p)}: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 03`);
    expect(lines[guilty + 1]).toBe(`${' '.repeat(64)}^`);
    expect(lines.at(-1)).toBe('==================================================================');
    expect(get_taint() & (1 << TAINT_BAD_PAGE)).not.toBe(0);
    expect(kasan_report_count()).toBe(1);
  });

  it('reports slab-use-after-free with the allocation and free stacks', () => {
    const p = allocate_fox();
    release_fox(p);
    read_fox_after_free(p);
    const out = dmesg();
    expect(out).toContain('BUG: KASAN: slab-use-after-free in read_fox_after_free');
    expect(out).toContain(`Read of size 1 at addr ${kaddr_hex(p + 8)} by task swapper/0/1`);
    const lines = log();
    const alloc = lines.indexOf('Allocated by task 1:');
    const free = lines.indexOf('Freed by task 1:');
    expect(lines[alloc + 1]).toMatch(
      /^ allocate_fox packages\/kernel\/src\/mm\/kasan\.test\.ts:\d+$/,
    );
    expect(lines[free + 1]).toMatch(
      /^ release_fox packages\/kernel\/src\/mm\/kasan\.test\.ts:\d+$/,
    );
    expect(text()).toContain(
      `The buggy address is located 8 bytes inside of\n freed 64-byte region [${kaddr_hex(p)}, ${kaddr_hex(p + 64)})`,
    );
  });

  it('keeps freed objects in quarantine so the next kmalloc does not reuse them', () => {
    const p = kmalloc(64, GFP_KERNEL);
    kfree(p);
    const q = kmalloc(64, GFP_KERNEL);
    expect(q).not.toBe(p);
    kasan_quarantine_drain();
    kfree(q);
    kasan_quarantine_drain();
    expect(kmalloc(64, GFP_KERNEL)).toBe(q);
    expect(kasan_report_count()).toBe(0);
  });

  it('reports double-free and invalid-free', () => {
    const p = kmalloc(32, GFP_KERNEL);
    kfree(p);
    kfree(p);
    expect(log()[1]).toMatch(/^BUG: KASAN: double-free in /);
    expect(log()[2]).toBe(`Free of addr ${kaddr_hex(p)} by task swapper/0/1`);
    printk_reset();
    const q = kmalloc(32, GFP_KERNEL);
    kfree(q + 4);
    expect(log()[1]).toMatch(/^BUG: KASAN: invalid-free in /);
    expect(kasan_report_count()).toBe(2);
  });

  it('checks whole ranges for memcpy and memset', () => {
    const a = kmalloc(64, GFP_KERNEL);
    const b = kmalloc(32, GFP_KERNEL);
    memcpy(b, a, 40);
    expect(log()[1]).toMatch(/^BUG: KASAN: slab-out-of-bounds in /);
    expect(log()[2]).toBe(`Write of size 40 at addr ${kaddr_hex(b)} by task swapper/0/1`);
    printk_reset();
    memset(a, 0, 64);
    expect(dmesg()).toBe('');
  });

  it('reports use-after-free of a freed large kmalloc', () => {
    const p = kmalloc(20000, GFP_KERNEL);
    kfree(p);
    readl(p);
    expect(log()[1]).toMatch(/^BUG: KASAN: use-after-free in /);
  });

  it('reports vmalloc-out-of-bounds inside the last page of an area', () => {
    const v = vmalloc(100);
    readb(v + 100);
    expect(log()[1]).toMatch(/^BUG: KASAN: vmalloc-out-of-bounds in /);
    vfree(v);
  });

  it('lets ksize() widen the accessible part and krealloc() narrow it', () => {
    const p = kmalloc(50, GFP_KERNEL);
    expect(ksize(p)).toBe(64);
    writeb(1, p + 63);
    expect(dmesg()).toBe('');
    krealloc(p, 10, GFP_KERNEL);
    readb(p + 10);
    expect(log()[1]).toMatch(/^BUG: KASAN: slab-out-of-bounds in /);
  });

  it('omits the stacks with kasan.stacktrace=off', () => {
    mm_init({ quiet: true, kasan: true, kasan_stacktrace: false });
    const p = kmalloc(16, GFP_KERNEL);
    kfree(p);
    readb(p);
    expect(dmesg()).toContain('BUG: KASAN: slab-use-after-free');
    expect(dmesg()).not.toContain('Allocated by task');
  });

  it('can be switched on after objects were allocated', () => {
    mm_init({ quiet: true });
    const p = kmalloc(100, GFP_KERNEL);
    kasan_enable();
    readb(p + 127);
    expect(dmesg()).toBe('');
    release_fox(p);
    readb(p);
    expect(log()[1]).toBe('BUG: KASAN: slab-use-after-free in <anonymous>');
    expect(log()).not.toContain('Allocated by task 1:');
    expect(log()).toContain('Freed by task 1:');
    kasan_disable();
    readb(p);
    expect(kasan_report_count()).toBe(1);
  });

  it('names the task that made the bad access', () => {
    const cat = alloc_task('cat', 0);
    const p = kmalloc(8, GFP_KERNEL);
    run_as(cat, () => readb(p + 8));
    expect(log()[2]).toBe(`Read of size 1 at addr ${kaddr_hex(p + 8)} by task cat/${cat.pid}`);
    expect(log()[4]).toMatch(new RegExp(`^CPU: 0 UID: 0 PID: ${cat.pid} Comm: cat `));
    release_task(cat);
  });

  it('knows about pages allocated before it was switched on', () => {
    mm_init({ quiet: true });
    const v = vmalloc(3 * 4096);
    const page = __get_free_pages(GFP_KERNEL, 1);
    const big = kmalloc(20000, GFP_KERNEL);
    kasan_enable();
    readb(v + 3 * 4096 - 1);
    readb(page + 8191);
    readb(big + 19999);
    expect(kasan_report_count()).toBe(0);
    free_pages(page, 1);
    readb(page);
    expect(log()[1]).toMatch(/^BUG: KASAN: use-after-free in /);
  });

  it('reports a double free of a large kmalloc and a krealloc of a freed object', () => {
    const big = kmalloc(20000, GFP_KERNEL);
    kfree(big);
    kfree(big);
    expect(log()[1]).toMatch(/^BUG: KASAN: double-free in /);
    printk_reset();
    const p = kmalloc(32, GFP_KERNEL);
    kfree(p);
    expect(krealloc(p, 16, GFP_KERNEL)).toBe(0);
    expect(log()[1]).toMatch(/^BUG: KASAN: slab-use-after-free in /);
    expect(ksize(p)).toBe(0);
  });
});
