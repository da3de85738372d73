import { beforeEach, describe, expect, it } from 'vitest';
import { Oops, panic_reset } from '../panic.js';
import { dmesg, dmesg_records, printk_reset } from '../printk.js';
import { memset, readb, writeb } from './access.js';
import { GFP_KERNEL } from './gfp.js';
import { mm_init } from './init.js';
import { kfree, kmalloc } from './kmalloc.js';
import { _stext, kernel_rodata, PAGE_SIZE } from './layout.js';
import {
  kmem_cache_alloc,
  kmem_cache_create,
  kmem_cache_create_usercopy,
  kmem_cache_destroy,
  kmem_cache_free,
} from './slab.js';
import { copy_from_user, copy_to_user } from './uaccess.js';
import { sim_user_alloc, sim_user_read } from './uaccess-user.js';
import { set_hardened_usercopy } from './usercopy.js';
import { vfree, vmalloc } from './vmalloc.js';

beforeEach(() => {
  mm_init({ quiet: true });
  printk_reset();
  panic_reset();
});

const lines = () => dmesg_records().map((r) => r.text);

function refused(fn: () => unknown): string[] {
  printk_reset();
  expect(fn).toThrow(Oops);
  const l = lines();
  const i = l.findIndex((x) => x.startsWith('usercopy: '));
  return l.slice(i, i + 4);
}

describe('hardened usercopy', () => {
  it('refuses a copy_to_user past the end of a kmalloc object', () => {
    const u = sim_user_alloc(PAGE_SIZE);
    const k = kmalloc(16, GFP_KERNEL);
    expect(refused(() => copy_to_user(u, k, 20))).toEqual([
      "usercopy: Kernel memory exposure attempt detected from SLUB object 'kmalloc-16' (offset 0, size 20)!",
      '------------[ cut here ]------------',
      'kernel BUG at mm/usercopy.c:102!',
      'Oops: invalid opcode: 0000 [#1] PREEMPT SMP NOPTI',
    ]);
    expect(dmesg()).toContain('Call Trace:');
  });

  it('refuses a copy_from_user that would overwrite the next object', () => {
    const u = sim_user_alloc(PAGE_SIZE);
    const k = kmalloc(1024, GFP_KERNEL);
    expect(refused(() => copy_from_user(k + 512, u, 1024))[0]).toBe(
      "usercopy: Kernel memory overwrite attempt detected to SLUB object 'kmalloc-1k' (offset 512, size 1024)!",
    );
  });

  it('allows a whole kmalloc object and nothing more', () => {
    const u = sim_user_alloc(PAGE_SIZE);
    const k = kmalloc(100, GFP_KERNEL);
    expect(copy_to_user(u, k, 128)).toBe(0);
    expect(() => copy_to_user(u, k + 8, 121)).toThrow(Oops);
  });

  it('enforces a cache whitelist; plain caches have none', () => {
    const u = sim_user_alloc(PAGE_SIZE);
    const s = kmem_cache_create_usercopy('lkdtm-usercopy', 1024, 0, 0, 512, 256);
    const p = kmem_cache_alloc(s, GFP_KERNEL);
    expect(copy_to_user(u, p + 512, 256)).toBe(0);
    expect(refused(() => copy_to_user(u, p + 512 - 20, 256 + 20))[0]).toBe(
      "usercopy: Kernel memory exposure attempt detected from SLUB object 'lkdtm-usercopy' (offset 492, size 276)!",
    );
    kmem_cache_free(s, p);
    kmem_cache_destroy(s);
    const plain = kmem_cache_create('plain', 64, 0, 0);
    const q = kmem_cache_alloc(plain, GFP_KERNEL);
    expect(refused(() => copy_to_user(u, q, 8))[0]).toBe(
      "usercopy: Kernel memory exposure attempt detected from SLUB object 'plain' (offset 0, size 8)!",
    );
  });

  it('checks large kmalloc, vmalloc, NULL and kernel text', () => {
    const u = sim_user_alloc(4 * PAGE_SIZE);
    const big = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
    expect(copy_to_user(u, big + PAGE_SIZE, 3 * PAGE_SIZE)).toBe(0);
    expect(refused(() => copy_to_user(u, big + PAGE_SIZE, 3 * PAGE_SIZE + 1))[0]).toBe(
      'usercopy: Kernel memory exposure attempt detected from page alloc (offset 4096, size 12289)!',
    );
    kfree(big);
    const v = vmalloc(PAGE_SIZE);
    expect(refused(() => copy_to_user(u, v + 8, PAGE_SIZE))[0]).toBe(
      'usercopy: Kernel memory exposure attempt detected from vmalloc (offset 8, size 4096)!',
    );
    vfree(v);
    expect(refused(() => copy_from_user(0, u, 4))[0]).toBe(
      'usercopy: Kernel memory overwrite attempt detected to null address (offset 0, size 4)!',
    );
    expect(refused(() => copy_to_user(u, _stext + 0x100, PAGE_SIZE))[0]).toBe(
      'usercopy: Kernel memory exposure attempt detected from kernel text (offset 256, size 4096)!',
    );
  });

  it('lets rodata be copied out', () => {
    const u = sim_user_alloc(PAGE_SIZE);
    const text = kernel_rodata('This is a test.\n');
    expect(copy_to_user(u, text, 17)).toBe(0);
    expect(new TextDecoder().decode(sim_user_read(u, 16))).toBe('This is a test.\n');
  });

  it('a whitelist outside the object is refused with a WARN, leaving none', () => {
    const s = kmem_cache_create_usercopy('bad-window', 64, 0, 0, 60, 8);
    expect([s.useroffset, s.usersize]).toEqual([0, 0]);
    expect(dmesg()).toContain('WARNING: CPU: 0 PID: 1 at ');
    kmem_cache_destroy(s);
  });

  it('can be switched off (hardened_usercopy=off)', () => {
    const u = sim_user_alloc(PAGE_SIZE);
    const k = kmalloc(16, GFP_KERNEL);
    expect(set_hardened_usercopy(false)).toBe(true);
    expect(copy_to_user(u, k, 20)).toBe(0);
    set_hardened_usercopy(true);
  });
});

describe('the kernel image', () => {
  it('is readable and read-only', () => {
    const text = kernel_rodata('fixed\n');
    expect(readb(text)).toBe(0x66);
    expect(() => writeb(0, text)).toThrow(Oops);
    expect(dmesg()).toContain('#PF: error_code(0x0003) - permissions violation');
    printk_reset();
    expect(() => memset(_stext, 0xcc, 16)).toThrow(Oops);
    expect(dmesg()).toContain('BUG: unable to handle page fault for address: ffffffff81000000');
  });
});
