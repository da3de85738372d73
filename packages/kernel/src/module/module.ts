/**
 * `struct module` and its reference count (include/linux/module.h,
 * kernel/module/main.c): the list of loaded modules, `find_module`,
 * `try_module_get`/`module_put`, and the taint flags a module carries.
 *
 * A module's reference count starts at `MODULE_REF_BASE` (1) plus one reference
 * the loader holds while `init` runs, so {@link module_refcount} is 1 while the
 * module is `COMING` and 0 once it is `LIVE` and unused. Every
 * {@link try_module_get} that succeeds must be paired with a {@link module_put};
 * `rmmod` refuses while the count is above zero. A `module` of `undefined` is the
 * core kernel (C's `NULL` owner): getting it always succeeds and putting it does
 * nothing, so `try_module_get(fops.owner)` works for files of built-in code too.
 *
 * @module
 */

import { WARN_ON } from '../panic.js';
import { current, type task_struct } from '../sched/task.js';
import type { kernel_param } from './params.js';

export const MODULE_STATE_LIVE = 0;
export const MODULE_STATE_COMING = 1;
export const MODULE_STATE_GOING = 2;
export const MODULE_STATE_UNFORMED = 3;
export type module_state = 0 | 1 | 2 | 3;

/** The loader's own reference (`MODULE_REF_BASE`): refcnt 0 means the module is going. */
export const MODULE_REF_BASE = 1;
/** `MODULE_NAME_LEN`: names are at most 55 characters. */
export const MODULE_NAME_LEN = 64 - 8;

/** The code a module runs: what `module_init()` and `module_exit()` name. */
export interface module_ops {
  init?: ((params: Record<string, unknown>, mod: module) => Promise<number> | number) | undefined;
  exit?: ((mod: module) => Promise<void> | void) | undefined;
}

/**
 * `struct module`: one loaded module. Fields a tool reads (`/proc/modules`, lsmod,
 * sysfs) are public; the loader is the only writer.
 */
export class module {
  readonly name: string;
  state: module_state = MODULE_STATE_UNFORMED;
  /** Raw count including MODULE_REF_BASE; see {@link module_refcount}. */
  refcnt = 0;
  /** Taint bits this module set (TAINT_PROPRIETARY_MODULE…). */
  taints = 0;
  readonly license: string | undefined;
  readonly version: string | undefined;
  readonly srcversion: string | undefined;
  /** Bytes of module memory, as `/proc/modules` and lsmod print it. */
  readonly size: number;
  /** Load address of the module's text, as `/proc/modules` prints it. */
  readonly base: bigint;
  /** `mod->args`: the parameter string it was loaded with. */
  readonly args: string;
  /** `mod->kp`: its parameters, in declaration order. */
  readonly kp: readonly kernel_param[];
  /** Modules that use this one (`source_list`: the "Used by" column). */
  readonly source_list: module[] = [];
  /** Modules this one uses (`target_list`). */
  readonly target_list: module[] = [];
  /** Symbols it resolved at load, by name. */
  readonly imports = new Map<string, unknown>();
  readonly ops: module_ops;
  /** Whether `using_gplonly_symbols` (a GPL-only symbol was resolved). */
  using_gplonly_symbols = false;

  constructor(init: {
    name: string;
    license: string | undefined;
    version: string | undefined;
    srcversion: string | undefined;
    size: number;
    base: bigint;
    args: string;
    kp: readonly kernel_param[];
    ops: module_ops;
  }) {
    this.name = init.name;
    this.license = init.license;
    this.version = init.version;
    this.srcversion = init.srcversion;
    this.size = init.size;
    this.base = init.base;
    this.args = init.args;
    this.kp = init.kp;
    this.ops = init.ops;
  }
}

/** The loaded modules, most recently loaded first (the kernel adds at the head). */
export const modules: module[] = [];

/** Which module's init or exit each task is running (`THIS_MODULE` while it runs). */
const running = new Map<task_struct, module>();

/**
 * `find_module()`: the loaded module named `name` (dashes and underscores are
 * the same), or `undefined`. Unformed modules are skipped.
 */
export function find_module(name: string): module | undefined {
  const n = module_name_normalize(name);
  return modules.find((m) => m.name === n && m.state !== MODULE_STATE_UNFORMED);
}

/** Module names use underscores: `rust-foxes` and `rust_foxes` are the same module. */
export function module_name_normalize(name: string): string {
  return name.replace(/-/g, '_');
}

/** `module_is_live()`: neither going nor unformed. */
export function module_is_live(mod: module): boolean {
  return mod.state !== MODULE_STATE_GOING && mod.state !== MODULE_STATE_UNFORMED;
}

/**
 * `module_refcount()`: the references others hold (the loader's base reference
 * excluded), or -1 while the module is being removed.
 */
export function module_refcount(mod: module): number {
  return mod.refcnt - MODULE_REF_BASE;
}

/** `__module_get()`: takes a reference the caller knows it may take (it holds one already). */
export function __module_get(mod: module | undefined): void {
  if (mod) mod.refcnt += 1;
}

/**
 * `try_module_get()`: takes a reference unless the module is going away; returns
 * whether it did. `undefined` (the core kernel) always succeeds.
 *
 * The VFS takes one on open for `file_operations.owner` and drops it on the last
 * close, which is what makes `rmmod` of a module with open files fail.
 */
export function try_module_get(mod: module | undefined): boolean {
  if (!mod) return true;
  if (!module_is_live(mod) || mod.refcnt === 0) return false;
  mod.refcnt += 1;
  return true;
}

/** `module_put()`: drops a reference; warns on an unbalanced put. */
export function module_put(mod: module | undefined): void {
  if (!mod) return;
  if (WARN_ON(mod.refcnt <= 0)) return;
  mod.refcnt -= 1;
}

/** `module_name()`: the name, or `kernel` for the core kernel. */
export function module_name(mod: module | undefined): string {
  return mod ? mod.name : 'kernel';
}

/**
 * `THIS_MODULE` for code that runs inside a module's init or exit: the module the
 * current task is initialising or removing, `undefined` elsewhere (built-in code).
 * Code that runs later (file operations, timers) keeps the `module` its init was
 * given instead.
 */
export function this_module(): module | undefined {
  return running.get(current());
}

/** Runs `fn` with {@link this_module} returning `mod` in the current task. */
export async function with_this_module<T>(mod: module, fn: () => Promise<T> | T): Promise<T> {
  const task = current();
  const outer = running.get(task);
  running.set(task, mod);
  try {
    return await fn();
  } finally {
    if (outer) running.set(task, outer);
    else running.delete(task);
  }
}

/** Forgets every loaded module and every running init/exit; for module_reset(). */
export function modules_clear(): void {
  modules.length = 0;
  running.clear();
}
