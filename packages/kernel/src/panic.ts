/**
 * Taint flags, `WARN()` and `BUG()` (`kernel/panic.c`, `lib/bug.c`,
 * `lib/dump_stack.c`), with the kernel's report shapes. The `Call Trace:` of a
 * report lists the JavaScript frames that led to it (see `stacktrace.ts`).
 *
 * A WARN prints its report, taints the kernel with `W` and lets the caller
 * continue. A BUG prints `kernel BUG at file:line!`, taints with `D` and throws
 * an {@link Oops}: the task that hit it does not continue.
 *
 * @example
 * ```ts
 * import { TAINT_WARN, WARN_ON, dmesg, dmesg_clear, test_taint } from '@rfl/kernel';
 * # dmesg_clear();
 * const broken = WARN_ON(1 + 1 !== 3);
 * broken // => true
 * dmesg().includes('WARNING: CPU: 0 PID: 1 at ') // => true
 * dmesg().includes('Call Trace:') // => true
 * test_taint(TAINT_WARN) // => true
 * ```
 *
 * @module
 */

import { KERN_DEFAULT, KERN_WARNING, pr_emerg, pr_warn, printk } from './printk.js';
import { type StackCapture, stack_capture, stack_frames, stack_lines } from './stacktrace.js';
import { sprintf } from './vsprintf.js';

/** `init_utsname()->release` of the simulated kernel. */
export const UTS_RELEASE = '6.12.0-rfl';

// Taint bits and letters, in the order of include/linux/panic.h.
export const TAINT_PROPRIETARY_MODULE = 0;
export const TAINT_FORCED_MODULE = 1;
export const TAINT_CPU_OUT_OF_SPEC = 2;
export const TAINT_FORCED_RMMOD = 3;
export const TAINT_MACHINE_CHECK = 4;
export const TAINT_BAD_PAGE = 5;
export const TAINT_USER = 6;
export const TAINT_DIE = 7;
export const TAINT_OVERRIDDEN_ACPI_TABLE = 8;
export const TAINT_WARN = 9;
export const TAINT_CRAP = 10;
export const TAINT_FIRMWARE_WORKAROUND = 11;
export const TAINT_OOT_MODULE = 12;
export const TAINT_UNSIGNED_MODULE = 13;
export const TAINT_SOFTLOCKUP = 14;
export const TAINT_LIVEPATCH = 15;
export const TAINT_AUX = 16;
export const TAINT_RANDSTRUCT = 17;
export const TAINT_TEST = 18;
export const TAINT_FWCTL = 19;

/** [letter when set, letter when clear] per taint bit (kernel/panic.c taint_flags). */
const TAINT_LETTERS = 'PGF S R M B U D A W C I O E L K X T N J '
  .match(/../g)!
  .map((pair, i) => (i === 0 ? ['P', 'G'] : [pair[0]!, ' ']));
const TAINT_FLAGS_COUNT = TAINT_LETTERS.length;

const state = {
  tainted_mask: 0,
  die_counter: 0,
  warned_once: new Set<string>(),
  current: (): { pid: number; comm: string } => ({ pid: 1, comm: 'swapper/0' }),
  modules: (): string[] => [],
};

/** Sets a taint bit (`add_taint`); taints never clear until reboot. */
export function add_taint(flag: number): void {
  state.tainted_mask |= 1 << flag;
}

/** Whether a taint bit is set. */
export function test_taint(flag: number): boolean {
  return (state.tainted_mask & (1 << flag)) !== 0;
}

/** The taint mask, as `/proc/sys/kernel/tainted` shows it. */
export function get_taint(): number {
  return state.tainted_mask;
}

/**
 * `Not tainted`, or `Tainted: ` followed by one column per taint bit, as the
 * `CPU:` line of every report shows it.
 */
export function print_tainted(): string {
  if (state.tainted_mask === 0) return 'Not tainted';
  let s = 'Tainted: ';
  for (let i = 0; i < TAINT_FLAGS_COUNT; i++) {
    const [on, off] = TAINT_LETTERS[i]!;
    s += test_taint(i) ? on : off;
  }
  return s;
}

/**
 * Tells reports who `current` is. The scheduler installs its `current()`;
 * before it does, reports name pid 1, `swapper/0`.
 */
export function set_current_task_source(source: () => { pid: number; comm: string }): void {
  state.current = source;
}

/** The pid and comm of `current`, as reports print them. */
export function current_task_info(): { pid: number; comm: string } {
  return state.current();
}

/** Tells reports which modules are loaded (`Modules linked in:`). */
export function set_modules_source(source: () => string[]): void {
  state.modules = source;
}

function print_modules(): void {
  const mods = state.modules();
  printk(`${KERN_DEFAULT}Modules linked in:${mods.length ? ' ' : ''}%s\n`, mods.join(' '));
}

/**
 * `dump_stack_lvl()`: the `CPU:` and `Hardware name:` lines and the call
 * trace of `capture` (default: the caller), each printed at `log_lvl`.
 */
export function dump_stack_lvl(
  log_lvl: string,
  capture: StackCapture = stack_capture(dump_stack_lvl),
): void {
  const { pid, comm } = state.current();
  const print = (line: string) => printk(`${log_lvl}%s\n`, line);
  print(`CPU: 0 UID: 0 PID: ${pid} Comm: ${comm} ${print_tainted()} ${UTS_RELEASE} #1`);
  print('Hardware name: rfl-ts simulated machine');
  print('Call Trace:');
  print(' <TASK>');
  for (const line of stack_lines(capture)) print(line);
  print(' </TASK>');
}

/** `dump_stack()`: {@link dump_stack_lvl} at KERN_DEFAULT. */
export function dump_stack(capture: StackCapture = stack_capture(dump_stack)): void {
  dump_stack_lvl(KERN_DEFAULT, capture);
}

function print_oops_end_marker(): void {
  pr_warn('---[ end trace 0000000000000000 ]---\n');
}

/** `__warn()`: the body of every WARN report. */
function __warn(capture: StackCapture, message: string | undefined): void {
  const where = stack_frames(capture)[0];
  pr_warn('------------[ cut here ]------------\n');
  const { pid } = state.current();
  if (where) {
    pr_warn('WARNING: CPU: 0 PID: %d at %s:%d %s\n', pid, where.file, where.line, where.function);
  } else {
    pr_warn('WARNING: CPU: 0 PID: %d at (unknown)\n', pid);
  }
  if (message !== undefined) printk(`${KERN_DEFAULT}%s`, message);
  print_modules();
  dump_stack(capture);
  print_oops_end_marker();
  add_taint(TAINT_WARN);
}

function warn_once_key(capture: StackCapture): string {
  const f = stack_frames(capture)[0];
  return f ? `${f.file}:${f.line}:${f.column}` : '';
}

/**
 * Reports `WARNING: ... at file:line function` when `condition` is truthy and
 * returns the condition, so that it can guard the recovery path:
 * `if (WARN_ON(!dev)) return -EINVAL;`.
 */
export function WARN_ON(condition: unknown): boolean {
  if (!condition) return false;
  __warn(stack_capture(WARN_ON), undefined);
  return true;
}

/** {@link WARN_ON} with a printk-formatted message after the WARNING line. */
export function WARN(condition: unknown, fmt: string, ...args: unknown[]): boolean {
  if (!condition) return false;
  const message = sprintf(fmt, ...args);
  __warn(stack_capture(WARN), message);
  return true;
}

/**
 * {@link WARN_ON}, reporting only the first time this call site (file, line
 * and column) fires; it still returns the condition every time.
 *
 * @example
 * ```ts
 * import { WARN_ON_ONCE, dmesg, dmesg_clear } from '@rfl/kernel';
 * # dmesg_clear();
 * for (let i = 0; i < 3; i++) WARN_ON_ONCE(true);
 * dmesg().split('WARNING:').length - 1 // => 1
 * ```
 */
export function WARN_ON_ONCE(condition: unknown): boolean {
  if (!condition) return false;
  const capture = stack_capture(WARN_ON_ONCE);
  const key = warn_once_key(capture);
  if (state.warned_once.has(key)) return true;
  state.warned_once.add(key);
  __warn(capture, undefined);
  return true;
}

/** {@link WARN}, reporting only the first time this call site fires. */
export function WARN_ONCE(condition: unknown, fmt: string, ...args: unknown[]): boolean {
  if (!condition) return false;
  const capture = stack_capture(WARN_ONCE);
  const key = warn_once_key(capture);
  if (state.warned_once.has(key)) return true;
  state.warned_once.add(key);
  __warn(capture, sprintf(fmt, ...args));
  return true;
}

/**
 * The exception that ends a task which hit `BUG()` or another fatal kernel
 * error, after the Oops report was printed. Whoever runs the task (the
 * scheduler) catches it; it must never take the simulator down.
 */
export class Oops extends Error {
  /** Errno-style code for `should_throw=` matching. */
  readonly code = 'Oops';
  constructor(message: string) {
    super(message);
    this.name = 'Oops';
  }
}

/**
 * `BUG()`: prints `kernel BUG at file:line!` and an Oops report, taints the
 * kernel with `D` and throws an {@link Oops}.
 *
 * @example
 * ```ts should_throw="kernel BUG at"
 * import { BUG } from '@rfl/kernel';
 * BUG();
 * ```
 */
export function BUG(): never {
  throw bug_report(stack_capture(BUG));
}

/** `BUG()` when `condition` is truthy. */
export function BUG_ON(condition: unknown): void {
  if (condition) throw bug_report(stack_capture(BUG_ON));
}

function bug_report(capture: StackCapture): Oops {
  const where = stack_frames(capture)[0];
  const at = where ? `${where.file}:${where.line}` : '(unknown)';
  pr_warn('------------[ cut here ]------------\n');
  pr_emerg('kernel BUG at %s!\n', at);
  return die('invalid opcode', 0, capture, `kernel BUG at ${at}!`);
}

/**
 * `die()`: the Oops report for a fatal kernel error — the `Oops:` line with
 * the error code and Oops counter, the identification lines, the call trace
 * of `capture`, the modules — then taints with `D`. Returns the {@link Oops}
 * the caller throws to end the task.
 */
export function die(str: string, err: number, capture: StackCapture, message: string): Oops {
  state.die_counter += 1;
  pr_warn(
    'Oops: %s%04x [#%d] PREEMPT SMP NOPTI\n',
    str ? `${str}: ` : '',
    err & 0xffff,
    state.die_counter,
  );
  dump_stack_lvl(KERN_WARNING, capture);
  print_modules();
  print_oops_end_marker();
  add_taint(TAINT_DIE);
  return new Oops(message);
}

/** Clears taint, the WARN_ONCE memory and the Oops counter. For tests. */
export function panic_reset(): void {
  state.tainted_mask = 0;
  state.die_counter = 0;
  state.warned_once.clear();
}
