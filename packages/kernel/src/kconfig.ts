/**
 * Kconfig: the build configuration of the simulated kernel, as the `.config` file of a
 * kernel tree states it (`CONFIG_KASAN=y`, `# CONFIG_LOCKDEP is not set`,
 * `CONFIG_NR_CPUS=1`, `CONFIG_LOCALVERSION="-rfl"`).
 *
 * The kernel fixes its configuration at build time; the simulation lets tests and the
 * machine's boot choose it before they start, so that a benchmark can run the allocators
 * without KASAN or a test can show what a kernel without lockdep misses. The debug
 * facilities read it: with `CONFIG_KASAN` off no access is checked (whatever
 * `mm_init({ kasan: true })` asks), with `CONFIG_PROVE_LOCKING` off lockdep tracks and
 * reports nothing, with `CONFIG_DEBUG_ATOMIC_SLEEP` off `might_sleep()` is silent, with
 * `CONFIG_DEBUG_KMEMLEAK` off kmemleak records nothing, with `CONFIG_FAULT_INJECTION`
 * off no allocation is made to fail, with `CONFIG_HARDENED_USERCOPY` off user copies
 * are not bounds-checked, with `CONFIG_DETECT_HUNG_TASK` off no task is reported hung. A facility that a symbol turns on still needs its
 * boot switch where the kernel has one (`kasan=on`, `kmemleak=on`).
 *
 * Symbols have the kernel's types: `bool`/`tristate` (`y`, `m`, or not set), `int`,
 * `hex` and `string`. A symbol whose dependencies are not enabled reads as not set, as
 * `make olddefconfig` would write it (`CONFIG_KASAN_GENERIC` without `CONFIG_KASAN`).
 *
 * @example
 * ```ts
 * import { IS_ENABLED, config_value, kconfig_reset, kconfig_set } from '@rfl/kernel';
 * kconfig_reset();
 * IS_ENABLED('CONFIG_KASAN') // => true
 * config_value('CONFIG_LOG_BUF_SHIFT') // => 17
 * kconfig_set('CONFIG_KASAN', 'n') // => 0
 * IS_ENABLED('CONFIG_KASAN_GENERIC') // => false
 * kconfig_reset();
 * ```
 *
 * @module
 */

import { EINVAL } from './errno.js';

/** The value of a symbol: `'y'`/`'m'` for bool and tristate, a number, or a string. */
export type kconfig_value = 'y' | 'm' | number | string;

type kconfig_type = 'bool' | 'tristate' | 'int' | 'hex' | 'string';

interface kconfig_entry {
  readonly type: kconfig_type;
  /** `undefined`: not set. */
  value: kconfig_value | undefined;
}

/**
 * The sim's default configuration: what `make rfl_defconfig` would produce. Debug
 * options are on, as on a kernel built for testing drivers.
 */
const DEFCONFIG = `CONFIG_LOCALVERSION="-rfl"
CONFIG_NR_CPUS=1
CONFIG_HZ=1000
CONFIG_LOG_BUF_SHIFT=17
CONFIG_PRINTK=y
CONFIG_PANIC_ON_OOPS_VALUE=0
# CONFIG_PANIC_ON_OOPS is not set
CONFIG_SMP=y
CONFIG_PREEMPT=y
CONFIG_MODULES=y
CONFIG_MODULE_UNLOAD=y
# CONFIG_MODULE_FORCE_UNLOAD is not set
# CONFIG_MODULE_FORCE_LOAD is not set
# CONFIG_MODULE_SIG is not set
CONFIG_SYSFS=y
CONFIG_PROC_FS=y
CONFIG_DEBUG_FS=y
CONFIG_DEVTMPFS=y
CONFIG_DEVTMPFS_MOUNT=y
CONFIG_TMPFS=y
CONFIG_SLUB=y
CONFIG_SLUB_DEBUG=y
CONFIG_KASAN=y
CONFIG_KASAN_GENERIC=y
CONFIG_KASAN_STACK=y
CONFIG_DEBUG_KMEMLEAK=y
CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE=16000
CONFIG_LOCKDEP=y
CONFIG_PROVE_LOCKING=y
CONFIG_DEBUG_SPINLOCK=y
CONFIG_DEBUG_MUTEXES=y
CONFIG_DEBUG_ATOMIC_SLEEP=y
CONFIG_PROVE_RCU=y
CONFIG_DEBUG_LIST=y
CONFIG_BUG_ON_DATA_CORRUPTION=y
CONFIG_HARDENED_USERCOPY=y
CONFIG_FAULT_INJECTION=y
CONFIG_FAILSLAB=y
CONFIG_FAIL_PAGE_ALLOC=y
CONFIG_FAULT_INJECTION_DEBUG_FS=y
CONFIG_DETECT_HUNG_TASK=y
CONFIG_DEFAULT_HUNG_TASK_TIMEOUT=120
CONFIG_RUST=y
`;

/**
 * `depends on` of the symbols that have one: a symbol reads as not set unless every
 * symbol listed is enabled.
 */
const DEPENDS: Readonly<Record<string, readonly string[]>> = {
  CONFIG_MODULE_UNLOAD: ['CONFIG_MODULES'],
  CONFIG_MODULE_FORCE_UNLOAD: ['CONFIG_MODULE_UNLOAD'],
  CONFIG_MODULE_FORCE_LOAD: ['CONFIG_MODULES'],
  CONFIG_MODULE_SIG: ['CONFIG_MODULES'],
  CONFIG_DEVTMPFS_MOUNT: ['CONFIG_DEVTMPFS'],
  CONFIG_SLUB_DEBUG: ['CONFIG_SLUB'],
  CONFIG_KASAN_GENERIC: ['CONFIG_KASAN'],
  CONFIG_KASAN_STACK: ['CONFIG_KASAN'],
  CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE: ['CONFIG_DEBUG_KMEMLEAK'],
  CONFIG_PROVE_LOCKING: ['CONFIG_LOCKDEP'],
  CONFIG_PROVE_RCU: ['CONFIG_PROVE_LOCKING'],
  CONFIG_FAILSLAB: ['CONFIG_FAULT_INJECTION'],
  CONFIG_FAIL_PAGE_ALLOC: ['CONFIG_FAULT_INJECTION'],
  CONFIG_FAULT_INJECTION_DEBUG_FS: ['CONFIG_FAULT_INJECTION', 'CONFIG_DEBUG_FS'],
  CONFIG_DEFAULT_HUNG_TASK_TIMEOUT: ['CONFIG_DETECT_HUNG_TASK'],
};

let symbols = new Map<string, kconfig_entry>();
const watchers: { symbol: string; fn: (enabled: boolean) => void; last: boolean }[] = [];

const SYMBOL = /^CONFIG_[A-Za-z0-9_]+$/;
const LINE_SET = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
const LINE_UNSET = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/;

/** Parses the right-hand side of `CONFIG_X=...`; `undefined` for a malformed one. */
function parse_value(raw: string): kconfig_entry | undefined {
  if (raw === 'y' || raw === 'm') return { type: 'tristate', value: raw };
  if (raw === 'n') return { type: 'tristate', value: undefined };
  if (/^-?[0-9]+$/.test(raw)) return { type: 'int', value: Number(raw) };
  if (/^0[xX][0-9a-fA-F]+$/.test(raw)) return { type: 'hex', value: Number.parseInt(raw, 16) };
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    const body = raw.slice(1, -1);
    if (/(^|[^\\])(\\\\)*"/.test(body)) return undefined;
    return { type: 'string', value: body.replace(/\\(.)/g, '$1') };
  }
  return undefined;
}

/** Parses `.config` text into entries; the 1-based number of the first bad line on error. */
function parse_config(text: string): Map<string, kconfig_entry> | number {
  const out = new Map<string, kconfig_entry>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const unset = LINE_UNSET.exec(line);
    if (unset) {
      out.set(unset[1]!, { type: 'bool', value: undefined });
      continue;
    }
    if (line.startsWith('#')) continue;
    const set = LINE_SET.exec(line);
    const entry = set ? parse_value(set[2]!) : undefined;
    if (!set || !entry) return i + 1;
    out.set(set[1]!, entry);
  }
  return out;
}

function defconfig(): Map<string, kconfig_entry> {
  return parse_config(DEFCONFIG) as Map<string, kconfig_entry>;
}

function raw_enabled(symbol: string, seen: Set<string>): boolean {
  const e = symbols.get(symbol);
  if (!e || e.value === undefined || e.value === 0 || e.value === '') return false;
  if (seen.has(symbol)) return true;
  seen.add(symbol);
  return (DEPENDS[symbol] ?? []).every((dep) => raw_enabled(dep, seen));
}

/** The effective value: `undefined` when not set or when a dependency is off. */
function effective(symbol: string): kconfig_value | undefined {
  const e = symbols.get(symbol);
  if (!e || e.value === undefined) return undefined;
  const deps = DEPENDS[symbol];
  if (deps && !deps.every((dep) => raw_enabled(dep, new Set([symbol])))) return undefined;
  return e.value;
}

function notify(): void {
  for (const w of watchers) {
    const now = IS_ENABLED(w.symbol);
    if (now !== w.last) {
      w.last = now;
      w.fn(now);
    }
  }
}

/**
 * `IS_ENABLED(CONFIG_FOO)`: whether the symbol is `y` or `m` (for bool and tristate
 * symbols), with its dependencies enabled.
 */
export function IS_ENABLED(symbol: string): boolean {
  const v = effective(symbol);
  return v === 'y' || v === 'm';
}

/** `IS_BUILTIN(CONFIG_FOO)`: whether the symbol is `y`. */
export function IS_BUILTIN(symbol: string): boolean {
  return effective(symbol) === 'y';
}

/** `IS_MODULE(CONFIG_FOO)`: whether the symbol is `m`. */
export function IS_MODULE(symbol: string): boolean {
  return effective(symbol) === 'm';
}

/**
 * The value the C code sees as `CONFIG_FOO`: `'y'`/`'m'` for bool and tristate symbols,
 * a number for int and hex symbols, the unquoted text for string symbols, `undefined`
 * when it is not set.
 *
 * @example
 * ```ts
 * import { config_value, kconfig_reset } from '@rfl/kernel';
 * kconfig_reset();
 * config_value('CONFIG_NR_CPUS') // => 1
 * config_value('CONFIG_LOCALVERSION') // => '-rfl'
 * config_value('CONFIG_MODULES') // => 'y'
 * config_value('CONFIG_MODULE_FORCE_UNLOAD') // => undefined
 * ```
 */
export function config_value(symbol: string): kconfig_value | undefined {
  return effective(symbol);
}

/**
 * Sets one symbol, as `scripts/config --set-val` would: `'y'`, `'m'` or `'n'` for bool
 * and tristate symbols, a number, or a string. Returns 0, or `-EINVAL` for a name that
 * is not `CONFIG_[A-Za-z0-9_]+` or a value of the wrong type for a known symbol.
 */
export function kconfig_set(symbol: string, value: kconfig_value | 'n'): number {
  if (!SYMBOL.test(symbol)) return -EINVAL;
  const old = symbols.get(symbol);
  let entry: kconfig_entry;
  if (value === 'y' || value === 'm' || value === 'n') {
    if (old && (old.type === 'int' || old.type === 'hex' || old.type === 'string')) {
      return -EINVAL;
    }
    entry = { type: 'tristate', value: value === 'n' ? undefined : value };
  } else if (typeof value === 'number') {
    if (!Number.isInteger(value)) return -EINVAL;
    if (old && old.type !== 'int' && old.type !== 'hex') return -EINVAL;
    entry = { type: old?.type ?? 'int', value };
  } else {
    if (old && old.type !== 'string') return -EINVAL;
    entry = { type: 'string', value };
  }
  symbols.set(symbol, entry);
  notify();
  return 0;
}

/**
 * Loads a configuration from `.config` text: the default configuration, overridden by
 * every symbol the text sets or says `is not set` (what `make olddefconfig` does with a
 * partial `.config`). Comment and blank lines are skipped. Returns 0, or `-EINVAL` when
 * a line is malformed, leaving the configuration unchanged.
 *
 * @example
 * ```ts
 * import { IS_ENABLED, config_value, kconfig_load, kconfig_reset } from '@rfl/kernel';
 * kconfig_load('# CONFIG_PROVE_LOCKING is not set\nCONFIG_NR_CPUS=4\n') // => 0
 * IS_ENABLED('CONFIG_PROVE_LOCKING') // => false
 * IS_ENABLED('CONFIG_KASAN') // => true
 * config_value('CONFIG_NR_CPUS') // => 4
 * kconfig_load('CONFIG_KASAN=maybe') // => -22
 * kconfig_reset();
 * ```
 */
export function kconfig_load(text: string): number {
  const parsed = parse_config(text);
  if (typeof parsed === 'number') return -EINVAL;
  const next = defconfig();
  for (const [symbol, entry] of parsed) {
    const old = next.get(symbol);
    // `# CONFIG_X is not set` keeps the symbol's type; `=n` does too.
    const type = entry.value === undefined && old ? old.type : entry.type;
    next.set(symbol, { type, value: entry.value });
  }
  symbols = next;
  notify();
  return 0;
}

/** Restores the default configuration (idempotent; the machine's boot and tests call it). */
export function kconfig_reset(): void {
  symbols = defconfig();
  notify();
}

function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The configuration as `.config` text, one symbol a line in name order, with the
 * effective values: what `/proc/config.gz` would decompress to.
 *
 * @example
 * ```ts
 * import { kconfig_dump, kconfig_reset, kconfig_set } from '@rfl/kernel';
 * kconfig_reset();
 * kconfig_set('CONFIG_KASAN', 'n');
 * const lines = kconfig_dump().split('\n');
 * lines.includes('# CONFIG_KASAN is not set') // => true
 * lines.includes('# CONFIG_KASAN_GENERIC is not set') // => true
 * lines.includes('CONFIG_LOCALVERSION="-rfl"') // => true
 * lines.includes('CONFIG_NR_CPUS=1') // => true
 * kconfig_reset();
 * ```
 */
export function kconfig_dump(): string {
  let out = '';
  for (const symbol of [...symbols.keys()].sort()) {
    const type = symbols.get(symbol)!.type;
    const v = effective(symbol);
    if (v === undefined) out += `# ${symbol} is not set\n`;
    else if (type === 'string') out += `${symbol}=${quote(String(v))}\n`;
    else if (type === 'hex') out += `${symbol}=0x${(v as number).toString(16)}\n`;
    else out += `${symbol}=${v}\n`;
  }
  return out;
}

/**
 * Calls `fn(IS_ENABLED(symbol))` now and again every time that changes: how a facility
 * keeps a cheap flag for its fast path instead of looking the symbol up on every call.
 */
export function kconfig_watch(symbol: string, fn: (enabled: boolean) => void): void {
  const last = IS_ENABLED(symbol);
  watchers.push({ symbol, fn, last });
  fn(last);
}

symbols = defconfig();
