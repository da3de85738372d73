import { beforeEach, describe, expect, it } from 'vitest';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_records, printk_reset } from '../printk.js';
import { preempt_disable, preempt_enable } from '../sched/preempt.js';
import { readb, writeb } from './access.js';
import { __GFP_HIGH, __GFP_NOWARN, GFP_ATOMIC, GFP_KERNEL, GFP_NOWAIT, type gfp_t } from './gfp.js';
import { mm_init } from './init.js';
import { kfree, kmalloc } from './kmalloc.js';
import { PAGE_SIZE } from './layout.js';
import {
  __free_pages,
  __get_free_pages,
  alloc_pages,
  buddyinfo,
  free_page,
  free_pages,
  get_zeroed_page,
  nr_free_pages,
  page_address,
  zone,
} from './page_alloc.js';

const log = () => dmesg_records().map((r) => r.text);

beforeEach(() => {
  mm_init({ mem_size: 8 << 20, quiet: true });
  printk_reset();
  panic_reset();
});

/** Takes order-0 pages with `gfp` until it fails; returns them. */
function drain(gfp: gfp_t): number[] {
  const pages: number[] = [];
  for (;;) {
    const p = __get_free_pages(gfp | __GFP_NOWARN, 0);
    if (p === 0) return pages;
    pages.push(p);
  }
}

describe('buddy allocator', () => {
  it('splits and merges blocks of orders 0-10', () => {
    const before = buddyinfo();
    const free = nr_free_pages();
    const page = alloc_pages(GFP_KERNEL, 3);
    expect(page_address(page) % (PAGE_SIZE << 3)).toBe(0);
    expect(nr_free_pages()).toBe(free - 8);
    const one = __get_free_pages(GFP_KERNEL, 0);
    __free_pages(page, 3);
    free_page(one);
    expect(nr_free_pages()).toBe(free);
    expect(buddyinfo()).toEqual(before);
    // 8 MiB minus the reserved page frame 0: one block of each order 0-9, one of order 10.
    expect(before).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('computes the watermarks like __setup_per_zone_wmarks', () => {
    mm_init({ quiet: true });
    // 64 MiB: min_free_kbytes = sqrt(65532 * 16) = 1023.
    expect([zone.min, zone.low, zone.high]).toEqual([255, 318, 381]);
  });

  it('refuses orders above MAX_PAGE_ORDER with a warning', () => {
    expect(alloc_pages(GFP_KERNEL, 11)).toBe(0);
    expect(dmesg()).toContain('WARNING: CPU: 0 PID: 1 at packages/kernel/src/mm/page_alloc.ts:');
  });

  it('catches a double free of a page that merged into a bigger free block', () => {
    // Page frames 1, 2 and 3; 2 and 3 are buddies.
    const [, low, high] = [0, 1, 2].map(() => __get_free_pages(GFP_KERNEL, 0));
    expect(high! - low!).toBe(PAGE_SIZE);
    free_pages(low!, 0);
    free_pages(high!, 0);
    expect(buddyinfo()[1]).toBe(1);
    free_pages(high!, 0);
    expect(log()[1]).toBe('page dumped because: not an allocated page');
  });

  it('refuses to free a slab page with free_pages', () => {
    const obj = kmalloc(64, GFP_KERNEL);
    free_pages(obj - (obj % PAGE_SIZE), 0);
    expect(log()[1]).toBe('page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set');
  });

  it('reports freeing a free page as a bad page state', () => {
    const p = __get_free_pages(GFP_KERNEL, 0);
    free_pages(p, 0);
    free_pages(p, 0);
    expect(log()[0]).toMatch(/^BUG: Bad page state in process swapper\/0 {2}pfn:[0-9a-f]{5}$/);
    expect(log()[1]).toBe('page dumped because: page already free');
  });
});

describe('GFP flags under memory pressure', () => {
  it('stops GFP_KERNEL at the min watermark and GFP_NOWAIT there too', () => {
    drain(GFP_KERNEL);
    expect(nr_free_pages()).toBe(zone.min);
    expect(drain(GFP_NOWAIT)).toHaveLength(0);
  });

  it('lets __GFP_HIGH dip to half of min and GFP_ATOMIC to 3/8 of it', () => {
    drain(GFP_KERNEL);
    drain(GFP_KERNEL | __GFP_HIGH);
    const half = zone.min - (zone.min >> 1);
    expect(nr_free_pages()).toBe(half);
    drain(GFP_ATOMIC);
    expect(nr_free_pages()).toBe(half - (half >> 2));
  });

  it('prints the page allocation failure report unless __GFP_NOWARN', () => {
    drain(GFP_KERNEL);
    expect(dmesg()).toBe('');
    expect(__get_free_pages(GFP_KERNEL, 0)).toBe(0);
    const lines = log();
    expect(lines[0]).toBe(
      'swapper/0: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0',
    );
    expect(lines[1]).toMatch(/^CPU: 0 UID: 0 PID: 1 Comm: swapper\/0 /);
    expect(lines).toContain('Call Trace:');
    expect(lines).toContain('Mem-Info:');
    expect(lines.find((l) => l.startsWith('Node 0 Normal free:'))).toBe(
      `Node 0 Normal free:${zone.min * 4}kB boost:0kB min:360kB low:448kB high:536kB present:8192kB managed:8188kB`,
    );
    // The silent failure that ended drain() and the reported one.
    expect(zone.alloc_failures).toBe(2);
  });

  it('names the flags of an atomic failure', () => {
    drain(GFP_KERNEL);
    drain(GFP_ATOMIC);
    expect(__get_free_pages(GFP_ATOMIC, 1)).toBe(0);
    expect(log()[0]).toBe(
      'swapper/0: page allocation failure: order:1, mode:0x820(GFP_ATOMIC), nodemask=(null),cpuset=/,mems_allowed=0',
    );
  });

  it('calls might_sleep() for GFP_KERNEL but not for GFP_ATOMIC', () => {
    preempt_disable();
    const atomic = __get_free_pages(GFP_ATOMIC, 0);
    expect(dmesg()).toBe('');
    const kernel = __get_free_pages(GFP_KERNEL, 0);
    preempt_enable();
    expect(log()[0]).toMatch(/^BUG: sleeping function called from invalid context at /);
    expect(log()[1]).toBe(
      'in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1, name: swapper/0',
    );
    free_page(atomic);
    free_page(kernel);
  });

  it('zeroes with __GFP_ZERO and only then', () => {
    const pages = drain(GFP_ATOMIC);
    for (const p of pages) for (let i = 0; i < PAGE_SIZE; i += 512) writeb(0xff, p + i);
    for (const p of pages) free_page(p);
    const dirty = __get_free_pages(GFP_KERNEL, 0);
    const clean = get_zeroed_page(GFP_KERNEL);
    expect(readb(dirty)).toBe(0xff);
    let sum = 0;
    for (let i = 0; i < PAGE_SIZE; i++) sum += readb(clean + i);
    expect(sum).toBe(0);
  });

  it('reclaims empty slabs before failing a GFP_KERNEL allocation', () => {
    const objs: number[] = [];
    for (let i = 0; i < 512; i++) objs.push(kmalloc(4096, GFP_KERNEL));
    for (const o of objs) kfree(o);
    const pages = drain(GFP_KERNEL);
    expect(zone.allocstall).toBeGreaterThan(0);
    expect(nr_free_pages()).toBe(zone.min);
    // Without reclaim the 512 pages of empty slabs would have stayed cached.
    expect(pages.length).toBeGreaterThan(2047 - zone.min - 8);
  });
});
