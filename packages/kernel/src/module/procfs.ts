/**
 * What tools read about modules: `/proc/modules` (kernel/module/procfs.c), the
 * `lsmod` table kmod prints from it, the `modinfo` fields of a module file, and
 * the taint flags a module shows in reports (`module_flags`).
 *
 * @module
 */

import {
  TAINT_AUX,
  TAINT_CRAP,
  TAINT_FORCED_MODULE,
  TAINT_FWCTL,
  TAINT_LIVEPATCH,
  TAINT_OOT_MODULE,
  TAINT_PROPRIETARY_MODULE,
  TAINT_RANDSTRUCT,
  TAINT_TEST,
  TAINT_UNSIGNED_MODULE,
  UTS_RELEASE,
} from '../panic.js';
import type { module_declaration } from './declare.js';
import { module_authors, module_dependencies, module_path } from './declare.js';
import {
  MODULE_STATE_COMING,
  MODULE_STATE_GOING,
  MODULE_STATE_UNFORMED,
  type module,
  module_refcount,
  modules,
} from './module.js';

/** The taint flags a module can carry, in bit order, with their letters. */
const MODULE_TAINTS: readonly [number, string][] = [
  [TAINT_PROPRIETARY_MODULE, 'P'],
  [TAINT_FORCED_MODULE, 'F'],
  [TAINT_CRAP, 'C'],
  [TAINT_OOT_MODULE, 'O'],
  [TAINT_UNSIGNED_MODULE, 'E'],
  [TAINT_LIVEPATCH, 'K'],
  [TAINT_AUX, 'X'],
  [TAINT_RANDSTRUCT, 'T'],
  [TAINT_TEST, 'N'],
  [TAINT_FWCTL, 'J'],
];

/** `module_flags_taint()`: the letters of the module's taints (`/sys/module/<m>/taint`). */
export function module_flags_taint(taints: number): string {
  let s = '';
  for (const [bit, letter] of MODULE_TAINTS) if (taints & (1 << bit)) s += letter;
  return s;
}

/**
 * `module_flags()`: `(POE)`-style taint letters, with `+` while loading and `-`
 * while unloading when `show_state`; empty for an untainted live module.
 */
export function module_flags(mod: module, show_state: boolean): string {
  if (!mod.taints && !show_state) return '';
  if (!mod.taints && mod.state !== MODULE_STATE_GOING && mod.state !== MODULE_STATE_COMING) {
    return '';
  }
  let s = `(${module_flags_taint(mod.taints)}`;
  if (mod.state === MODULE_STATE_GOING && show_state) s += '-';
  if (mod.state === MODULE_STATE_COMING && show_state) s += '+';
  return `${s})`;
}

/** The "Used by" modules of `mod`: the modules using it, most recent first. */
export function module_holders(mod: module): string[] {
  return mod.source_list.map((m) => m.name);
}

/**
 * The text of `/proc/modules`: one line per module, most recently loaded first —
 * `name size refcount users, state address [taints]`. `hide_addresses` is what a
 * reader without `CAP_SYSLOG` gets under `kptr_restrict` (all zeroes).
 *
 * @example
 * ```ts
 * import { declare_module, load_module, module_reset, proc_modules_show } from '@rfl/kernel';
 * module_reset();
 * declare_module({ name: 'fox_den', license: 'GPL', size: 12000, init: () => 0, exit: () => {} });
 * await load_module('fox_den') // => 0
 * proc_modules_show() // => 'fox_den 12288 0 - Live 0xffffffffc0000000\n'
 * proc_modules_show({ hide_addresses: true }) // => 'fox_den 12288 0 - Live 0x0000000000000000\n'
 * # module_reset();
 * ```
 */
export function proc_modules_show(options: { hide_addresses?: boolean } = {}): string {
  let out = '';
  for (const mod of modules) {
    if (mod.state === MODULE_STATE_UNFORMED) continue;
    let users = mod.source_list.map((m) => `${m.name},`).join('');
    if (mod.ops.init && !mod.ops.exit) users += '[permanent],';
    const state =
      mod.state === MODULE_STATE_GOING
        ? 'Unloading'
        : mod.state === MODULE_STATE_COMING
          ? 'Loading'
          : 'Live';
    const addr = options.hide_addresses ? 0n : mod.base;
    out += `${mod.name} ${mod.size} ${module_refcount(mod)} ${users || '-'} ${state} 0x${addr.toString(16).padStart(16, '0')}`;
    if (mod.taints) out += ` ${module_flags(mod, true)}`;
    out += '\n';
  }
  return out;
}

/**
 * What `lsmod` prints: kmod's header and one `%-19s %8ld  %d` line per module,
 * with its holders comma-separated after the count.
 *
 * @example
 * ```ts
 * import { declare_module, lsmod_show, load_module, module_reset } from '@rfl/kernel';
 * module_reset();
 * declare_module({ name: 'fox_core', license: 'GPL', exports: { fox_new: () => 1 } });
 * declare_module({ name: 'fox_red', license: 'GPL', imports: ['fox_new'], init: () => 0, exit: () => {} });
 * await load_module('fox_core') // => 0
 * await load_module('fox_red') // => 0
 * lsmod_show().split('\n') // => ['Module                  Size  Used by', 'fox_red                16384  0', 'fox_core               16384  1 fox_red', '']
 * # module_reset();
 * ```
 */
export function lsmod_show(): string {
  let out = 'Module                  Size  Used by\n';
  for (const mod of modules) {
    if (mod.state === MODULE_STATE_UNFORMED) continue;
    let line = `${mod.name.padEnd(19)} ${String(mod.size).padStart(8)}  ${module_refcount(mod)}`;
    const holders = module_holders(mod);
    if (holders.length) line += ` ${holders.join(',')}`;
    out += `${line}\n`;
  }
  return out;
}

/** The `vermagic` every module of this kernel carries. */
export function module_vermagic(): string {
  return `${UTS_RELEASE} SMP preempt mod_unload `;
}

/**
 * The fields `modinfo` prints for a module file, in its order: filename,
 * version, license, description, authors, aliases, depends, intree, name,
 * vermagic, then one `parm` per parameter (`name:description (type)`).
 */
export function modinfo_fields(decl: module_declaration): [string, string][] {
  const fields: [string, string][] = [['filename', module_path(decl)]];
  if (decl.version !== undefined) fields.push(['version', decl.version]);
  if (decl.license !== undefined) fields.push(['license', decl.license]);
  if (decl.description !== undefined) fields.push(['description', decl.description]);
  for (const a of module_authors(decl)) fields.push(['author', a]);
  for (const a of decl.alias ?? []) fields.push(['alias', a]);
  fields.push(['depends', module_dependencies(decl).join(',')]);
  fields.push(['intree', 'Y']);
  fields.push(['name', decl.name]);
  fields.push(['vermagic', module_vermagic()]);
  for (const [name, spec] of Object.entries(decl.params ?? {})) {
    fields.push(['parm', `${name}:${spec.description ?? ''} (${spec.type})`]);
  }
  return fields;
}

/**
 * What `modinfo` prints: each field as `key:` padded to 16 columns, then the value.
 *
 * @example
 * ```ts
 * import { declare_module, modinfo_show } from '@rfl/kernel';
 * const foxes = declare_module({
 *   name: 'foxes_info',
 *   license: 'GPL',
 *   description: 'Foxes misc device',
 *   author: 'Rust for Linux Contributors',
 *   params: { count: { type: 'int', default: 1, description: 'Number of foxes' } },
 * });
 * modinfo_show(foxes).split('\n')[1] // => 'license:        GPL'
 * modinfo_show(foxes).split('\n').at(-2) // => 'parm:           count:Number of foxes (int)'
 * ```
 */
export function modinfo_show(decl: module_declaration): string {
  return modinfo_fields(decl)
    .map(([k, v]) => `${`${k}:`.padEnd(16)}${v}\n`)
    .join('');
}
