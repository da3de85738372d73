import { beforeEach, describe, expect, it } from 'vitest';
import { ATOMIC_INIT, atomic_read } from './atomic.js';
import { lockdep_reset } from './locking/lockdep.js';
import { DEFINE_MUTEX, mutex_is_locked, mutex_unlock } from './locking/mutex.js';
import { DEFINE_SPINLOCK, spin_is_locked, spin_unlock } from './locking/spinlock.js';
import { panic_reset, print_tainted } from './panic.js';
import { dmesg, dmesg_clear } from './printk.js';
import {
  REFCOUNT_INIT,
  REFCOUNT_MAX,
  REFCOUNT_SATURATED,
  refcount_add,
  refcount_add_not_zero,
  refcount_dec,
  refcount_dec_and_lock,
  refcount_dec_and_mutex_lock,
  refcount_dec_and_test,
  refcount_dec_if_one,
  refcount_dec_not_one,
  refcount_inc,
  refcount_inc_not_zero,
  refcount_read,
  refcount_sub_and_test,
  refcount_t,
} from './refcount.js';

function warnings(): string[] {
  return dmesg({ notime: true })
    .split('\n')
    .filter((l) => l.startsWith('refcount_t: '));
}

beforeEach(() => {
  lockdep_reset();
  dmesg_clear();
  panic_reset();
});

describe('refcount_t', () => {
  it('counts without warnings in normal use', () => {
    const r = REFCOUNT_INIT(1);
    refcount_inc(r);
    refcount_add(3, r);
    expect(refcount_read(r)).toBe(5);
    expect(refcount_sub_and_test(4, r)).toBe(false);
    expect(refcount_dec_and_test(r)).toBe(true);
    expect(refcount_read(r)).toBe(0);
    expect(dmesg()).toBe('');
  });

  it('warns "addition on 0; use-after-free." and saturates', () => {
    const r = REFCOUNT_INIT(0);
    refcount_inc(r);
    expect(warnings()).toEqual(['refcount_t: addition on 0; use-after-free.']);
    expect(refcount_read(r)).toBe(REFCOUNT_SATURATED);
    expect(refcount_read(r)).toBe(0xc0000000);
    expect(dmesg()).toMatch(
      /WARNING: CPU: 0 PID: 1 at packages\/kernel\/src\/refcount\.ts:\d+ refcount_warn_saturate/,
    );
    expect(print_tainted()).toMatch(/W/);
  });

  it('warns "saturated; leaking memory." on overflow, and stays saturated', () => {
    const r = REFCOUNT_INIT(REFCOUNT_MAX);
    refcount_inc(r);
    expect(warnings()).toEqual(['refcount_t: saturated; leaking memory.']);
    expect(refcount_read(r)).toBe(REFCOUNT_SATURATED);
    // A saturated counter never comes back to zero: the object leaks instead of being freed.
    expect(refcount_dec_and_test(r)).toBe(false);
    expect(refcount_read(r)).toBe(REFCOUNT_SATURATED);
  });

  it('warns once for add_not_zero overflow and refuses zero', () => {
    expect(refcount_inc_not_zero(REFCOUNT_INIT(0))).toBe(false);
    expect(dmesg()).toBe('');
    const r = REFCOUNT_INIT(REFCOUNT_MAX);
    expect(refcount_add_not_zero(1, r)).toBe(true);
    expect(warnings()).toEqual(['refcount_t: saturated; leaking memory.']);
    expect(refcount_read(r)).toBe(REFCOUNT_SATURATED);
  });

  it('warns "underflow; use-after-free." when dropping below zero', () => {
    const r = REFCOUNT_INIT(0);
    expect(refcount_dec_and_test(r)).toBe(false);
    expect(warnings()).toEqual(['refcount_t: underflow; use-after-free.']);
    expect(refcount_read(r)).toBe(REFCOUNT_SATURATED);
  });

  it('warns "decrement hit 0; leaking memory." from refcount_dec', () => {
    const r = REFCOUNT_INIT(1);
    refcount_dec(r);
    expect(warnings()).toEqual(['refcount_t: decrement hit 0; leaking memory.']);
    expect(refcount_read(r)).toBe(REFCOUNT_SATURATED);
  });

  it('prints each kind of warning once per boot', () => {
    refcount_inc(REFCOUNT_INIT(0));
    refcount_inc(REFCOUNT_INIT(0));
    refcount_dec(REFCOUNT_INIT(1));
    expect(warnings()).toEqual([
      'refcount_t: addition on 0; use-after-free.',
      'refcount_t: decrement hit 0; leaking memory.',
    ]);
  });

  it('dec_if_one and dec_not_one', () => {
    const r = REFCOUNT_INIT(2);
    expect(refcount_dec_if_one(r)).toBe(false);
    expect(refcount_dec_not_one(r)).toBe(true);
    expect(refcount_read(r)).toBe(1);
    expect(refcount_dec_not_one(r)).toBe(false);
    expect(refcount_dec_if_one(r)).toBe(true);
    expect(refcount_read(r)).toBe(0);
    const sat = REFCOUNT_INIT(0);
    refcount_inc(sat);
    expect(refcount_dec_not_one(sat)).toBe(true);
    expect(refcount_read(sat)).toBe(REFCOUNT_SATURATED);
  });

  it('dec_and_lock takes the lock only for the last reference', () => {
    const lock = DEFINE_SPINLOCK('list_lock');
    const r = REFCOUNT_INIT(2);
    expect(refcount_dec_and_lock(r, lock)).toBe(false);
    expect(spin_is_locked(lock)).toBe(false);
    expect(refcount_dec_and_lock(r, lock)).toBe(true);
    expect(spin_is_locked(lock)).toBe(true);
    spin_unlock(lock);
    expect(refcount_read(r)).toBe(0);
  });

  it('dec_and_mutex_lock takes the mutex only for the last reference', async () => {
    const m = DEFINE_MUTEX('list_mutex');
    const r = REFCOUNT_INIT(2);
    expect(await refcount_dec_and_mutex_lock(r, m)).toBe(false);
    expect(mutex_is_locked(m)).toBe(false);
    expect(await refcount_dec_and_mutex_lock(r, m)).toBe(true);
    expect(mutex_is_locked(m)).toBe(true);
    mutex_unlock(m);
  });

  it('can sit on a shared counter', () => {
    const counter = ATOMIC_INIT(1);
    const r = new refcount_t(counter);
    refcount_inc(r);
    expect(atomic_read(counter)).toBe(2);
  });
});
