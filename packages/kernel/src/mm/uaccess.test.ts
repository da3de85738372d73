import { beforeEach, describe, expect, it } from 'vitest';
import { EFAULT } from '../errno.js';
import { panic_reset } from '../panic.js';
import { dmesg, printk_reset } from '../printk.js';
import { sim_spawn } from '../sched/core.js';
import { preempt_disable, preempt_enable } from '../sched/preempt.js';
import { memcpy_from_js, memcpy_to_js, memset } from './access.js';
import { GFP_KERNEL } from './gfp.js';
import { mm_init } from './init.js';
import { kasan_report_count } from './kasan.js';
import { kfree, kmalloc } from './kmalloc.js';
import { PAGE_SIZE } from './layout.js';
import { PROT_NONE, PROT_READ } from './mmap.js';
import {
  access_ok,
  clear_user,
  copy_from_user,
  copy_to_user,
  get_user,
  pagefault_disable,
  pagefault_enable,
  put_user,
  strncpy_from_user,
  strnlen_user,
} from './uaccess.js';
import {
  sim_user_alloc,
  sim_user_free,
  sim_user_read,
  sim_user_string,
  sim_user_write,
} from './uaccess-user.js';

beforeEach(() => {
  mm_init({ quiet: true });
  printk_reset();
  panic_reset();
});

/** Two pages of user memory with nothing mapped after them. */
function two_pages(): number {
  const u = sim_user_alloc(3 * PAGE_SIZE);
  sim_user_free(u + 2 * PAGE_SIZE, PAGE_SIZE);
  return u;
}

const pattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 1) & 0xff);

describe('copy_to_user / copy_from_user', () => {
  it('copies across a page boundary', () => {
    const u = two_pages();
    const k = kmalloc(64, GFP_KERNEL);
    memcpy_from_js(k, pattern(64));
    expect(copy_to_user(u + PAGE_SIZE - 10, k, 64)).toBe(0);
    expect(sim_user_read(u + PAGE_SIZE - 10, 64)).toEqual(pattern(64));
    kfree(k);
  });

  it('copies up to the faulting page and returns the bytes not copied', () => {
    const u = two_pages();
    const k = kmalloc(64, GFP_KERNEL);
    memcpy_from_js(k, pattern(64));
    expect(copy_to_user(u + 2 * PAGE_SIZE - 24, k, 64)).toBe(40);
    expect(sim_user_read(u + 2 * PAGE_SIZE - 24, 24)).toEqual(pattern(24));
    memset(k, 0xee, 64);
    expect(copy_from_user(k, u + 2 * PAGE_SIZE - 24, 64)).toBe(40);
    const back = memcpy_to_js(k, 64);
    expect(back.subarray(0, 24)).toEqual(pattern(24));
    // The bytes that could not be copied are zeroed, not left stale.
    expect(back.subarray(24)).toEqual(new Uint8Array(40));
    kfree(k);
  });

  it('faults on writes to read-only mappings and on PROT_NONE', () => {
    const ro = sim_user_alloc(PAGE_SIZE, PROT_READ);
    const none = sim_user_alloc(PAGE_SIZE, PROT_NONE);
    const k = kmalloc(16, GFP_KERNEL);
    expect(copy_to_user(ro, k, 16)).toBe(16);
    expect(copy_from_user(k, ro, 16)).toBe(0);
    expect(copy_from_user(k, none, 16)).toBe(16);
    expect(clear_user(ro, 8)).toBe(8);
    expect(put_user(1, ro, 4)).toBe(-EFAULT);
    expect(get_user(ro, 4)).toEqual([0, 0]);
    kfree(k);
  });

  it('refuses kernel addresses as the user side', () => {
    const k = kmalloc(16, GFP_KERNEL);
    expect(access_ok(k, 16)).toBe(false);
    expect(copy_to_user(k, k, 16)).toBe(16);
    expect(copy_from_user(k, k, 16)).toBe(16);
    kfree(k);
  });

  it('fails every user access of a kernel thread', async () => {
    const { kthread_run } = await import('../sched/core.js');
    const u = sim_user_alloc(PAGE_SIZE);
    const k = kmalloc(8, GFP_KERNEL);
    let ret = -1;
    const t = kthread_run(
      async () => {
        ret = copy_to_user(u, k, 8);
        return 0;
      },
      null,
      'kworker',
    );
    await t.exited;
    expect(ret).toBe(8);
    kfree(k);
  });

  it('is checked by KASAN on the kernel side', () => {
    mm_init({ quiet: true, kasan: true });
    const u = sim_user_alloc(PAGE_SIZE);
    const k = kmalloc(32, GFP_KERNEL);
    kfree(k);
    const before = kasan_report_count();
    expect(copy_to_user(u, k, 32)).toBe(0);
    expect(kasan_report_count() - before).toBe(1);
    expect(dmesg()).toContain('BUG: KASAN: slab-use-after-free in copy_to_user');
    expect(dmesg()).toContain('Read of size 32 at addr');
    mm_init({ quiet: true });
  });

  it('may fault, so it may not be called in atomic context', () => {
    const u = sim_user_alloc(PAGE_SIZE);
    const k = kmalloc(8, GFP_KERNEL);
    preempt_disable();
    copy_to_user(u, k, 8);
    preempt_enable();
    expect(dmesg()).toContain('BUG: sleeping function called from invalid context');
    kfree(k);
  });

  it('with page faults disabled, only present pages are reached', () => {
    const u = two_pages();
    sim_user_write(u, new Uint8Array([1]));
    const k = kmalloc(16, GFP_KERNEL);
    preempt_disable();
    pagefault_disable();
    expect(copy_to_user(u + PAGE_SIZE - 8, k, 16)).toBe(8);
    pagefault_enable();
    preempt_enable();
    expect(dmesg()).not.toContain('sleeping function');
    kfree(k);
  });
});

describe('clear_user, strings and single values', () => {
  it('clear_user zeroes up to the fault', () => {
    const u = two_pages();
    sim_user_write(u + 2 * PAGE_SIZE - 4, new Uint8Array([1, 2, 3, 4]));
    expect(clear_user(u + 2 * PAGE_SIZE - 4, 10)).toBe(6);
    expect(sim_user_read(u + 2 * PAGE_SIZE - 4, 4)).toEqual(new Uint8Array(4));
  });

  it('strncpy_from_user returns the length, count, or -EFAULT', () => {
    const u = two_pages();
    const k = kmalloc(32, GFP_KERNEL);
    sim_user_string(u, 'vixen');
    expect(strncpy_from_user(k, u, 32)).toBe(5);
    expect(memcpy_to_js(k, 6)).toEqual(new TextEncoder().encode('vixen\0'));
    expect(strncpy_from_user(k, u, 3)).toBe(3);
    // A string running into unmapped memory before its NUL.
    const end = u + 2 * PAGE_SIZE - 3;
    sim_user_write(end, new Uint8Array([0x61, 0x62, 0x63]));
    expect(strncpy_from_user(k, end, 32)).toBe(-EFAULT);
    expect(strncpy_from_user(k, end, 3)).toBe(3);
    expect(strnlen_user(u, 32)).toBe(6);
    expect(strnlen_user(u, 5)).toBe(6);
    expect(strnlen_user(end, 32)).toBe(0);
    kfree(k);
  });

  it('get_user and put_user move 1, 2, 4 and 8 bytes little-endian', () => {
    const u = sim_user_alloc(PAGE_SIZE);
    expect(put_user(0x1122334455667788n, u, 8)).toBe(0);
    expect(Array.from(sim_user_read(u, 8))).toEqual([
      0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
    ]);
    expect(get_user(u, 1)).toEqual([0, 0x88]);
    expect(get_user(u, 2)).toEqual([0, 0x7788]);
    expect(get_user(u, 4)).toEqual([0, 0x55667788]);
    expect(get_user(u, 8)).toEqual([0, 0x1122334455667788n]);
    expect(put_user(-1, u, 2)).toBe(0);
    expect(get_user(u, 4)).toEqual([0, 0x5566ffff]);
    expect(get_user(0x10, 8)).toEqual([-EFAULT, 0n]);
  });

  it('a value straddling the fault is a fault', () => {
    const u = two_pages();
    expect(get_user(u + 2 * PAGE_SIZE - 2, 4)).toEqual([-EFAULT, 0]);
  });
});

describe('user-side accesses', () => {
  it('a bad user access kills the process with SIGSEGV, not an Oops', async () => {
    const t = sim_spawn('crasher', async () => {
      const ro = sim_user_alloc(PAGE_SIZE, PROT_READ);
      sim_user_read(ro, 1);
      sim_user_write(ro, new Uint8Array([1]));
      return 0;
    });
    expect(await t.exited).toBe(139);
    expect(dmesg()).toMatch(
      /crasher\[\d+\]: segfault at 7ffff7ffe000 ip 0000000000000000 sp 0000000000000000 error 7/,
    );
    expect(dmesg()).not.toContain('Oops');
  });
});

describe('bad sizes', () => {
  it('refuses negative and oversized lengths like a huge size_t', () => {
    const u = sim_user_alloc(PAGE_SIZE);
    const k = kmalloc(16, GFP_KERNEL);
    expect(copy_to_user(u, k, -1)).toBe(-1);
    expect(dmesg()).toContain('WARNING: CPU: 0 PID: 1 at ');
    expect(copy_from_user(k, u, 2 ** 31)).toBe(2 ** 31);
    expect(clear_user(u, -5)).toBe(-5);
    expect(copy_to_user(u, k, 0)).toBe(0);
    kfree(k);
  });
});
