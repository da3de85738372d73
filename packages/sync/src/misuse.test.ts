import { GFP_ATOMIC, GFP_KERNEL } from '@rfl/alloc';
import {
  debug_locks_off,
  debug_locks_on,
  dmesg_clear,
  dmesg_records,
  failslab,
  fault_inject_reset,
  find_kmem_cache,
  get_fail_nth,
  kmemleak_object_count,
  kthread_run,
  lockdep_reset,
  mm_init,
  msleep,
  panic_reset,
  preempt_count,
  readl,
  set_fail_nth,
  sim_advance,
  spin_is_locked,
} from '@rfl/kernel';
import { NotThreadSafe } from '@rfl/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Arc,
  type ArcBorrow,
  CondVar,
  LockedBy,
  Mutex,
  Revocable,
  SpinLock,
  UniqueArc,
} from './index.js';

const bugs = () =>
  dmesg_records()
    .map((r) => r.text)
    .filter((t) => t.startsWith('BUG: '));

beforeEach(() => {
  mm_init({ quiet: true, kmemleak: true });
  dmesg_clear();
});

afterEach(() => {
  set_fail_nth(0);
  fault_inject_reset();
  mm_init({ quiet: true });
  panic_reset();
  lockdep_reset();
  debug_locks_on();
});

describe('Arc', () => {
  it('counts in the refcount_t at the start of its allocation', () => {
    const a = Arc.new('x', GFP_KERNEL);
    const clones = [a.clone(), a.clone()];
    expect(readl(a.addr)).toBe(3);
    for (const c of clones) c[Symbol.dispose]();
    expect(readl(a.addr)).toBe(1);
    a[Symbol.dispose]();
  });

  it('survives a failslab sweep over Arc.new and clone without leaking', () => {
    const baseline = kmemleak_object_count();
    let n = 1;
    for (; ; n++) {
      failslab.ignore_gfp_reclaim = false;
      failslab.attr.verbose = 0;
      set_fail_nth(n);
      const made: Arc<number>[] = [];
      try {
        for (let i = 0; i < 3; i++) {
          const a = Arc.new(i, GFP_KERNEL);
          made.push(a, a.clone());
        }
      } catch (e) {
        expect(e).toMatchObject({ code: 'ENOMEM' });
      }
      for (const a of made) a[Symbol.dispose]();
      const injected = get_fail_nth() === 0;
      set_fail_nth(0);
      fault_inject_reset();
      expect(kmemleak_object_count()).toBe(baseline);
      if (!injected) break;
    }
    expect(n).toBe(4);
  });

  it('reports the misuses of its foreign pointer', () => {
    const ptr = Arc.new(1, GFP_KERNEL).intoForeign();
    Arc.fromForeign(ptr)[Symbol.dispose]();
    expect(() => Arc.fromForeign(ptr)).toThrow('pointer was already taken back by from_foreign()');
    expect(() => Arc.borrow(ptr)).toThrow('pointer was already taken back by from_foreign()');
    expect(() => Arc.fromForeign(ptr + 0x100)).toThrow('pointer did not come from into_foreign()');
    expect(bugs()).toHaveLength(3);
  });

  it('reports a borrow that outlives its Arc', () => {
    let escaped: ArcBorrow<number> | undefined;
    {
      using a = Arc.new(5, GFP_KERNEL);
      escaped = a.asArcBorrow();
      expect(escaped.value).toBe(5);
    }
    expect(() => escaped?.value).toThrow(
      /^ArcBorrow used after its Arc was dropped \(value of [0-9a-f]{16}\)$/,
    );
    expect(bugs()[0]).toMatch(/^BUG: ArcBorrow used after its Arc was dropped/);
  });

  it('poisons the handle on every move', () => {
    for (const move of [
      (a: Arc<number>) => a.intoRaw(),
      (a: Arc<number>) => a.intoForeign(),
      (a: Arc<number>) => a.move(),
      (a: Arc<number>) => a.intoUniqueOrDrop()?.[Symbol.dispose](),
    ]) {
      const a = Arc.new(1, GFP_KERNEL);
      const kept = a.clone();
      move(a);
      expect(() => a.clone()).toThrow('use of moved value: `Arc` in clone');
      kept[Symbol.dispose]();
    }
  });

  it('keeps the memory while a Weak exists and refuses to upgrade after the last strong drop', () => {
    const slab = find_kmem_cache('kmalloc-16')!;
    const inuse = slab.inuse;
    const dropped: string[] = [];
    const a = Arc.new({ [Symbol.dispose]: () => dropped.push('value') }, GFP_KERNEL);
    const w = a.downgrade();
    const w2 = w.clone();
    a[Symbol.dispose]();
    expect(dropped).toEqual(['value']);
    expect(w.upgrade()).toBeNull();
    expect(slab.inuse).toBe(inuse + 1);
    w[Symbol.dispose]();
    expect(slab.inuse).toBe(inuse + 1);
    w2[Symbol.dispose]();
    expect(slab.inuse).toBe(inuse);
  });

  it('does not make a UniqueArc while a Weak could upgrade', () => {
    const a = Arc.new(1, GFP_KERNEL);
    const w = a.downgrade();
    expect(a.intoUniqueOrDrop()).toBeNull();
    expect(w.upgrade()).toBeNull();
    w[Symbol.dispose]();
    const u = UniqueArc.new(2, GFP_ATOMIC);
    expect(u.intoArc().intoUniqueOrDrop()?.value).toBe(2);
  });

  it('frees the last reference exactly once however the tasks interleave', async () => {
    for (const order of [
      [10, 20, 30],
      [30, 20, 10],
      [20, 10, 30],
    ]) {
      let frees = 0;
      const a = Arc.new({ [Symbol.dispose]: () => frees++ }, GFP_KERNEL);
      for (const ms of order) {
        const mine = a.clone();
        kthread_run(
          async () => {
            await msleep(ms);
            mine[Symbol.dispose]();
            return 0;
          },
          null,
          `t${ms}`,
        );
      }
      a[Symbol.dispose]();
      expect(frees).toBe(0);
      await sim_advance(100);
      expect(frees).toBe(1);
    }
    expect(kmemleak_object_count()).toBe(0);
  });
});

describe('locks', () => {
  it('reports a guard used after unlock', async () => {
    const m = Mutex.new(1);
    const g = await m.lock();
    g[Symbol.dispose]();
    expect(() => g.value).toThrow('use of moved value: `Guard` in value');
    expect(() => g.lock).toThrow('use of moved value: `Guard` in lock');
    expect(m.tryLock()).not.toBeNull();
  });

  it('takes the spinlock fast path with lock debugging off and still reports misuse', () => {
    debug_locks_off();
    const s = SpinLock.new(1);
    const g = s.lock();
    expect(preempt_count()).toBe(1);
    expect(spin_is_locked(s.raw())).toBe(true);
    g.value += 1;
    expect(g.notThreadSafe).toBe(NotThreadSafe);
    g[Symbol.dispose]();
    g[Symbol.dispose]();
    expect(preempt_count()).toBe(0);
    expect(spin_is_locked(s.raw())).toBe(false);
    expect(() => g.value).toThrow('use of moved value: `Guard` in value');
    using again = s.lock();
    expect(again.value).toBe(2);
    expect(() => s.lock()).toThrow('soft lockup spinning on');
    expect(preempt_count()).toBe(1);
  });

  it('reports LockedBy with a guard of another lock', () => {
    const a = SpinLock.new(0);
    const b = SpinLock.new(0);
    const data = LockedBy.new(a, 1);
    using g = b.lock();
    expect(() => data.accessMut(g)).toThrow('LockedBy: mismatched owners');
    expect(bugs()).toEqual(['BUG: LockedBy: mismatched owners']);
  });

  it('unlocks on every exit path', async () => {
    const m = Mutex.new(0);
    await expect(
      (async () => {
        using g = await m.lock();
        g.value = 1;
        throw new Error('bail');
      })(),
    ).rejects.toThrow('bail');
    const g = m.tryLock();
    expect(g?.value).toBe(1);
    g?.[Symbol.dispose]();
  });

  it('does not remember a notification nobody waited for', async () => {
    const m = Mutex.new(0);
    const cv = CondVar.new();
    cv.notifyAll();
    cv.notifyOne();
    let result = '';
    kthread_run(
      async () => {
        using g = await m.lock();
        result = (await cv.waitInterruptibleTimeout(g, 10)).kind;
        return 0;
      },
      null,
      'waiter',
    );
    await sim_advance(100);
    expect(result).toBe('Timeout');
  });
});

describe('Revocable', () => {
  it('reports a guard used after dispose and drops the data once', async () => {
    let drops = 0;
    const r = Revocable.new({ [Symbol.dispose]: () => drops++ });
    const g = r.tryAccess();
    g?.[Symbol.dispose]();
    expect(() => g?.value).toThrow('use of moved value: `RevocableGuard` in value');
    expect(await r.revoke()).toBe(true);
    expect(r.revokeNosync()).toBe(false);
    r[Symbol.dispose]();
    expect(drops).toBe(1);
    expect(r.tryAccess()).toBeNull();
  });
});
