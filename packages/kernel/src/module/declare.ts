/**
 * Module declarations and the module repository (`/lib/modules/<release>/`).
 *
 * A package that ships a module declares it once, at import time, with
 * {@link declare_module}: what `MODULE_LICENSE`, `MODULE_AUTHOR`,
 * `MODULE_DESCRIPTION`, `module_param`, `module_init` and `module_exit` say in C,
 * plus the symbols it exports and uses. The declaration is the `.ko` file: it
 * sits in the repository under a path until `insmod`/`modprobe` loads it, and
 * `modinfo` reads it.
 *
 * @module
 */

import { UTS_RELEASE } from '../panic.js';
import { MODULE_NAME_LEN, type module, module_name_normalize } from './module.js';
import type { module_param_spec, module_param_value } from './params.js';

/** The values a module's init gets, one per declared parameter. */
export type module_params_of<P extends Record<string, module_param_spec>> = {
  readonly [K in keyof P]: module_param_value<P[K]['type']>;
};

/** What a module package declares: its `.modinfo`, parameters, symbols and code. */
export interface module_declaration<
  P extends Record<string, module_param_spec> = Record<string, module_param_spec>,
> {
  /** `KBUILD_MODNAME`; dashes become underscores. */
  readonly name: string;
  /** `MODULE_AUTHOR`, once per author. */
  readonly author?: string | readonly string[];
  readonly description?: string;
  /**
   * `MODULE_LICENSE`: `GPL`, `GPL v2`, `GPL and additional rights`, `Dual BSD/GPL`,
   * `Dual MIT/GPL`, `Dual MPL/GPL` are GPL-compatible; anything else (or none)
   * taints the kernel with `P` when loaded and hides GPL-only symbols from it.
   */
  readonly license?: string;
  readonly version?: string;
  /** `MODULE_ALIAS`: other names modprobe finds it by. */
  readonly alias?: readonly string[];
  readonly params?: P;
  /** Modules it needs loaded first (its `modules.dep` line besides its imports' owners). */
  readonly depends?: readonly string[];
  /** Exported symbols it uses: resolved at load, or the load fails. */
  readonly imports?: readonly string[];
  /** `EXPORT_SYMBOL`s of the module. */
  readonly exports?: Readonly<Record<string, unknown>>;
  /** `EXPORT_SYMBOL_GPL`s of the module. */
  readonly exports_gpl?: Readonly<Record<string, unknown>>;
  /** Bytes of module memory (rounded up to pages); default 16384. */
  readonly size?: number;
  /** Path under `/lib/modules/<release>/`; default `kernel/drivers/misc/<name>.ko`. */
  readonly path?: string;
  /**
   * `module_init`: runs in the loading task, with the parameters (live: a sysfs
   * write shows) and the module itself (`THIS_MODULE`). 0 or a negative errno.
   */
  // Method syntax: a declaration with typed parameters is still a module_declaration.
  init?(params: module_params_of<P>, mod: module): Promise<number> | number;
  /** `module_exit`: runs in the removing task. Without it, a module with an init cannot be removed. */
  exit?(mod: module): Promise<void> | void;
}

const repository = new Map<string, module_declaration>();

/** The directory modules live in: `/lib/modules/<release>`. */
export function module_dir(): string {
  return `/lib/modules/${UTS_RELEASE}`;
}

/**
 * Adds a module to the repository (installs its `.ko`) and returns the
 * declaration. A name must be letters, digits, `-` and `_`, shorter than
 * `MODULE_NAME_LEN` (a `RangeError` otherwise, as modpost would fail the build). Declaring a name again replaces the file; a loaded module keeps
 * running the code it was loaded with.
 *
 * @example
 * ```ts
 * import { declare_module, find_module_file, module_path } from '@rfl/kernel';
 * declare_module({
 *   name: 'rust-foxes',
 *   license: 'GPL',
 *   params: { foxes: { type: 'uint', default: 3, perm: 0o644, description: 'How many foxes' } },
 *   init: (params) => (params.foxes > 0 ? 0 : -22),
 *   exit: () => {},
 * });
 * module_path(find_module_file('rust_foxes')!) // => '/lib/modules/6.12.0-rfl/kernel/drivers/misc/rust_foxes.ko'
 * find_module_file('rust_foxes.ko')?.name // => 'rust_foxes'
 * ```
 */
export function declare_module<P extends Record<string, module_param_spec>>(
  decl: module_declaration<P>,
): module_declaration<P> {
  // What modpost would refuse at build time: a name that does not fit `struct module`.
  if (!/^[A-Za-z0-9_-]+$/.test(decl.name) || decl.name.length >= MODULE_NAME_LEN) {
    throw new RangeError(`declare_module: bad module name '${decl.name}'`);
  }
  const normalized = { ...decl, name: module_name_normalize(decl.name) };
  repository.set(normalized.name, normalized as unknown as module_declaration);
  return normalized;
}

/** Removes a module file from the repository (`rm foo.ko`); whether it was there. */
export function undeclare_module(name: string): boolean {
  return repository.delete(module_name_normalize(name));
}

/** The full path of a declared module's `.ko`. */
export function module_path(decl: module_declaration): string {
  return `${module_dir()}/${decl.path ?? `kernel/drivers/misc/${decl.name}.ko`}`;
}

/**
 * Finds a module file: by name (`foo`, `foo-bar`), alias, file name (`foo.ko`) or
 * path (`/lib/modules/<release>/…/foo.ko`, or any path ending in `/foo.ko`).
 */
export function find_module_file(name_or_path: string): module_declaration | undefined {
  const base = name_or_path.slice(name_or_path.lastIndexOf('/') + 1);
  if (name_or_path.includes('/') || base.endsWith('.ko')) {
    if (!base.endsWith('.ko')) return undefined;
    const decl = repository.get(module_name_normalize(base.slice(0, -3)));
    if (!decl) return undefined;
    if (name_or_path.startsWith('/lib/modules/') && module_path(decl) !== name_or_path) {
      return undefined;
    }
    return decl;
  }
  const n = module_name_normalize(name_or_path);
  const decl = repository.get(n);
  if (decl) return decl;
  for (const d of repository.values()) {
    if (d.alias?.some((a) => module_name_normalize(a) === n)) return d;
  }
  return undefined;
}

/** Every module file, in name order: what `find /lib/modules -name '*.ko'` lists. */
export function module_repository(): module_declaration[] {
  return [...repository.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The authors of a declaration, as a list. */
export function module_authors(decl: module_declaration): readonly string[] {
  if (decl.author === undefined) return [];
  return typeof decl.author === 'string' ? [decl.author] : decl.author;
}

/**
 * The `modules.dep` line of a module, as depmod computes it: the modules it
 * `depends` on and the modules exporting the symbols it imports, transitively,
 * in the order modprobe loads them (a dependency before the modules that use it).
 */
export function module_dependencies(decl: module_declaration): string[] {
  const out: string[] = [];
  const visit = (d: module_declaration, seen: Set<string>) => {
    for (const dep of direct_dependencies(d)) {
      if (seen.has(dep) || out.includes(dep)) continue;
      const dd = repository.get(dep);
      if (dd) visit(dd, new Set([...seen, dep]));
      if (!out.includes(dep)) out.push(dep);
    }
  };
  visit(decl, new Set([decl.name]));
  return out.filter((n) => n !== decl.name);
}

function direct_dependencies(decl: module_declaration): string[] {
  const deps = (decl.depends ?? []).map(module_name_normalize);
  for (const sym of decl.imports ?? []) {
    // Like depmod, the first module file found exporting a symbol provides it.
    const owner = [...repository.values()].find(
      (d) => d !== decl && (d.exports?.[sym] !== undefined || d.exports_gpl?.[sym] !== undefined),
    );
    if (owner && !deps.includes(owner.name)) deps.push(owner.name);
  }
  return deps;
}

/** `license_is_gpl_compatible()` (include/linux/license.h). */
export function license_is_gpl_compatible(license: string): boolean {
  return (
    license === 'GPL' ||
    license === 'GPL v2' ||
    license === 'GPL and additional rights' ||
    license === 'Dual BSD/GPL' ||
    license === 'Dual MIT/GPL' ||
    license === 'Dual MPL/GPL'
  );
}
