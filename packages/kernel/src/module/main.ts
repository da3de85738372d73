/**
 * Loading and removing modules (kernel/module/main.c): `finit_module` and
 * `delete_module` with the kernel's order of checks, messages and errnos, and
 * `request_module` (the kernel asking modprobe).
 *
 * Loading a module, as `load_module()` does it: refuse a name already loaded
 * (`-EEXIST`); add the module `UNFORMED`; taint the kernel for a license that is
 * not GPL-compatible (`<mod>: module license '<lic>' taints kernel.`, then
 * `Disabling lock debugging due to kernel taint`: lockdep stops); resolve the
 * symbols it imports (`<mod>: Unknown symbol <sym> (err -2)`, GPL-only symbols
 * invisible to a proprietary module), taking a reference on each module it
 * uses; add its exports (`-ENOEXEC` for a duplicate); become `COMING`; parse its
 * parameters; run its init in the loading task. A negative return from init
 * unwinds all of it and is returned; 0 makes the module `LIVE`. An Oops in init
 * kills the loading task and leaves the module `COMING` for good, as in the
 * kernel (lsmod shows it, rmmod refuses it).
 *
 * Removing one, as `delete_module()` does it: `-ENOENT` if not loaded;
 * `-EWOULDBLOCK` while another module uses it or while its reference count is
 * not zero (an open file of a driver it registered holds one); `-EBUSY` while it
 * is not `LIVE` or when it has an init but no exit; then its exit runs, its
 * symbols go, the modules it used are released, and — with kmemleak on — a
 * kmemleak scan reports what it leaked. (kmod's `rmmod` checks the reference
 * count itself first and reports `Module foo is in use` with `EBUSY`; see
 * `kmod.ts`.)
 *
 * @module
 */

import { EBUSY, EEXIST, ENOENT, ENOEXEC, ENOSYS, EWOULDBLOCK } from '../errno.js';
import { set_fops_owner_ops } from '../fs/file_table.js';
import { IS_ENABLED } from '../kconfig.js';
import { debug_locks_off } from '../locking/debug-locks.js';
import { kmemleak_enabled, kmemleak_scan } from '../mm/kmemleak.js';
import {
  add_taint,
  dump_stack,
  set_modules_source,
  TAINT_FORCED_RMMOD,
  TAINT_PROPRIETARY_MODULE,
  test_taint,
} from '../panic.js';
import { pr_err, pr_warn } from '../printk.js';
import {
  find_module_file,
  license_is_gpl_compatible,
  type module_declaration,
  module_dependencies,
} from './declare.js';
import {
  find_module,
  MODULE_REF_BASE,
  MODULE_STATE_COMING,
  MODULE_STATE_GOING,
  MODULE_STATE_LIVE,
  MODULE_STATE_UNFORMED,
  module,
  module_put,
  modules,
  modules_clear,
  try_module_get,
  with_this_module,
} from './module.js';
import { type kernel_param, parse_module_args } from './params.js';
import { module_flags } from './procfs.js';
import {
  find_symbol,
  module_symbols_add,
  module_symbols_clear,
  module_symbols_remove,
} from './symbols.js';

/** `delete_module()` flag: remove even if in use (needs CONFIG_MODULE_FORCE_UNLOAD). */
export const MODULE_DELETE_O_TRUNC = 0o1000;
/** `delete_module()` flag kmod always passes; the kernel no longer waits without it. */
export const MODULE_DELETE_O_NONBLOCK = 0o4000;

/** Where module memory starts (x86-64 `MODULES_VADDR`). */
const MODULES_VADDR = 0xffffffffc0000000n;
const PAGE = 4096;

/** Hooks a subsystem runs when a module appears and goes (sysfs's `/sys/module/<name>`). */
export interface module_notifier {
  /** After the parameters are parsed, before init (`mod_sysfs_setup`). */
  coming?(mod: module): void;
  /** When init has succeeded (the `add` uevent). */
  live?(mod: module): void;
  /** When the module is freed (`mod_sysfs_teardown`). */
  going?(mod: module): void;
}

const state = {
  next_base: MODULES_VADDR,
  /** `last_unloaded_module`: name and taint flags of the last module removed. */
  last_unloaded: undefined as string | undefined,
  notifiers: [] as module_notifier[],
};

/** Registers `register_module_notifier`-style hooks (kept across module_reset). */
export function register_module_notifier(nb: module_notifier): void {
  state.notifiers.push(nb);
}

/** `add_taint(flag, LOCKDEP_NOW_UNRELIABLE)` on behalf of `mod`. */
function add_taint_module(mod: module, flag: number): void {
  if (debug_locks_off()) pr_warn('Disabling lock debugging due to kernel taint\n');
  add_taint(flag);
  mod.taints |= 1 << flag;
}

function module_license_taint_check(mod: module): void {
  const license = mod.license ?? 'unspecified';
  if (license_is_gpl_compatible(license)) return;
  if (!test_taint(TAINT_PROPRIETARY_MODULE)) {
    pr_warn("%s: module license '%s' taints kernel.\n", mod.name, license);
  }
  add_taint_module(mod, TAINT_PROPRIETARY_MODULE);
}

/** `ref_module(a, b)`: `a` uses `b`; holds a reference on `b` until `a` goes. */
function ref_module(a: module, b: module | undefined): number {
  if (!b || b.source_list.includes(a)) return 0;
  if (b.state === MODULE_STATE_COMING) return -EBUSY;
  if (!try_module_get(b)) return -ENOENT;
  b.source_list.unshift(a);
  a.target_list.unshift(b);
  return 0;
}

/** `module_unload_free()`: drops the references `mod` holds on the modules it uses. */
function module_unload_free(mod: module): void {
  for (const target of mod.target_list) {
    module_put(target);
    const i = target.source_list.indexOf(mod);
    if (i >= 0) target.source_list.splice(i, 1);
  }
  mod.target_list.length = 0;
}

/** `simplify_symbols()`: resolves every import; the last error, or 0. */
function simplify_symbols(mod: module, decl: module_declaration): number {
  let ret = 0;
  for (const name of decl.imports ?? []) {
    const err = resolve_symbol(mod, name);
    if (err) {
      pr_warn('%s: Unknown symbol %s (err %d)\n', mod.name, name, err);
      ret = err;
    }
  }
  return ret;
}

function resolve_symbol(mod: module, name: string): number {
  const gplok = (mod.taints & (1 << TAINT_PROPRIETARY_MODULE)) === 0;
  const sym = find_symbol(name, { gplok });
  if (!sym) return -ENOENT;
  if (sym.gpl_only) mod.using_gplonly_symbols = true;
  const owner = sym.owner;
  if (owner && owner.taints & (1 << TAINT_PROPRIETARY_MODULE)) {
    if (mod.using_gplonly_symbols) {
      pr_err(
        '%s: module using GPL-only symbols uses symbols %s from proprietary module %s.\n',
        mod.name,
        name,
        owner.name,
      );
      return -ENOENT;
    }
    if (!(mod.taints & (1 << TAINT_PROPRIETARY_MODULE))) {
      pr_warn(
        '%s: module uses symbols %s from proprietary module %s, inheriting taint.\n',
        mod.name,
        name,
        owner.name,
      );
      mod.taints |= 1 << TAINT_PROPRIETARY_MODULE;
    }
  }
  const err = ref_module(mod, owner);
  if (err) return err;
  mod.imports.set(name, sym.value);
  return 0;
}

/** `verify_exported_symbols()`: no export may already exist. */
function verify_exported_symbols(mod: module, decl: module_declaration): number {
  for (const name of [...Object.keys(decl.exports ?? {}), ...Object.keys(decl.exports_gpl ?? {})]) {
    const sym = find_symbol(name);
    if (sym) {
      pr_err(
        '%s: exports duplicate symbol %s (owned by %s)\n',
        mod.name,
        name,
        sym.owner?.name ?? 'kernel',
      );
      return -ENOEXEC;
    }
  }
  return 0;
}

/** `free_module()`: tears the module down and forgets it. */
function free_module(mod: module): void {
  for (const nb of state.notifiers) nb.going?.(mod);
  mod.state = MODULE_STATE_UNFORMED;
  module_unload_free(mod);
  module_symbols_remove(mod);
  const i = modules.indexOf(mod);
  if (i >= 0) modules.splice(i, 1);
}

/** The parameters as init sees them: each property reads the parameter's current value. */
function params_object(kp: readonly kernel_param[]): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  for (const p of kp) {
    Object.defineProperty(obj, p.name, { enumerable: true, get: () => p.value });
  }
  return Object.freeze(obj);
}

function module_size(decl: module_declaration): number {
  const size = decl.size ?? 16384;
  return Math.max(PAGE, Math.ceil(size / PAGE) * PAGE);
}

/**
 * Loads the module file `decl` with the parameter string `args`: the body of
 * {@link load_module}.
 */
export async function load_declared_module(decl: module_declaration, args = ''): Promise<number> {
  if (!IS_ENABLED('CONFIG_MODULES')) return -ENOSYS;
  if (modules.some((m) => m.name === decl.name)) return -EEXIST;
  const kp: kernel_param[] = Object.entries(decl.params ?? {}).map(([name, spec]) => ({
    name,
    type: spec.type,
    perm: spec.perm ?? 0,
    description: spec.description,
    value: spec.default,
  }));
  const size = module_size(decl);
  const mod = new module({
    name: decl.name,
    license: decl.license,
    version: decl.version,
    srcversion: undefined,
    size,
    base: state.next_base,
    args,
    kp,
    ops: {
      init: decl.init as module['ops']['init'],
      exit: decl.exit,
    },
  });
  // A guard page between modules, as vmalloc leaves one.
  state.next_base += BigInt(size + PAGE);
  modules.unshift(mod);
  // module_unload_init(): the base reference, and one held while init runs.
  mod.refcnt = MODULE_REF_BASE + 1;

  module_license_taint_check(mod);
  let err = simplify_symbols(mod, decl);
  for (const dep of decl.depends ?? []) {
    if (err) break;
    const target = find_module(dep);
    if (target) err = ref_module(mod, target);
  }
  if (!err) err = verify_exported_symbols(mod, decl);
  if (err) {
    free_module(mod);
    return err;
  }
  module_symbols_add(mod, decl.exports ?? {}, false);
  module_symbols_add(mod, decl.exports_gpl ?? {}, true);
  mod.state = MODULE_STATE_COMING;

  err = parse_module_args(mod.name, args, kp);
  if (err) {
    mod.state = MODULE_STATE_GOING;
    free_module(mod);
    return err;
  }
  for (const nb of state.notifiers) nb.coming?.(mod);
  return do_init_module(mod);
}

/** `do_init_module()`: runs init; a failure unwinds the load. */
async function do_init_module(mod: module): Promise<number> {
  const init = mod.ops.init;
  const ret = init ? await with_this_module(mod, () => init(params_object(mod.kp), mod)) : 0;
  if (ret < 0) {
    mod.state = MODULE_STATE_GOING;
    module_put(mod);
    free_module(mod);
    return ret;
  }
  if (ret > 0) {
    pr_warn(
      "%s: '%s'->init suspiciously returned %d, it should follow 0/-E convention\n%s: loading module anyway...\n",
      'do_init_module',
      mod.name,
      ret,
      'do_init_module',
    );
    dump_stack();
  }
  mod.state = MODULE_STATE_LIVE;
  for (const nb of state.notifiers) nb.live?.(mod);
  module_put(mod);
  return 0;
}

/**
 * `finit_module()`: loads the module file named by `name_or_path` (a name, an
 * alias, `foo.ko`, or its path under `/lib/modules`) with the parameter string
 * `args` (`"count=3 name=\"two words\""`), running its init in the calling task.
 * Returns 0 or a negative errno: `-ENOENT` for no such file (or an unknown symbol),
 * `-EEXIST` when already loaded, `-EINVAL`/`-ERANGE`/`-ENOSPC` for a bad parameter
 * value, `-ENOEXEC` for a duplicate export, `-ENOSYS` without `CONFIG_MODULES`,
 * or what init returned.
 *
 * @example
 * ```ts
 * import { declare_module, dmesg, dmesg_clear, load_module, delete_module, module_reset, pr_info } from '@rfl/kernel';
 * module_reset();
 * # dmesg_clear();
 * declare_module({
 *   name: 'hello',
 *   license: 'GPL',
 *   params: { whom: { type: 'charp', default: 'world' } },
 *   init: (params) => { pr_info('Hello, %s\n', params.whom); return 0; },
 *   exit: () => { pr_info('Goodbye\n'); },
 * });
 * await load_module('hello', 'whom="rust for linux"') // => 0
 * await load_module('hello') // => -17
 * await delete_module('hello', 0) // => 0
 * dmesg().includes('Hello, rust for linux') // => true
 * dmesg().includes('Goodbye') // => true
 * ```
 */
export async function load_module(name_or_path: string, args = ''): Promise<number> {
  if (!IS_ENABLED('CONFIG_MODULES')) return -ENOSYS;
  const decl = find_module_file(name_or_path);
  if (!decl) return -ENOENT;
  return load_declared_module(decl, args);
}

/** `try_force_unload()`: only with CONFIG_MODULE_FORCE_UNLOAD and O_TRUNC; taints `R`. */
function try_force_unload(flags: number): boolean {
  if (!IS_ENABLED('CONFIG_MODULE_FORCE_UNLOAD') || !(flags & MODULE_DELETE_O_TRUNC)) return false;
  if (debug_locks_off()) pr_warn('Disabling lock debugging due to kernel taint\n');
  add_taint(TAINT_FORCED_RMMOD);
  return true;
}

/**
 * `delete_module()`: removes the module `name` (see the module comment for the
 * order of checks). Returns 0, `-ENOENT`, `-EWOULDBLOCK` (in use), `-EBUSY` (not
 * live, or cannot be removed), or `-ENOSYS` without `CONFIG_MODULE_UNLOAD`.
 */
export async function delete_module(name: string, flags = 0): Promise<number> {
  if (!IS_ENABLED('CONFIG_MODULE_UNLOAD')) return -ENOSYS;
  const mod = find_module(name);
  if (!mod) return -ENOENT;
  if (mod.source_list.length > 0) return -EWOULDBLOCK;
  if (mod.state !== MODULE_STATE_LIVE) return -EBUSY;
  let forced = false;
  if (mod.ops.init && !mod.ops.exit) {
    forced = try_force_unload(flags);
    if (!forced) return -EBUSY;
  }
  // try_stop_module(): drop the base reference unless someone holds another.
  if (mod.refcnt - MODULE_REF_BASE !== 0) {
    if (!forced && !try_force_unload(flags)) return -EWOULDBLOCK;
  }
  mod.refcnt -= MODULE_REF_BASE;
  mod.state = MODULE_STATE_GOING;
  const exit = mod.ops.exit;
  if (exit) await with_this_module(mod, () => exit(mod));
  state.last_unloaded = `${mod.name}${module_flags(mod, false)}`;
  free_module(mod);
  if (kmemleak_enabled()) kmemleak_scan();
  return 0;
}

/**
 * `request_module()` / `modprobe name args`: loads the module with the modules it
 * depends on first (without parameters). 0 when it is loaded afterwards,
 * including when it already was; `-ENOENT` when no such module exists; otherwise
 * the first load's error.
 */
export async function request_module(name: string, args = ''): Promise<number> {
  if (!IS_ENABLED('CONFIG_MODULES')) return -ENOSYS;
  const decl = find_module_file(name);
  if (!decl) return -ENOENT;
  for (const dep of module_dependencies(decl)) {
    if (find_module(dep)) continue;
    const d = find_module_file(dep);
    if (!d) return -ENOENT;
    const err = await load_declared_module(d, '');
    if (err && err !== -EEXIST) return err;
  }
  if (find_module(decl.name)) return 0;
  return load_declared_module(decl, args);
}

/** The `Modules linked in:` list of reports: `name(flags)` each, then the last unloaded. */
function modules_linked_in(): string[] {
  const out = modules
    .filter((m) => m.state !== MODULE_STATE_UNFORMED)
    .map((m) => `${m.name}${module_flags(m, true)}`);
  if (state.last_unloaded) out.push(`[last unloaded: ${state.last_unloaded}]`);
  return out;
}

/**
 * Forgets every loaded module without running its exit (a reboot), with the
 * symbols modules exported and the last unloaded name; built-in exports,
 * declared module files and notifiers stay. Idempotent.
 */
export function module_reset(): void {
  for (const mod of [...modules]) for (const nb of state.notifiers) nb.going?.(mod);
  modules_clear();
  module_symbols_clear();
  state.last_unloaded = undefined;
  state.next_base = MODULES_VADDR;
}

set_modules_source(modules_linked_in);

/**
 * How the VFS pins `file_operations.owner` (`fops_get`/`fops_put`): a module is
 * referenced while a file of it is open; any other owner is built-in code.
 */
set_fops_owner_ops({
  get: (owner) => try_module_get(owner instanceof module ? owner : undefined),
  put: (owner) => module_put(owner instanceof module ? owner : undefined),
});
