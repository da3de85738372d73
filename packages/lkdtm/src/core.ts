/**
 * The crash test table and how tests are triggered (`drivers/misc/lkdtm/core.c`):
 * writing a test's name to `/sys/kernel/debug/provoke-crash/DIRECT` runs it
 * in the writing task, after `lkdtm: Performing direct entry <NAME>`; reading
 * the file lists `Available crash types:` and the names, one per line.
 *
 * A test that Oopses kills the task that triggered it (the shell's `echo` or
 * `cat`), as on a real kernel; the machine keeps running.
 *
 * @module
 */

import { EINVAL, PAGE_SIZE, WARN_ON } from '@rfl/kernel';
import { bugs_crashtypes } from './bugs.js';
import { heap_crashtypes, lkdtm_heap_exit, lkdtm_heap_init } from './heap.js';
import { type crashtype, pr_info } from './lkdtm.js';
import { perms_crashtypes } from './perms.js';
import { refcount_crashtypes } from './refcount.js';
import { lkdtm_usercopy_exit, lkdtm_usercopy_init, usercopy_crashtypes } from './usercopy.js';

export type { crashtype } from './lkdtm.js';

/**
 * Every supported crash test, in the kernel's order of categories (bugs,
 * heap, perms, refcount, usercopy).
 */
export const lkdtm_tests: readonly crashtype[] = [
  ...bugs_crashtypes,
  ...heap_crashtypes,
  ...perms_crashtypes,
  ...refcount_crashtypes,
  ...usercopy_crashtypes,
];

/** The test named `name` (`find_crashtype`). */
export function find_crashtype(name: string): crashtype | undefined {
  return lkdtm_tests.find((t) => t.name === name);
}

/** Kept out of line so that it shows in every report's call trace, as in C. */
export function lkdtm_do_action(crashtype: crashtype | undefined): void {
  if (WARN_ON(!crashtype)) return;
  const func = crashtype!.func;
  func();
}

/**
 * Runs the crash test `name` in the current task, as a write of the name to
 * DIRECT does: returns 0, or -EINVAL for a name LKDTM does not know. A test
 * that Oopses does not return: the {@link Oops} ends the calling task.
 *
 * @example
 * ```ts
 * import { dmesg, dmesg_clear } from '@rfl/kernel';
 * import { lkdtm_run } from '@rfl/lkdtm';
 * # dmesg_clear();
 * lkdtm_run('WARNING_MESSAGE') // => 0
 * dmesg().includes('lkdtm: Performing direct entry WARNING_MESSAGE') // => true
 * dmesg().includes('Warning message trigger count: ') // => true
 * lkdtm_run('NO_SUCH_TEST') // => -22
 * ```
 */
export function lkdtm_run(name: string): number {
  const crashtype = find_crashtype(name);
  if (!crashtype) return -EINVAL;
  pr_info('Performing direct entry %s\n', crashtype.name);
  lkdtm_do_action(crashtype);
  return 0;
}

/** What reading DIRECT returns (`lkdtm_debugfs_read`). */
export function lkdtm_direct_read(): string {
  return `Available crash types:\n${lkdtm_tests.map((t) => `${t.name}\n`).join('')}`;
}

/**
 * A write of `buf` to DIRECT (`direct_entry`): surrounding whitespace is
 * stripped, as `strim` does, and the named test runs. Returns the bytes
 * consumed, or -EINVAL for an empty or page-sized write or an unknown name.
 */
export function lkdtm_direct_write(buf: Uint8Array): number {
  const count = buf.length;
  if (count >= PAGE_SIZE || count < 1) return -EINVAL;
  const nul = buf.indexOf(0);
  const name = new TextDecoder().decode(nul < 0 ? buf : buf.subarray(0, nul)).trim();
  const ret = lkdtm_run(name);
  return ret < 0 ? ret : count;
}

/**
 * The test-specific part of `lkdtm_module_init`: the caches the heap and
 * usercopy tests use. Idempotent; after a reboot (`mm_init`) it creates them
 * again, and the tests that need them call it themselves.
 */
export function lkdtm_init(): number {
  lkdtm_heap_init();
  lkdtm_usercopy_init();
  return 0;
}

/** The test-specific part of `lkdtm_module_exit`: destroys the caches. */
export function lkdtm_exit(): void {
  lkdtm_usercopy_exit();
  lkdtm_heap_exit();
}
