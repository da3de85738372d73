import {
  debug_locks_on,
  dmesg_clear,
  dmesg_records,
  EINVAL,
  ENOSPC,
  get_taint,
  panic_reset,
  TAINT_DIE,
} from '@rfl/kernel';
import { beforeEach, describe, expect, it } from 'vitest';
import { ForeignTable, fromResult, KernelError, ScopeGuard, toResult, Unit } from './index.js';

const texts = () => dmesg_records().map((r) => r.text);

beforeEach(() => {
  dmesg_clear();
  panic_reset();
  debug_locks_on();
});

describe('ScopeGuard', () => {
  it('runs the cleanup exactly once, on dispose, with the current data', () => {
    const seen: number[] = [];
    const g = ScopeGuard.newWithData(1, (d) => seen.push(d));
    g.data = 5;
    g[Symbol.dispose]();
    g[Symbol.dispose]();
    expect(seen).toEqual([5]);
  });

  it('runs the cleanup when the scope is left by an exception', () => {
    const seen: string[] = [];
    expect(() => {
      using _g = ScopeGuard.new(() => seen.push('cleanup'));
      throw new Error('bail');
    }).toThrow('bail');
    expect(seen).toEqual(['cleanup']);
  });

  it('reports every use after dismiss as a use of a moved value', () => {
    const g = ScopeGuard.newWithData('x', () => {});
    expect(g.dismiss()).toBe('x');
    expect(() => g.data).toThrow('use of moved value: `ScopeGuard` in data');
    expect(() => {
      g.data = 'y';
    }).toThrow('use of moved value: `ScopeGuard` in data');
    expect(() => g.dismiss()).toThrow('use of moved value: `ScopeGuard` in dismiss');
    expect(texts().filter((t) => t.startsWith('BUG: '))).toEqual([
      'BUG: use of moved value: `ScopeGuard` in data',
      'BUG: use of moved value: `ScopeGuard` in data',
      'BUG: use of moved value: `ScopeGuard` in dismiss',
    ]);
    expect(texts()).toContain('Call Trace:');
  });
});

describe('ForeignOwnable misuse', () => {
  it('reports a pointer taken back twice and one that was never handed out', () => {
    const t = new ForeignTable<string>('Fox');
    t.insert(0x40, 'kit');
    expect(t.take(0x40, 'from_foreign')).toBe('kit');
    expect(() => t.take(0x40, 'from_foreign')).toThrow(
      'Fox::from_foreign(0000000000000040): pointer was already taken back by from_foreign()',
    );
    expect(() => t.get(0x40, 'borrow')).toThrow(
      'Fox::borrow(0000000000000040): pointer was already taken back by from_foreign()',
    );
    expect(() => t.get(0x80, 'borrow_mut')).toThrow(
      'Fox::borrow_mut(0000000000000080): pointer did not come from into_foreign()',
    );
    expect(texts().filter((t) => t.startsWith('BUG: '))).toHaveLength(3);
  });

  it('accepts a pointer again once it is handed out again', () => {
    const t = new ForeignTable<number>('Fox');
    t.insert(0x40, 1);
    t.take(0x40, 'from_foreign');
    t.insert(0x40, 2);
    expect(t.take(0x40, 'from_foreign')).toBe(2);
  });

  it('gives the unit type the pointer 1 and rejects others', () => {
    expect(Unit.intoForeign()).toBe(1);
    expect(Unit.tryFromForeign(0)).toBeNull();
    expect(() => Unit.borrow(0)).toThrow(
      '()::borrow(0000000000000000): pointer did not come from into_foreign()',
    );
  });
});

describe('errors', () => {
  it('maps out-of-range errnos to EINVAL with a warning', () => {
    for (const bad of [0, 1, -4096]) {
      expect(KernelError.fromErrno(bad).errno).toBe(EINVAL);
    }
    expect(texts()).toEqual([
      'attempted to create an error from an invalid errno 0',
      'attempted to create an error from an invalid errno 1',
      'attempted to create an error from an invalid errno -4096',
    ]);
    expect(KernelError.fromErrno(-4095).errno).toBe(4095);
  });

  it('round-trips errnos through toResult and fromResult', () => {
    expect(fromResult(() => toResult(-ENOSPC))).toBe(-ENOSPC);
    expect(fromResult(() => toResult(12))).toBe(12);
  });

  it('turns anything else into an Oops that taints the kernel', async () => {
    expect(() =>
      fromResult(() => {
        throw new RangeError('fox index out of range');
      }),
    ).toThrow('fox index out of range');
    expect(get_taint() & (1 << TAINT_DIE)).not.toBe(0);
    expect(texts()).toContain('BUG: unhandled exception in swapper/0/1: fox index out of range');
    await expect(
      fromResult(async () => {
        throw 'not an error';
      }),
    ).rejects.toThrow('not an error');
  });
});
