import { beforeEach, describe, expect, it } from 'vitest';
import { EINVAL, ENOMEM } from '../errno.js';
import { panic_reset } from '../panic.js';
import { dmesg, dmesg_records, printk_reset } from '../printk.js';
import { alloc_task, release_task, run_as, TASK_COMM_LEN } from '../sched/task.js';
import { read_ptr, write_ptr } from './access.js';
import {
  fail_page_alloc,
  failslab,
  fault_debugfs_files,
  fault_inject_reset,
  get_fail_nth,
  set_fail_nth,
  set_make_it_fail,
} from './fault-inject.js';
import { __GFP_NOWARN, GFP_ATOMIC, GFP_KERNEL } from './gfp.js';
import { mm_init } from './init.js';
import { kasan_report_count } from './kasan.js';
import { kcalloc, kfree, kmalloc, kzalloc } from './kmalloc.js';
import { kmemleak_object_count, kmemleak_scan } from './kmemleak.js';
import { __get_free_pages, free_pages } from './page_alloc.js';
import { kvfree, kvmalloc } from './vmalloc.js';

const log = () => dmesg_records().map((r) => r.text);

beforeEach(() => {
  mm_init({ quiet: true });
  printk_reset();
  panic_reset();
});

describe('failslab', () => {
  it('fails the nth allocation of the task and says so', () => {
    failslab.ignore_gfp_reclaim = false;
    set_fail_nth(3);
    const got = [0, 1, 2, 3].map(() => kmalloc(16, GFP_KERNEL));
    expect(got.map((p) => p !== 0)).toEqual([true, true, false, true]);
    expect(get_fail_nth()).toBe(0);
    expect(log()[0]).toBe(
      'FAULT_INJECTION: forcing a failure.\nname failslab, interval 1, probability 0, space 0, times 1',
    );
    expect(log()[1]).toMatch(/^CPU: 0 UID: 0 PID: 1 Comm: swapper\/0 /);
  });

  it('ignores allocations that may sleep by default (ignore-gfp-wait)', () => {
    failslab.attr.probability = 100;
    failslab.attr.times = -1;
    expect(kmalloc(16, GFP_KERNEL)).not.toBe(0);
    expect(kmalloc(16, GFP_ATOMIC)).toBe(0);
  });

  it('honours probability, interval and times', () => {
    failslab.ignore_gfp_reclaim = false;
    failslab.attr.probability = 100;
    failslab.attr.interval = 2;
    failslab.attr.times = 2;
    failslab.attr.verbose = 0;
    const ok = Array.from({ length: 6 }, () => kmalloc(8, GFP_KERNEL) !== 0);
    expect(ok).toEqual([true, false, true, false, true, true]);
    expect(failslab.attr.times).toBe(0);
    expect(dmesg()).toBe('');
  });

  it('stays quiet for __GFP_NOWARN', () => {
    failslab.ignore_gfp_reclaim = false;
    set_fail_nth(1);
    expect(kmalloc(8, GFP_KERNEL | __GFP_NOWARN)).toBe(0);
    expect(dmesg()).toBe('');
  });

  it('fails only tasks with make-it-fail under task-filter', () => {
    failslab.ignore_gfp_reclaim = false;
    failslab.attr.probability = 100;
    failslab.attr.times = -1;
    failslab.attr.task_filter = true;
    const task = alloc_task('fox_probe', 0);
    set_make_it_fail(task, true);
    expect(run_as(task, () => kmalloc(8, GFP_KERNEL))).toBe(0);
    expect(kmalloc(8, GFP_KERNEL)).not.toBe(0);
    expect(log()).toContain(
      'FAULT_INJECTION: forcing a failure.\nname failslab, interval 1, probability 100, space 0, times -1',
    );
    expect(log().some((l) => l.includes(`Comm: ${'fox_probe'.slice(0, TASK_COMM_LEN - 1)} `))).toBe(
      true,
    );
    release_task(task);
  });
});

describe('fail_page_alloc', () => {
  it('ignores order 0 by default (min-order 1)', () => {
    fail_page_alloc.ignore_gfp_reclaim = false;
    fail_page_alloc.attr.probability = 100;
    fail_page_alloc.attr.times = -1;
    const page = __get_free_pages(GFP_KERNEL, 0);
    expect(page).not.toBe(0);
    expect(__get_free_pages(GFP_KERNEL, 1)).toBe(0);
    expect(log()[0]).toContain('name fail_page_alloc,');
    // An injected failure is not an out-of-memory report.
    expect(dmesg()).not.toContain('page allocation failure');
    free_pages(page, 0);
  });
});

/**
 * A small allocation-heavy routine in the kernel's style: a den with a name,
 * an array of cub pointers and a cub per slot, built with goto-style unwinding.
 * Returns the den or -ENOMEM.
 */
function den_create(cubs: number): number {
  const den = kzalloc(32, GFP_KERNEL);
  if (den === 0) return -ENOMEM;
  const name = kmalloc(16, GFP_KERNEL);
  if (name === 0) {
    kfree(den);
    return -ENOMEM;
  }
  write_ptr(name, den);
  const array = kcalloc(cubs, 8, GFP_KERNEL);
  if (array === 0) {
    kfree(name);
    kfree(den);
    return -ENOMEM;
  }
  write_ptr(array, den + 8);
  for (let i = 0; i < cubs; i++) {
    const cub = kmalloc(48, GFP_KERNEL);
    if (cub === 0) {
      for (let j = i - 1; j >= 0; j--) kfree(read_ptr(array + 8 * j));
      kfree(array);
      kfree(name);
      kfree(den);
      return -ENOMEM;
    }
    write_ptr(cub, array + 8 * i);
  }
  const tunnel = kvmalloc(64 << 10, GFP_KERNEL);
  if (tunnel === 0) {
    for (let j = cubs - 1; j >= 0; j--) kfree(read_ptr(array + 8 * j));
    kfree(array);
    kfree(name);
    kfree(den);
    return -ENOMEM;
  }
  write_ptr(tunnel, den + 16);
  return den;
}

function den_destroy(den: number, cubs: number): void {
  const array = read_ptr(den + 8);
  for (let i = 0; i < cubs; i++) kfree(read_ptr(array + 8 * i));
  kfree(array);
  kfree(read_ptr(den));
  kvfree(read_ptr(den + 16));
  kfree(den);
}

describe('failslab sweep', () => {
  it('fails each allocation in turn without leaks or KASAN reports', () => {
    mm_init({ quiet: true, kasan: true, kmemleak: true });
    failslab.ignore_gfp_reclaim = false;
    fail_page_alloc.ignore_gfp_reclaim = false;
    const CUBS = 5;
    let failures = 0;
    let absorbed = 0;
    for (let nth = 1; ; nth++) {
      set_fail_nth(nth);
      const den = den_create(CUBS);
      const reached = get_fail_nth() === 0;
      set_fail_nth(0);
      if (den > 0) den_destroy(den, CUBS);
      if (!reached) break;
      if (den > 0) absorbed += 1;
      else {
        failures += 1;
        expect(den).toBe(-ENOMEM);
      }
      expect(kmemleak_object_count()).toBe(0);
      expect(kmemleak_scan()).toBe(0);
      expect(kasan_report_count()).toBe(0);
    }
    // den, name, array and 5 cubs fail the routine; the kvmalloc's kmalloc
    // (an order-4 page allocation) fails too, but vmalloc absorbs it: its
    // pages are order 0, below fail_page_alloc's min-order.
    expect([failures, absorbed]).toEqual([8, 1]);
    expect(kmemleak_object_count()).toBe(0);
    expect(kasan_report_count()).toBe(0);
  });
});

describe('debugfs files', () => {
  it('read and write the fault attributes like the kernel files', () => {
    const slab = fault_debugfs_files('failslab');
    const page = fault_debugfs_files('fail_page_alloc');
    expect(Object.keys(slab)).toEqual([
      'probability',
      'interval',
      'times',
      'space',
      'verbose',
      'task-filter',
      'ignore-gfp-wait',
      'cache-filter',
    ]);
    expect(page['min-order']!.read()).toBe('1\n');
    expect(slab.times!.write('-1\n')).toBe(0);
    expect(failslab.attr.times).toBe(-1);
    expect(slab.probability!.write('-5')).toBe(-EINVAL);
    expect(slab['ignore-gfp-wait']!.write('N')).toBe(0);
    expect(slab['ignore-gfp-wait']!.read()).toBe('N\n');
    expect(slab['task-filter']!.write('maybe')).toBe(-EINVAL);
  });
});

describe('fault_inject_reset', () => {
  it('forgets a task’s fail-nth countdown, as a reboot does', () => {
    set_fail_nth(3);
    expect(get_fail_nth()).toBe(3);
    fault_inject_reset();
    expect(get_fail_nth()).toBe(0);
    const p = kmalloc(32, GFP_KERNEL);
    expect(p).not.toBe(0);
    kfree(p);
  });
});
