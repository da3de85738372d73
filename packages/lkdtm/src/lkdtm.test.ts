import {
  dmesg,
  kasan_report_count,
  mm_init,
  panic_reset,
  printk_reset,
  set_hardened_usercopy,
  sim_spawn,
} from '@rfl/kernel';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  lkdtm_direct_read,
  lkdtm_direct_write,
  lkdtm_init,
  lkdtm_run,
  lkdtm_tests,
} from './index.js';

/**
 * What `tools/testing/selftests/lkdtm/tests.txt` expects in dmesg after each
 * test; run.sh greps case-insensitively and, when a test lists no text,
 * expects a `call trace:`. READ_AFTER_FREE and READ_BUDDY_AFTER_FREE accept
 * either, as the current tests.txt does.
 */
const EXPECTED: Record<string, string> = {
  BUG: 'kernel BUG at',
  WARNING: 'WARNING:',
  WARNING_MESSAGE: 'message trigger',
  EXCEPTION: '',
  CORRUPT_LIST_ADD: 'list_add corruption',
  CORRUPT_LIST_DEL: 'list_del corruption',
  SLAB_LINEAR_OVERFLOW: '',
  VMALLOC_LINEAR_OVERFLOW: '',
  READ_AFTER_FREE: 'call trace:|Memory correctly poisoned',
  READ_BUDDY_AFTER_FREE: 'call trace:|Memory correctly poisoned',
  SLAB_FREE_DOUBLE: '',
  SLAB_FREE_CROSS: '',
  SLAB_FREE_PAGE: '',
  WRITE_RO: '',
  WRITE_KERN: '',
  ACCESS_USERSPACE: '',
  ACCESS_NULL: '',
  REFCOUNT_INC_OVERFLOW: '',
  REFCOUNT_ADD_OVERFLOW: '',
  REFCOUNT_INC_NOT_ZERO_OVERFLOW: '',
  REFCOUNT_ADD_NOT_ZERO_OVERFLOW: '',
  REFCOUNT_DEC_ZERO: '',
  REFCOUNT_DEC_NEGATIVE: 'Negative detected: saturated',
  REFCOUNT_DEC_AND_TEST_NEGATIVE: 'Negative detected: saturated',
  REFCOUNT_SUB_AND_TEST_NEGATIVE: 'Negative detected: saturated',
  REFCOUNT_INC_ZERO: '',
  REFCOUNT_ADD_ZERO: '',
  REFCOUNT_INC_SATURATED: 'Saturation detected: still saturated',
  REFCOUNT_DEC_SATURATED: 'Saturation detected: still saturated',
  REFCOUNT_ADD_SATURATED: 'Saturation detected: still saturated',
  REFCOUNT_INC_NOT_ZERO_SATURATED: '',
  REFCOUNT_ADD_NOT_ZERO_SATURATED: '',
  REFCOUNT_DEC_AND_TEST_SATURATED: 'Saturation detected: still saturated',
  REFCOUNT_SUB_AND_TEST_SATURATED: 'Saturation detected: still saturated',
  USERCOPY_HEAP_SIZE_TO: '',
  USERCOPY_HEAP_SIZE_FROM: '',
  USERCOPY_HEAP_WHITELIST_TO: '',
  USERCOPY_HEAP_WHITELIST_FROM: '',
  USERCOPY_VMALLOC: '',
  USERCOPY_KERNEL: '',
};

/** The tests that end in an Oops, killing the task that triggered them. */
const FATAL = new Set([
  'BUG',
  'WRITE_RO',
  'WRITE_KERN',
  'EXCEPTION',
  'ACCESS_USERSPACE',
  'ACCESS_NULL',
  'USERCOPY_HEAP_SIZE_TO',
  'USERCOPY_HEAP_SIZE_FROM',
  'USERCOPY_HEAP_WHITELIST_TO',
  'USERCOPY_HEAP_WHITELIST_FROM',
  'USERCOPY_VMALLOC',
  'USERCOPY_KERNEL',
  'VMALLOC_LINEAR_OVERFLOW',
]);

beforeEach(() => {
  // The selftests' config: KASAN for the heap tests; each test as on a fresh boot.
  mm_init({ quiet: true, kasan: true });
  printk_reset();
  panic_reset();
  lkdtm_init();
  printk_reset();
});

/** `echo NAME > DIRECT` from a user process; its exit status and dmesg. */
async function provoke(name: string): Promise<{ status: number; log: string }> {
  const task = sim_spawn('sh', async () => {
    const ret = lkdtm_direct_write(new TextEncoder().encode(`${name}\n`));
    return ret < 0 ? 1 : 0;
  });
  const status = await task.exited;
  return { status, log: dmesg() };
}

describe('LKDTM against selftests/lkdtm/tests.txt', () => {
  it('supports exactly the tests the expectations list', () => {
    expect(lkdtm_tests.map((t) => t.name).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [name, text] of Object.entries(EXPECTED)) {
    it(`${name}: ${text || 'call trace:'}`, async () => {
      const { status, log } = await provoke(name);
      expect(log).toContain(`lkdtm: Performing direct entry ${name}\n`);
      expect(log).toMatch(new RegExp(text || 'call trace:', 'i'));
      expect(status).toBe(FATAL.has(name) ? -1 : 0);
    });
  }
});

describe('reports in detail', () => {
  it('USERCOPY_HEAP_SIZE_TO refuses the exposure of the next object', async () => {
    const { log } = await provoke('USERCOPY_HEAP_SIZE_TO');
    expect(log).toContain('lkdtm: attempting good copy_to_user of correct size\n');
    expect(log).toContain('lkdtm: attempting bad copy_to_user of too large size\n');
    expect(log).toContain(
      "usercopy: Kernel memory exposure attempt detected from SLUB object 'kmalloc-1k' (offset 16, size 1024)!\n",
    );
    expect(log).toContain('kernel BUG at mm/usercopy.c:102!');
    expect(log).not.toContain('FAIL');
  });

  it('USERCOPY_HEAP_WHITELIST_FROM refuses a copy one byte before the window', async () => {
    const { log } = await provoke('USERCOPY_HEAP_WHITELIST_FROM');
    expect(log).toContain(
      "usercopy: Kernel memory overwrite attempt detected to SLUB object 'lkdtm-usercopy' (offset 255, size 64)!\n",
    );
  });

  it('USERCOPY_KERNEL copies rodata and refuses text', async () => {
    const { log } = await provoke('USERCOPY_KERNEL');
    expect(log).toMatch(
      /lkdtm: attempting good copy_to_user from kernel rodata: ffffffff82000[0-7][0-9a-f]{2}\n/,
    );
    expect(log).toContain(
      'usercopy: Kernel memory exposure attempt detected from kernel text (offset 256, size 4096)!\n',
    );
  });

  it('CORRUPT_LIST_ADD is stopped before the write-what-where', async () => {
    const { log } = await provoke('CORRUPT_LIST_ADD');
    expect(log).toMatch(
      /list_add corruption\. next->prev should be prev \(ffff8880[0-9a-f]{8}\), but was 0000000000000000\. \(next=ffff8880[0-9a-f]{8}\)\./,
    );
    expect(log).toContain('lkdtm: Overwrite did not happen, but no BUG?!\n');
  });

  it('ACCESS_USERSPACE is a permissions violation (SMAP)', async () => {
    const { log } = await provoke('ACCESS_USERSPACE');
    expect(log).toMatch(/lkdtm: attempting bad read at 00007f[0-9a-f]{10}\n/);
    expect(log).toContain('#PF: supervisor read access in kernel mode\n');
    expect(log).toContain('#PF: error_code(0x0001) - permissions violation\n');
    expect(log).not.toContain('FAIL: survived');
  });

  it('WRITE_RO and WRITE_KERN are write faults on the read-only kernel image', async () => {
    for (const [name, where] of [
      ['WRITE_RO', 'ffffffff820'],
      ['WRITE_KERN', 'ffffffff81000080'],
    ] as const) {
      const { log } = await provoke(name);
      expect(log).toContain(`BUG: unable to handle page fault for address: ${where}`);
      expect(log).toContain('#PF: supervisor write access in kernel mode\n');
      expect(log).toContain('#PF: error_code(0x0003) - permissions violation\n');
      expect(log).not.toContain('FAIL: survived');
    }
  });

  it('ACCESS_NULL is a NULL pointer dereference', async () => {
    const { log } = await provoke('ACCESS_NULL');
    expect(log).toContain('BUG: kernel NULL pointer dereference, address: 0000000000000000\n');
  });

  it('the heap tests are KASAN reports', async () => {
    const before = kasan_report_count();
    expect((await provoke('READ_AFTER_FREE')).log).toContain(
      'BUG: KASAN: slab-use-after-free in lkdtm_READ_AFTER_FREE',
    );
    expect((await provoke('READ_BUDDY_AFTER_FREE')).log).toContain(
      'BUG: KASAN: use-after-free in lkdtm_READ_BUDDY_AFTER_FREE',
    );
    expect((await provoke('SLAB_FREE_DOUBLE')).log).toContain('BUG: KASAN: double-free in ');
    expect(kasan_report_count() - before).toBe(3);
  });

  it('SLAB_LINEAR_OVERFLOW is a KASAN slab-out-of-bounds, VMALLOC_LINEAR_OVERFLOW hits the guard page', async () => {
    expect((await provoke('SLAB_LINEAR_OVERFLOW')).log).toContain(
      'BUG: KASAN: slab-out-of-bounds in lkdtm_SLAB_LINEAR_OVERFLOW',
    );
    const { log } = await provoke('VMALLOC_LINEAR_OVERFLOW');
    expect(log).toMatch(/BUG: unable to handle page fault for address: ffffc900[0-9a-f]{8}\n/);
  });

  it('USERCOPY_VMALLOC refuses a copy past the vmalloc area', async () => {
    const { log } = await provoke('USERCOPY_VMALLOC');
    expect(log).toContain(
      'usercopy: Kernel memory exposure attempt detected from vmalloc (offset 2048, size 4096)!\n',
    );
  });

  it('SLAB_FREE_CROSS and SLAB_FREE_PAGE are refused by the slab allocator', async () => {
    expect((await provoke('SLAB_FREE_CROSS')).log).toContain(
      'kmem_cache_free: Wrong slab cache. lkdtm-heap-b but object is from lkdtm-heap-a',
    );
    expect((await provoke('SLAB_FREE_PAGE')).log).toContain(
      'virt_to_cache: Object is not a Slab page!',
    );
  });

  it('without KASAN a read after free goes unnoticed, and says why', async () => {
    mm_init({ quiet: true });
    lkdtm_init();
    printk_reset();
    const { log } = await provoke('READ_AFTER_FREE');
    expect(log).toContain('lkdtm: FAIL: Memory was not poisoned!\n');
    expect(log).toContain(
      'lkdtm: This is probably expected, since this kernel (6.12.0-rfl x86_64) was built *without* CONFIG_INIT_ON_FREE_DEFAULT_ON=y\n',
    );
  });
});

describe('with a protection switched off', () => {
  it('USERCOPY_HEAP_SIZE_TO survives and says why (hardened_usercopy=off)', async () => {
    const was = set_hardened_usercopy(false);
    const { status, log } = await provoke('USERCOPY_HEAP_SIZE_TO');
    set_hardened_usercopy(was);
    expect(status).toBe(0);
    expect(log).not.toMatch(/call trace:/i);
    expect(log).toContain('lkdtm: FAIL: bad usercopy not detected!\n');
    expect(log).toContain(
      'lkdtm: This is probably expected, since this kernel (6.12.0-rfl x86_64) was built *without* CONFIG_HARDENED_USERCOPY=y\n',
    );
  });
});

describe('the DIRECT file', () => {
  it('lists the crash types one per line', () => {
    const lines = lkdtm_direct_read().split('\n');
    expect(lines[0]).toBe('Available crash types:');
    expect(lines).toContain('USERCOPY_KERNEL');
    expect(lines.length).toBe(lkdtm_tests.length + 2);
  });

  it('rejects unknown names and empty writes with EINVAL', () => {
    expect(lkdtm_direct_write(new TextEncoder().encode('NOPE\n'))).toBe(-22);
    expect(lkdtm_direct_write(new Uint8Array(0))).toBe(-22);
    expect(lkdtm_run('PANIC')).toBe(-22);
  });
});
