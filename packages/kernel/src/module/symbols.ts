/**
 * The kernel symbol table (`__ksymtab`, `__ksymtab_gpl`; kernel/module/main.c
 * `find_symbol`): the functions and objects built-in code and modules export for
 * modules to use.
 *
 * Built-in code exports with {@link EXPORT_SYMBOL} and {@link EXPORT_SYMBOL_GPL};
 * a module exports through its declaration (`exports`, `exports_gpl`), and its
 * symbols exist from its load until its removal. A module names the symbols it
 * uses (`imports`), the way its undefined ELF symbols do: the loader resolves
 * each one, and a module whose license is not GPL-compatible does not see
 * GPL-only symbols at all — it fails to load with
 * `<mod>: Unknown symbol <sym> (err -2)`, as in the kernel.
 *
 * @example
 * ```ts
 * import { EXPORT_SYMBOL_GPL, find_symbol } from '@rfl/kernel';
 * const fox_count = () => 3;
 * EXPORT_SYMBOL_GPL('fox_count', fox_count);
 * find_symbol('fox_count')?.gpl_only // => true
 * find_symbol('fox_count', { gplok: false }) // => undefined
 * ```
 *
 * @module
 */

import type { module } from './module.js';

/** One exported symbol: `struct kernel_symbol` and the section it is in. */
export interface kernel_symbol {
  readonly name: string;
  readonly value: unknown;
  readonly gpl_only: boolean;
  /** The module that exports it; `undefined` for built-in code. */
  readonly owner: module | undefined;
}

const symtab = new Map<string, kernel_symbol>();

function export_symbol(name: string, value: unknown, gpl_only: boolean): void {
  symtab.set(name, { name, value, gpl_only, owner: undefined });
}

/**
 * `EXPORT_SYMBOL(name)` of built-in code: makes `value` available to every
 * module. Exporting the same name again replaces it (a package evaluated twice).
 */
export function EXPORT_SYMBOL(name: string, value: unknown): void {
  export_symbol(name, value, false);
}

/** `EXPORT_SYMBOL_GPL(name)`: available only to modules with a GPL-compatible license. */
export function EXPORT_SYMBOL_GPL(name: string, value: unknown): void {
  export_symbol(name, value, true);
}

/**
 * `find_symbol()`: the exported symbol `name`, or `undefined`. With `gplok: false`
 * (a proprietary module looking) GPL-only symbols are not found.
 */
export function find_symbol(
  name: string,
  options: { gplok?: boolean } = {},
): kernel_symbol | undefined {
  const sym = symtab.get(name);
  if (!sym) return undefined;
  if (sym.gpl_only && options.gplok === false) return undefined;
  return sym;
}

/** Adds the exports of a module being loaded. */
export function module_symbols_add(mod: module, syms: Record<string, unknown>, gpl: boolean): void {
  for (const [name, value] of Object.entries(syms)) {
    symtab.set(name, { name, value, gpl_only: gpl, owner: mod });
  }
}

/** Removes every symbol `mod` exports (its removal, or a failed load). */
export function module_symbols_remove(mod: module): void {
  for (const [name, sym] of symtab) if (sym.owner === mod) symtab.delete(name);
}

/** Removes every module's symbols, keeping built-in ones; for module_reset(). */
export function module_symbols_clear(): void {
  for (const [name, sym] of symtab) if (sym.owner !== undefined) symtab.delete(name);
}
