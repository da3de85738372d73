/**
 * Fault injection in the style of `lib/fault-inject.c`: `failslab` fails slab
 * allocations, `fail_page_alloc` fails page allocations, each configured by a
 * {@link fault_attr} whose fields are the files of
 * `/sys/kernel/debug/<name>/` (part 2 mounts them there).
 *
 * Three ways to pick the failing allocation:
 * - `probability` (percent) with `interval` and `times`, optionally only for
 *   tasks marked with {@link set_make_it_fail} (`task-filter`);
 * - {@link set_fail_nth} — `/proc/self/fail-nth`: the Nth fault-injection
 *   point the current task reaches fails, whatever the probability.
 *
 * Defaults are the kernel's: both ignore allocations that may sleep
 * (`ignore-gfp-wait` = Y) and `fail_page_alloc` ignores orders below 1
 * (`min-order`), so tests that want to fail `GFP_KERNEL` allocations clear
 * `ignore_gfp_reclaim` first.
 *
 * `failslab` exists only with `CONFIG_FAILSLAB` and `fail_page_alloc` only with
 * `CONFIG_FAIL_PAGE_ALLOC` (both depend on `CONFIG_FAULT_INJECTION`, see
 * `kconfig.ts`); without them no allocation is made to fail.
 *
 * @example
 * ```ts
 * import { GFP_KERNEL, dmesg, failslab, kfree, kmalloc, mm_init, set_fail_nth } from '@rfl/kernel';
 * # mm_init({ quiet: true });
 * failslab.ignore_gfp_reclaim = false;
 * set_fail_nth(2);
 * const a = kmalloc(32, GFP_KERNEL);
 * const b = kmalloc(32, GFP_KERNEL);
 * b // => 0
 * dmesg().includes('FAULT_INJECTION: forcing a failure.') // => true
 * kfree(a);
 * # mm_init({ quiet: true });
 * ```
 *
 * @module
 */

import { EINVAL } from '../errno.js';
import { kconfig_watch } from '../kconfig.js';
import { dump_stack } from '../panic.js';
import { pr_notice } from '../printk.js';
import { in_task } from '../sched/preempt.js';
import { current, type task_struct } from '../sched/task.js';
import {
  __GFP_DIRECT_RECLAIM,
  __GFP_HIGHMEM,
  __GFP_NOFAIL,
  __GFP_NOWARN,
  type gfp_t,
} from './gfp.js';

/** `struct fault_attr`. */
export interface fault_attr {
  readonly name: string;
  /** Percent chance that an eligible call fails (0 disables). */
  probability: number;
  /** Only every `interval`th eligible call may fail. */
  interval: number;
  /** How many more failures to inject; -1 for no limit. */
  times: number;
  /** Bytes of allocations to let through before failing. */
  space: number;
  /** 0: silent, 1: one line, 2: and a stack trace. */
  verbose: number;
  /** Fail only tasks marked with {@link set_make_it_fail}. */
  task_filter: boolean;
  /** Eligible calls seen (for `interval`). */
  count: number;
}

function fault_attr_init(name: string): fault_attr {
  return {
    name,
    probability: 0,
    interval: 1,
    times: 1,
    space: 0,
    verbose: 2,
    task_filter: false,
    count: 0,
  };
}

/** `/sys/kernel/debug/failslab/`. */
export const failslab = {
  attr: fault_attr_init('failslab'),
  /** `ignore-gfp-wait`: do not fail allocations that may sleep. */
  ignore_gfp_reclaim: true,
  /** `cache-filter`: fail only caches created with SLAB_FAILSLAB. */
  cache_filter: false,
};

/** `/sys/kernel/debug/fail_page_alloc/`. */
export const fail_page_alloc = {
  attr: fault_attr_init('fail_page_alloc'),
  ignore_gfp_reclaim: true,
  ignore_gfp_highmem: true,
  /** `min-order`: do not fail allocations of a lower order. */
  min_order: 1,
};

let fail_nth = new WeakMap<task_struct, number>();
let make_it_fail = new WeakSet<task_struct>();
/** Tasks with a fail-nth countdown; may overcount tasks that exited armed. */
let nth_armed = 0;
let rnd_state = 0x2545f491;

/** xorshift32: deterministic, seeded by {@link fault_inject_reset}. */
function random_below_100(): number {
  let x = rnd_state;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  rnd_state = x >>> 0;
  return rnd_state % 100;
}

/**
 * `/proc/<pid>/fail-nth`: the `n`th fault-injection point `task` reaches
 * from now on fails (1 = the next one); 0 disables.
 */
export function set_fail_nth(n: number, task: task_struct = current()): void {
  if (fail_nth.has(task)) nth_armed -= 1;
  if (n === 0) fail_nth.delete(task);
  else {
    fail_nth.set(task, n);
    nth_armed += 1;
  }
}

/** What `/proc/<pid>/fail-nth` reads: 0 once the failure was injected. */
export function get_fail_nth(task: task_struct = current()): number {
  return fail_nth.get(task) ?? 0;
}

/** `/proc/<pid>/make-it-fail`: marks a task for `task-filter`. */
export function set_make_it_fail(task: task_struct, on: boolean): void {
  if (on) make_it_fail.add(task);
  else make_it_fail.delete(task);
}

function fail_dump(attr: fault_attr): void {
  if (attr.verbose <= 0) return;
  pr_notice(
    'FAULT_INJECTION: forcing a failure.\nname %s, interval %u, probability %u, space %d, times %d\n',
    attr.name,
    attr.interval,
    attr.probability,
    attr.space,
    attr.times,
  );
  if (attr.verbose > 1) dump_stack();
}

/** `should_fail_ex`: whether this call (of `size` bytes) is to fail. */
function should_fail_ex(attr: fault_attr, size: number, nowarn: boolean): boolean {
  let fail = false;
  if (in_task()) {
    const task = current();
    const nth = fail_nth.get(task);
    if (nth !== undefined) {
      if (nth <= 1) {
        fail_nth.delete(task);
        nth_armed -= 1;
        fail = true;
      } else {
        fail_nth.set(task, nth - 1);
        return false;
      }
    }
  }
  if (!fail) {
    if (attr.probability === 0) return false;
    if (attr.task_filter && !(in_task() && make_it_fail.has(current()))) return false;
    if (attr.times === 0) return false;
    if (attr.space > size) {
      attr.space -= size;
      return false;
    }
    if (attr.interval > 1) {
      attr.count += 1;
      if (attr.count % attr.interval !== 0) return false;
    }
    if (attr.probability <= random_below_100()) return false;
  }
  if (!nowarn) fail_dump(attr);
  if (attr.times !== -1 && attr.times > 0) attr.times -= 1;
  return true;
}

/** CONFIG_FAILSLAB and CONFIG_FAIL_PAGE_ALLOC, cached for the allocation fast paths. */
let config_failslab = true;
let config_fail_page_alloc = true;
kconfig_watch('CONFIG_FAILSLAB', (on) => {
  config_failslab = on;
});
kconfig_watch('CONFIG_FAIL_PAGE_ALLOC', (on) => {
  config_fail_page_alloc = on;
});

/** Whether failslab could fail anything now (a cheap test for the slab fast path). */
export function failslab_armed(): boolean {
  if (!config_failslab) return false;
  return nth_armed > 0 || failslab.attr.probability !== 0;
}

/** `should_failslab()`: consulted by every slab allocation. */
export function should_failslab(object_size: number, gfp: gfp_t, cache_failslab: boolean): boolean {
  if (!config_failslab) return false;
  if (gfp & __GFP_NOFAIL) return false;
  if (failslab.ignore_gfp_reclaim && gfp & __GFP_DIRECT_RECLAIM) return false;
  if (failslab.cache_filter && !cache_failslab) return false;
  return should_fail_ex(failslab.attr, object_size, (gfp & __GFP_NOWARN) !== 0);
}

/** `should_fail_alloc_page()`: consulted by every page allocation. */
export function should_fail_alloc_page(gfp: gfp_t, order: number): boolean {
  if (!config_fail_page_alloc) return false;
  if (order < fail_page_alloc.min_order) return false;
  if (gfp & __GFP_NOFAIL) return false;
  if (fail_page_alloc.ignore_gfp_highmem && gfp & __GFP_HIGHMEM) return false;
  if (fail_page_alloc.ignore_gfp_reclaim && gfp & __GFP_DIRECT_RECLAIM) return false;
  return should_fail_ex(fail_page_alloc.attr, 4096 << order, (gfp & __GFP_NOWARN) !== 0);
}

/**
 * Restores both fault attributes to their defaults, forgets every task's `fail-nth`
 * countdown and `make-it-fail` mark (a reboot: no task keeps them), and reseeds the
 * random source.
 */
export function fault_inject_reset(): void {
  fail_nth = new WeakMap();
  make_it_fail = new WeakSet();
  nth_armed = 0;
  Object.assign(failslab, {
    attr: fault_attr_init('failslab'),
    ignore_gfp_reclaim: true,
    cache_filter: false,
  });
  Object.assign(fail_page_alloc, {
    attr: fault_attr_init('fail_page_alloc'),
    ignore_gfp_reclaim: true,
    ignore_gfp_highmem: true,
    min_order: 1,
  });
  rnd_state = 0x2545f491;
}

/** One file of a fault-injection debugfs directory: what `cat` prints and what `echo` does. */
export interface fault_debugfs_file {
  read(): string;
  /** Parses `text` like the kernel's attribute store; returns 0 or `-EINVAL`. */
  write(text: string): number;
}

function ulong_file(
  get: () => number,
  set: (v: number) => void,
  signed = false,
): fault_debugfs_file {
  return {
    read: () => `${get()}\n`,
    write: (text) => {
      const t = text.trim();
      if (!(signed ? /^-?\d+$/ : /^\d+$/).test(t)) return -EINVAL;
      set(Number(t));
      return 0;
    },
  };
}

function bool_file(get: () => boolean, set: (v: boolean) => void): fault_debugfs_file {
  return {
    read: () => (get() ? 'Y\n' : 'N\n'),
    write: (text) => {
      const c = text.trim().toLowerCase();
      if (['y', '1', 'on'].includes(c)) set(true);
      else if (['n', '0', 'off'].includes(c)) set(false);
      else return -EINVAL;
      return 0;
    },
  };
}

/**
 * The files of `/sys/kernel/debug/failslab/` or `/sys/kernel/debug/fail_page_alloc/`
 * (`fault_create_debugfs_attr` plus each one's own), for the debugfs tree to mount.
 *
 * @example
 * ```ts
 * import { fault_debugfs_files, failslab, mm_init } from '@rfl/kernel';
 * # mm_init({ quiet: true });
 * const files = fault_debugfs_files('failslab');
 * files.probability!.write('25\n') // => 0
 * failslab.attr.probability // => 25
 * files['ignore-gfp-wait']!.read() // => 'Y\n'
 * files.times!.write('many') // => -22
 * # mm_init({ quiet: true });
 * ```
 */
export function fault_debugfs_files(
  which: 'failslab' | 'fail_page_alloc',
): Record<string, fault_debugfs_file> {
  const owner = which === 'failslab' ? failslab : fail_page_alloc;
  const attr = () => owner.attr;
  const files: Record<string, fault_debugfs_file> = {
    probability: ulong_file(
      () => attr().probability,
      (v) => {
        attr().probability = Math.min(v, 100);
      },
    ),
    interval: ulong_file(
      () => attr().interval,
      (v) => {
        attr().interval = Math.max(v, 1);
      },
    ),
    times: ulong_file(
      () => attr().times,
      (v) => {
        attr().times = v;
      },
      true,
    ),
    space: ulong_file(
      () => attr().space,
      (v) => {
        attr().space = v;
      },
    ),
    verbose: ulong_file(
      () => attr().verbose,
      (v) => {
        attr().verbose = v;
      },
    ),
    'task-filter': bool_file(
      () => attr().task_filter,
      (v) => {
        attr().task_filter = v;
      },
    ),
    'ignore-gfp-wait': bool_file(
      () => owner.ignore_gfp_reclaim,
      (v) => {
        owner.ignore_gfp_reclaim = v;
      },
    ),
  };
  if (which === 'failslab') {
    files['cache-filter'] = bool_file(
      () => failslab.cache_filter,
      (v) => {
        failslab.cache_filter = v;
      },
    );
  } else {
    files['ignore-gfp-highmem'] = bool_file(
      () => fail_page_alloc.ignore_gfp_highmem,
      (v) => {
        fail_page_alloc.ignore_gfp_highmem = v;
      },
    );
    files['min-order'] = ulong_file(
      () => fail_page_alloc.min_order,
      (v) => {
        fail_page_alloc.min_order = v;
      },
    );
  }
  return files;
}
