import {
  debug_locks_on,
  dmesg_clear,
  dmesg_records,
  failslab,
  fault_inject_reset,
  get_fail_nth,
  KMALLOC_MAX_SIZE,
  kmemleak_object_count,
  mm_init,
  panic_reset,
  set_fail_nth,
} from '@rfl/kernel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  __GFP_NOWARN,
  GFP_KERNEL,
  KBox,
  Kmalloc,
  KVBox,
  KVec,
  KVVec,
  type Vec,
  Vmalloc,
} from './index.js';

const texts = () => dmesg_records().map((r) => r.text);

beforeEach(() => {
  mm_init({ quiet: true, kasan: true, kmemleak: true });
  dmesg_clear();
});

afterEach(() => {
  set_fail_nth(0);
  fault_inject_reset();
  mm_init({ quiet: true });
  panic_reset();
  debug_locks_on();
});

describe('KBox moves', () => {
  const moves: [string, (b: KBox<number>) => unknown][] = [
    ['intoInner', (b) => b.intoInner()],
    ['intoRaw', (b) => b.intoRaw()],
    ['intoForeign', (b) => b.intoForeign()],
    ['leak', (b) => b.leak()],
    ['move', (b) => b.move()],
  ];
  for (const [name, doMove] of moves) {
    it(`poisons the box after ${name}`, () => {
      const b = KBox.new(1, GFP_KERNEL);
      doMove(b);
      dmesg_clear();
      expect(() => b.value).toThrow('use of moved value: `KBox` in value');
      expect(texts()[0]).toBe('BUG: use of moved value: `KBox` in value');
    });
  }

  it('reports a use after dispose through KASAN', () => {
    const b = KBox.new(1, GFP_KERNEL);
    b[Symbol.dispose]();
    expect(() => b.value).toThrow('use-after-free: `KBox` in value');
    expect(texts().find((t) => t.startsWith('BUG: KASAN'))).toMatch(
      /^BUG: KASAN: slab-use-after-free in /,
    );
  });

  it('reports a use after dispose itself when KASAN is off', () => {
    mm_init({ quiet: true });
    const b = KVBox.new(1, GFP_KERNEL);
    b[Symbol.dispose]();
    expect(() => (b.value = 2)).toThrow('use-after-free: `KVBox` in value');
    expect(texts()).toEqual(['BUG: use-after-free: `KVBox` in value']);
  });
});

describe('KBox ForeignOwnable misuse', () => {
  it('reports fromForeign twice, a borrow after it and a foreign pointer never handed out', () => {
    const ptr = KBox.new('x', GFP_KERNEL).intoForeign();
    KBox.fromForeign(ptr)[Symbol.dispose]();
    expect(() => KBox.fromForeign(ptr)).toThrow(
      /^KBox::from_foreign\([0-9a-f]{16}\): pointer was already taken back/,
    );
    expect(() => KBox.borrowMut(ptr)).toThrow(
      /^KBox::borrow_mut\([0-9a-f]{16}\): pointer was already taken back/,
    );
    const other = KVBox.new('y', GFP_KERNEL).intoForeign();
    expect(() => KBox.fromForeign(other)).toThrow('pointer did not come from into_foreign()');
    KVBox.fromForeign(other)[Symbol.dispose]();
  });

  it('frees nothing twice and leaks nothing across a foreign round trip', () => {
    const before = kmemleak_object_count();
    const ptr = KBox.new([1, 2, 3], GFP_KERNEL).intoForeign();
    expect(kmemleak_object_count()).toBe(before + 1);
    expect(KBox.fromForeign<number[]>(ptr).intoInner()).toEqual([1, 2, 3]);
    expect(kmemleak_object_count()).toBe(before);
  });
});

describe('allocators', () => {
  it('fails a KBox above KMALLOC_MAX_SIZE and takes a KVBox of the same size', () => {
    const huge = { size: KMALLOC_MAX_SIZE + 1 };
    expect(() => KBox.newUninit(GFP_KERNEL.or(__GFP_NOWARN), huge)).toThrow(
      expect.objectContaining({ code: 'ENOMEM', errno: 12 }),
    );
    expect(texts()).toEqual([]);
    KVBox.newUninit(GFP_KERNEL, huge)[Symbol.dispose]();
  });

  it('refuses vmalloc alignment above a page with a warning', () => {
    expect(() => Vmalloc.alloc(16, 8192, GFP_KERNEL)).toThrow(
      expect.objectContaining({ code: 'ENOMEM' }),
    );
    expect(texts()).toEqual(['Vmalloc: 8192 alignment not supported']);
  });

  it('allocates nothing for zero bytes', () => {
    const before = kmemleak_object_count();
    const p = Kmalloc.alloc(0, 16, GFP_KERNEL);
    expect(p).toBe(16);
    expect(kmemleak_object_count()).toBe(before);
    Kmalloc.free(p, 0);
  });
});

function sweep(build: () => void): number {
  const baseline = kmemleak_object_count();
  let runs = 0;
  for (let n = 1; n < 1000; n++) {
    failslab.ignore_gfp_reclaim = false;
    failslab.attr.verbose = 0;
    set_fail_nth(n);
    runs += 1;
    build();
    const injected = get_fail_nth() === 0;
    set_fail_nth(0);
    fault_inject_reset();
    expect(kmemleak_object_count()).toBe(baseline);
    if (!injected) return runs;
  }
  throw new Error('the sweep never ended');
}

describe('failslab sweep over vector growth', () => {
  // Growth to 100 elements by doubling: capacities 1, 2, 4, …, 128. A value vector charges 8
  // bytes a slot, so each is a new allocation (8 failure points and a clean run); a byte
  // vector's first four capacities fit in one kmalloc-8 object, which krealloc keeps (5 + 1).
  for (const [name, make, expectedRuns] of [
    ['KVec', () => KVec.new<number>(), 9],
    ['KVVec', () => KVVec.new<number>(), 9],
    ['KVec of bytes', () => KVec.bytes(), 6],
  ] as [string, () => Vec<number>, number][]) {
    it(`${name}: a failed push leaves the vector unchanged and nothing leaks`, () => {
      const runs = sweep(() => {
        using v = make();
        for (let i = 0; i < 100; i++) {
          const [len, cap] = [v.len, v.capacity];
          try {
            v.push(i & 0xff, GFP_KERNEL);
          } catch (e) {
            expect(e).toMatchObject({ code: 'ENOMEM' });
            expect([v.len, v.capacity]).toEqual([len, cap]);
            return;
          }
        }
        expect(v.toArray()).toEqual(Array.from({ length: 100 }, (_, i) => i));
      });
      expect(runs).toBe(expectedRuns);
    });
  }

  it('a box of boxes drops the inner boxes on dispose', () => {
    const before = kmemleak_object_count();
    {
      using v = KVec.new<KBox<number>>();
      for (let i = 0; i < 10; i++) v.push(KBox.new(i, GFP_KERNEL), GFP_KERNEL);
      expect(kmemleak_object_count()).toBe(before + 11);
    }
    expect(kmemleak_object_count()).toBe(before);
  });
});
