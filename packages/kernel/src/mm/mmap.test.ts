import { beforeEach, describe, expect, it } from 'vitest';
import { EBUSY, EEXIST, EINVAL } from '../errno.js';
import { dmesg, printk_reset } from '../printk.js';
import { sim_spawn } from '../sched/core.js';
import { boot_task, current } from '../sched/task.js';
import { memcpy_from_js } from './access.js';
import { GFP_KERNEL } from './gfp.js';
import { mm_init } from './init.js';
import { __pa, PAGE_SHIFT, PAGE_SIZE } from './layout.js';
import {
  do_mmap,
  find_vma,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  type mm_struct,
  PROT_READ,
  PROT_WRITE,
  remap_pfn_range,
  VM_FAULT_SIGBUS,
  VM_IO,
  VM_MIXEDMAP,
  VM_PFNMAP,
  type vm_area_struct,
  vm_insert_page,
  vm_munmap,
} from './mmap.js';
import {
  __free_page,
  __get_free_pages,
  alloc_page,
  free_pages,
  nr_free_pages,
  page_address,
} from './page_alloc.js';
import { sim_user_read, sim_user_write } from './uaccess-user.js';

const RW = PROT_READ | PROT_WRITE;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
let mm: mm_struct;

beforeEach(() => {
  mm_init({ quiet: true });
  printk_reset();
  mm = current().mm!;
});

describe('address spaces', () => {
  it('places mappings top-down below mmap_base and finds them', () => {
    const a = do_mmap(mm, 0, 100, RW, ANON, 0);
    const b = do_mmap(mm, 0, 3 * PAGE_SIZE, RW, ANON, 0);
    expect(a).toBe(0x7ffff7ffe000);
    expect(b).toBe(a - 3 * PAGE_SIZE);
    expect(find_vma(mm, b + 5)?.vm_start).toBe(b);
    expect(find_vma(mm, a + PAGE_SIZE)).toBeNull();
    expect(mm.total_vm).toBe(4);
  });

  it('rejects bad arguments with the errnos mmap(2) documents', () => {
    expect(do_mmap(mm, 0, 0, RW, ANON, 0)).toBe(-EINVAL);
    expect(do_mmap(mm, 0, 4096, RW, MAP_ANONYMOUS, 0)).toBe(-EINVAL);
    expect(do_mmap(mm, 0x1001, 4096, RW, ANON | MAP_FIXED, 0)).toBe(-EINVAL);
    const a = do_mmap(mm, 0x10000, 4096, RW, ANON | MAP_FIXED, 0);
    expect(a).toBe(0x10000);
    expect(do_mmap(mm, 0x10000, 4096, RW, ANON | MAP_FIXED_NOREPLACE, 0)).toBe(-EEXIST);
    expect(vm_munmap(mm, 0x10001, 4096)).toBe(-EINVAL);
    expect(vm_munmap(mm, 0x10000, 0)).toBe(-EINVAL);
    expect(vm_munmap(mm, 0x10000, Number.NaN)).toBe(-EINVAL);
    expect(do_mmap(mm, Number.NaN, 4096, RW, ANON | MAP_FIXED, 0)).toBe(-EINVAL);
    expect(mm.vmas).toHaveLength(1);
    expect(mm.total_vm).toBe(1);
  });

  it('zero-fills anonymous pages on first touch and frees them on munmap', () => {
    const free = nr_free_pages();
    const a = do_mmap(mm, 0, 4 * PAGE_SIZE, RW, ANON, 0);
    expect(nr_free_pages()).toBe(free);
    expect(Array.from(sim_user_read(a + PAGE_SIZE, 4))).toEqual([0, 0, 0, 0]);
    expect(nr_free_pages()).toBe(free - 1);
    expect(mm.anon_rss).toBe(1);
    expect(vm_munmap(mm, a, 4 * PAGE_SIZE)).toBe(0);
    expect(nr_free_pages()).toBe(free);
  });

  it('MAP_POPULATE faults every page in at map time', () => {
    const free = nr_free_pages();
    do_mmap(mm, 0, 3 * PAGE_SIZE, RW, ANON | MAP_POPULATE, 0);
    expect(nr_free_pages()).toBe(free - 3);
  });

  it('splits an area when the middle is unmapped', () => {
    const a = do_mmap(mm, 0, 3 * PAGE_SIZE, RW, ANON, 0);
    sim_user_write(a + 2 * PAGE_SIZE, new Uint8Array([7]));
    expect(vm_munmap(mm, a + PAGE_SIZE, PAGE_SIZE)).toBe(0);
    expect(mm.vmas.map((v) => [v.vm_start - a, v.vm_end - a, v.vm_pgoff - a / PAGE_SIZE])).toEqual([
      [0, PAGE_SIZE, 0],
      [2 * PAGE_SIZE, 3 * PAGE_SIZE, 2],
    ]);
    expect(sim_user_read(a + 2 * PAGE_SIZE, 1)[0]).toBe(7);
  });

  it('MAP_FIXED replaces what was mapped', () => {
    const a = do_mmap(mm, 0, PAGE_SIZE, RW, ANON, 0);
    sim_user_write(a, new Uint8Array([9]));
    expect(do_mmap(mm, a, PAGE_SIZE, RW, ANON | MAP_FIXED, 0)).toBe(a);
    expect(sim_user_read(a, 1)[0]).toBe(0);
  });

  it('tears the address space down when a user task exits', async () => {
    const free = nr_free_pages();
    const t = sim_spawn('mapper', async () => {
      const a = do_mmap(current().mm!, 0, 8 * PAGE_SIZE, RW, ANON | MAP_POPULATE, 0);
      return a > 0 ? 0 : 1;
    });
    expect(t.mm).not.toBe(boot_task.mm);
    expect(await t.exited).toBe(0);
    expect(t.mm).toBeNull();
    expect(nr_free_pages()).toBe(free);
  });
});

describe('driver mappings', () => {
  it('remap_pfn_range maps kernel pages and leaves them to the driver', () => {
    const buf = __get_free_pages(GFP_KERNEL, 1);
    memcpy_from_js(buf + PAGE_SIZE, new TextEncoder().encode('second'));
    let closed = 0;
    const a = do_mmap(mm, 0, 2 * PAGE_SIZE, RW, MAP_SHARED, 0, (vma) => {
      vma.vm_ops = { close: () => closed++ };
      return remap_pfn_range(
        vma,
        vma.vm_start,
        __pa(buf) >> PAGE_SHIFT,
        2 * PAGE_SIZE,
        vma.vm_page_prot,
      );
    });
    const vma = find_vma(mm, a)!;
    expect(vma.vm_flags & (VM_IO | VM_PFNMAP)).toBe(VM_IO | VM_PFNMAP);
    expect(new TextDecoder().decode(sim_user_read(a + PAGE_SIZE, 6))).toBe('second');
    expect(remap_pfn_range(vma, a, __pa(buf) >> PAGE_SHIFT, PAGE_SIZE, vma.vm_page_prot)).toBe(
      -EBUSY,
    );
    const free = nr_free_pages();
    expect(vm_munmap(mm, a, 2 * PAGE_SIZE)).toBe(0);
    expect(closed).toBe(1);
    expect(nr_free_pages()).toBe(free);
    free_pages(buf, 1);
  });

  it('a failing ->mmap fails the call and leaves nothing mapped', () => {
    const a = do_mmap(mm, 0, PAGE_SIZE, RW, MAP_SHARED, 0, () => -EINVAL);
    expect(a).toBe(-EINVAL);
    expect(mm.vmas).toEqual([]);
  });

  it('vm_insert_page and a fault handler supply pages', () => {
    const page = alloc_page(GFP_KERNEL);
    memcpy_from_js(page_address(page), new Uint8Array([0x42]));
    let v!: vm_area_struct;
    const a = do_mmap(mm, 0, 2 * PAGE_SIZE, RW, MAP_SHARED, 0, (vma) => {
      v = vma;
      vma.vm_ops = {
        fault: (vmf) => {
          if (vmf.pgoff !== 1) return VM_FAULT_SIGBUS;
          vmf.page = page;
          return 0;
        },
      };
      return 0;
    });
    expect(sim_user_read(a + PAGE_SIZE, 1)[0]).toBe(0x42);
    expect(() => sim_user_read(a, 1)).toThrow(expect.objectContaining({ code: 'SIGSEGV' }));
    expect(vm_insert_page(v, a, page)).toBe(0);
    expect(v.vm_flags & VM_MIXEDMAP).toBe(VM_MIXEDMAP);
    expect(sim_user_read(a, 1)[0]).toBe(0x42);
    expect(vm_insert_page(v, a, page)).toBe(-EBUSY);
    vm_munmap(mm, a, 2 * PAGE_SIZE);
    __free_page(page);
    expect(dmesg()).toContain('segfault at 7ffff7ffd000');
  });
});
