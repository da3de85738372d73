/**
 * Logic bugs (`drivers/misc/lkdtm/bugs.c`): BUG, WARNINGs, a NULL write,
 * and corrupted list pointers for CONFIG_DEBUG_LIST to catch.
 *
 * The C tests keep their list heads and the redirection target on the
 * stack; the simulation's stacks hold no memory, so they live in kmalloc
 * memory here.
 *
 * @module
 */

import {
  BUG,
  GFP_KERNEL,
  INIT_LIST_HEAD,
  kfree,
  kzalloc,
  LIST_HEAD_SIZE,
  list_add,
  list_del,
  read_ptr,
  WARN,
  WARN_ON,
  write_ptr,
  writel,
} from '@rfl/kernel';
import { type crashtype, pr_err, pr_expected_config, pr_info } from './lkdtm.js';

let warn_counter = 0;

function lkdtm_BUG(): void {
  BUG();
}

function lkdtm_WARNING(): void {
  WARN_ON(++warn_counter);
}

function lkdtm_WARNING_MESSAGE(): void {
  WARN(1, 'Warning message trigger count: %d\n', ++warn_counter);
}

function lkdtm_EXCEPTION(): void {
  writel(0, 0);
}

/** The "stack" of the list tests: a list head, two nodes and a two-pointer target. */
function list_frame(): { head: number; good: number; bad: number; target: number; free(): void } {
  const head = kzalloc(LIST_HEAD_SIZE, GFP_KERNEL);
  const good = kzalloc(LIST_HEAD_SIZE, GFP_KERNEL);
  const bad = kzalloc(LIST_HEAD_SIZE, GFP_KERNEL);
  const target = kzalloc(2 * 8, GFP_KERNEL);
  INIT_LIST_HEAD(head);
  return {
    head,
    good,
    bad,
    target,
    free() {
      for (const p of [head, good, bad, target]) kfree(p);
    },
  };
}

function target_untouched(target: number): boolean {
  return read_ptr(target) === 0 && read_ptr(target + 8) === 0;
}

function lkdtm_CORRUPT_LIST_ADD(): void {
  const f = list_frame();
  pr_info('attempting good list addition\n');
  list_add(f.good, f.head);
  pr_info('attempting corrupted list addition\n');
  // The "write what where": the next insertion would store &bad where head.next points.
  write_ptr(f.target, f.head);
  list_add(f.bad, f.head);
  if (target_untouched(f.target)) {
    pr_err('Overwrite did not happen, but no BUG?!\n');
  } else {
    pr_err('list_add() corruption not detected!\n');
    pr_expected_config('CONFIG_LIST_HARDENED', true);
  }
  f.free();
}

function lkdtm_CORRUPT_LIST_DEL(): void {
  const f = list_frame();
  const item = f.good;
  list_add(item, f.head);
  pr_info('attempting good list removal\n');
  list_del(item);
  pr_info('attempting corrupted list removal\n');
  list_add(item, f.head);
  write_ptr(f.target, item);
  list_del(item);
  if (target_untouched(f.target)) {
    pr_err('Overwrite did not happen, but no BUG?!\n');
  } else {
    pr_err('list_del() corruption not detected!\n');
    pr_expected_config('CONFIG_LIST_HARDENED', true);
  }
  f.free();
}

export const bugs_crashtypes: crashtype[] = [
  { name: 'BUG', func: lkdtm_BUG },
  { name: 'WARNING', func: lkdtm_WARNING },
  { name: 'WARNING_MESSAGE', func: lkdtm_WARNING_MESSAGE },
  { name: 'EXCEPTION', func: lkdtm_EXCEPTION },
  { name: 'CORRUPT_LIST_ADD', func: lkdtm_CORRUPT_LIST_ADD },
  { name: 'CORRUPT_LIST_DEL', func: lkdtm_CORRUPT_LIST_DEL },
];
