import { GFP_KERNEL, KVec } from '@rfl/alloc';
import {
  GFP_KERNEL as C_GFP_KERNEL,
  dmesg_clear,
  dmesg_records,
  failslab,
  fault_inject_reset,
  kfree,
  kmalloc,
  memcpy_to_js,
  mm_init,
  PROT_NONE,
  panic_reset,
  set_fail_nth,
  sim_run_until_idle,
  sim_spawn,
  sim_user_alloc,
  sim_user_free,
  sim_user_read,
  sim_user_write,
} from '@rfl/kernel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { i32, UserSlice, u8, u64 } from './index.js';

const codeOf = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).message;
  }
};

beforeEach(() => {
  mm_init({ quiet: true, kasan: true, kmemleak: true });
  dmesg_clear();
});

afterEach(() => {
  set_fail_nth(0);
  fault_inject_reset();
  panic_reset();
});

describe('UserSlice consumption', () => {
  const takers: [string, (s: UserSlice) => unknown][] = [
    ['reader', (s) => s.reader()],
    ['writer', (s) => s.writer()],
    ['reader_writer', (s) => s.readerWriter()],
  ];
  for (const [first, takeFirst] of takers) {
    for (const [second, takeSecond] of takers) {
      it(`${second} after ${first} is a use of a moved value`, () => {
        const s = UserSlice.new(sim_user_alloc(4096), 8);
        takeFirst(s);
        expect(() => takeSecond(s)).toThrow(`use of moved value: \`UserSlice\` in ${second}`);
        expect(dmesg_records()[0]?.text).toBe(
          `BUG: use of moved value: \`UserSlice\` in ${second}`,
        );
      });
    }
  }

  it('a reader consumed by readAll cannot read again', () => {
    using v = KVec.bytes();
    const r = UserSlice.new(sim_user_alloc(4096), 4).reader();
    r.readAll(v, GFP_KERNEL);
    expect(v.len).toBe(4);
    expect(() => r.read(u8)).toThrow('use of moved value: `UserSliceReader` in read');
  });
});

describe('EFAULT leaves the position', () => {
  it('over a hole: each size up to the fault succeeds, the rest faults', () => {
    const u = sim_user_alloc(8192);
    sim_user_free(u + 4096, 4096);
    sim_user_write(u + 4090, Uint8Array.from([1, 2, 3, 4, 5, 6]));
    for (let n = 0; n <= 12; n++) {
      const r = UserSlice.new(u + 4090, 12).reader();
      const out = new Uint8Array(n).fill(0xaa);
      const code = codeOf(() => r.readSlice(out));
      expect(code).toBe(n <= 6 ? 'ok' : 'EFAULT');
      expect(r.len).toBe(n <= 6 ? 12 - n : 12);
      if (n > 6) {
        // copy_from_user zeroes what it could not fill.
        expect(Array.from(out.subarray(0, 6))).toEqual([1, 2, 3, 4, 5, 6]);
        expect(out.subarray(6).every((b) => b === 0)).toBe(true);
      }
    }
  });

  it('a PROT_NONE page faults reads and writes', () => {
    const u = sim_user_alloc(4096, PROT_NONE);
    const [r, w] = UserSlice.new(u, 8).readerWriter();
    expect(codeOf(() => r.read(u64))).toBe('EFAULT');
    expect(codeOf(() => w.write(i32, 1))).toBe('EFAULT');
    expect([r.len, w.len]).toEqual([8, 8]);
  });

  it('an address above TASK_SIZE_MAX faults without touching memory', () => {
    const r = UserSlice.new(0xffff888000000000, 4).reader();
    expect(codeOf(() => r.read(i32))).toBe('EFAULT');
    expect(r.len).toBe(4);
  });

  it('readRaw zeroes the unfilled kernel bytes and keeps the position', () => {
    const u = sim_user_alloc(8192);
    sim_user_free(u + 4096, 4096);
    sim_user_write(u + 4094, Uint8Array.from([7, 8]));
    const k = kmalloc(4, C_GFP_KERNEL);
    const r = UserSlice.new(u + 4094, 4).reader();
    expect(codeOf(() => r.readRaw(k, 4))).toBe('EFAULT');
    expect(Array.from(memcpy_to_js(k, 4))).toEqual([7, 8, 0, 0]);
    expect(r.len).toBe(4);
    kfree(k);
  });

  it('writeRaw from a freed object is a KASAN report, not a silent copy', () => {
    const k = kmalloc(8, C_GFP_KERNEL);
    kfree(k);
    const w = UserSlice.new(sim_user_alloc(4096), 8).writer();
    codeOf(() => w.writeRaw(k, 8));
    expect(dmesg_records().map((r) => r.text)).toContain(
      'BUG: KASAN: slab-use-after-free in copy_to_user',
    );
  });

  it('clear advances by what it zeroed and still fails', () => {
    const u = sim_user_alloc(8192);
    sim_user_write(u + 4093, Uint8Array.from([5, 5, 5]));
    sim_user_free(u + 4096, 4096);
    const w = UserSlice.new(u + 4093, 8).writer();
    expect(codeOf(() => w.clear(8))).toBe('EFAULT');
    expect(w.len).toBe(5);
    expect(Array.from(sim_user_read(u + 4093, 3))).toEqual([0, 0, 0]);
  });
});

describe('readAll', () => {
  it('ENOMEM comes before the user memory is read, and leaves the vector', () => {
    failslab.ignore_gfp_reclaim = false;
    failslab.attr.verbose = 0;
    using v = KVec.bytes();
    const r = UserSlice.new(sim_user_alloc(4096), 16).reader();
    set_fail_nth(1);
    expect(codeOf(() => r.readAll(v, GFP_KERNEL))).toBe('ENOMEM');
    set_fail_nth(0);
    expect([v.len, r.len]).toEqual([0, 16]);
    r.readAll(v, GFP_KERNEL);
    expect(v.len).toBe(16);
  });

  it('EFAULT appends nothing', () => {
    using v = KVec.bytes();
    const u = sim_user_alloc(8192);
    sim_user_free(u + 4096, 4096);
    const r = UserSlice.new(u + 4000, 200).reader();
    expect(codeOf(() => r.readAll(v, GFP_KERNEL))).toBe('EFAULT');
    expect(v.len).toBe(0);
  });
});

describe('in a user process', () => {
  it('copies go to the calling task address space', async () => {
    let seen = '';
    sim_spawn('reader', async () => {
      const u = sim_user_alloc(4096);
      sim_user_write(u, new TextEncoder().encode('kit'));
      const out = new Uint8Array(3);
      UserSlice.new(u, 3).reader().readSlice(out);
      seen = new TextDecoder().decode(out);
      return 0;
    });
    await sim_run_until_idle();
    expect(seen).toBe('kit');
  });
});
