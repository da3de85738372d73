/**
 * Module parameters (kernel/params.c, lib/kstrtox.c, lib/cmdline.c): the
 * `key=value` string given to `insmod`/`modprobe`, split the way the kernel's
 * `next_arg` splits it (double quotes protect spaces; `-` and `_` are the same in
 * names), and each value converted by the setter of its type with the kernel's
 * rules: numbers take a `0x` (hex) or `0` (octal) prefix and may end with one
 * newline, anything else is `-EINVAL`, out of range is `-ERANGE`; booleans take
 * `y`/`n`/`1`/`0`/`on`/`off`…, and a bare name sets them; strings are at most
 * 1024 bytes (`-ENOSPC`).
 *
 * @module
 */

import { EINVAL, ENOSPC, ERANGE } from '../errno.js';
import { pr_err, pr_warn } from '../printk.js';

/** The `type` of `module_param(name, type, perm)`. */
export type module_param_type =
  | 'byte'
  | 'short'
  | 'ushort'
  | 'int'
  | 'uint'
  | 'long'
  | 'ulong'
  | 'bool'
  | 'invbool'
  | 'charp';

/** The JavaScript type a parameter of type `T` has. */
export type module_param_value<T extends module_param_type> = T extends 'bool' | 'invbool'
  ? boolean
  : T extends 'charp'
    ? string
    : number;

/** How a module declares one parameter (`module_param` + `MODULE_PARM_DESC`). */
export interface module_param_spec<T extends module_param_type = module_param_type> {
  readonly type: T;
  readonly default: module_param_value<T>;
  /** sysfs mode of `/sys/module/<mod>/parameters/<name>`; 0 (the default): no file. */
  readonly perm?: number;
  /** `MODULE_PARM_DESC`: shown by modinfo. */
  readonly description?: string;
}

/** `struct kernel_param` of one loaded module: its current value and how to set it. */
export interface kernel_param {
  readonly name: string;
  readonly type: module_param_type;
  readonly perm: number;
  readonly description: string | undefined;
  value: number | boolean | string;
}

/** [min, max] of each integer type, as bigints (long and ulong are 64-bit). */
const RANGES: Record<string, readonly [bigint, bigint]> = {
  byte: [0n, 0xffn],
  short: [-0x8000n, 0x7fffn],
  ushort: [0n, 0xffffn],
  int: [-0x80000000n, 0x7fffffffn],
  uint: [0n, 0xffffffffn],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
  ulong: [0n, 2n ** 64n - 1n],
};

/**
 * `kstrtoull()` with base 0: an optional `+`, a `0x`/`0` prefix choosing hex or
 * octal, digits, at most one trailing newline. A bigint, or a negative errno.
 */
function kstrtoull(s: string): bigint | number {
  let i = s.startsWith('+') ? 1 : 0;
  let base = 10n;
  if (
    s[i] === '0' &&
    (s[i + 1] === 'x' || s[i + 1] === 'X') &&
    /[0-9a-fA-F]/.test(s[i + 2] ?? '')
  ) {
    base = 16n;
    i += 2;
  } else if (s[i] === '0') {
    base = 8n;
  }
  let v = 0n;
  let digits = 0;
  for (; i < s.length; i++) {
    const d = Number.parseInt(s[i]!, 16);
    if (Number.isNaN(d) || BigInt(d) >= base) break;
    v = v * base + BigInt(d);
    digits++;
    if (v >= 2n ** 64n) return -ERANGE;
  }
  if (digits === 0) return -EINVAL;
  if (s[i] === '\n') i++;
  return i === s.length ? v : -EINVAL;
}

/** `kstrtoll()`: {@link kstrtoull} with an optional leading `-`. */
function kstrtoll(s: string): bigint | number {
  if (!s.startsWith('-')) {
    const v = kstrtoull(s);
    return typeof v === 'bigint' && v > 2n ** 63n - 1n ? -ERANGE : v;
  }
  const v = kstrtoull(s.slice(1));
  if (typeof v !== 'bigint') return v;
  return v > 2n ** 63n ? -ERANGE : -v;
}

/** `kstrtobool()`: the first character decides, `on`/`off` by the second. */
function kstrtobool(s: string): boolean | number {
  switch (s[0]) {
    case 'y':
    case 'Y':
    case 't':
    case 'T':
    case '1':
      return true;
    case 'n':
    case 'N':
    case 'f':
    case 'F':
    case '0':
      return false;
    case 'o':
    case 'O':
      if (s[1] === 'n' || s[1] === 'N') return true;
      if (s[1] === 'f' || s[1] === 'F') return false;
      return -EINVAL;
    default:
      return -EINVAL;
  }
}

/**
 * The setter of `kp`'s type (`param_set_int`, `param_set_bool`, …): stores the
 * converted `val` (`undefined`: the name was given without `=`) and returns 0, or
 * returns a negative errno and leaves the value alone.
 */
export function param_set(kp: kernel_param, val: string | undefined): number {
  if (kp.type === 'bool' || kp.type === 'invbool') {
    const b = kstrtobool(val ?? '1');
    if (typeof b === 'number') return b;
    kp.value = kp.type === 'invbool' ? !b : b;
    return 0;
  }
  if (val === undefined) return -EINVAL;
  if (kp.type === 'charp') {
    if (val.length > 1024) {
      pr_err('%s: string parameter too long\n', kp.name);
      return -ENOSPC;
    }
    kp.value = val;
    return 0;
  }
  const [min, max] = RANGES[kp.type]!;
  const v = min < 0n ? kstrtoll(val) : kstrtoull(val);
  if (typeof v === 'number') return v;
  if (v < min || v > max) return -ERANGE;
  kp.value = Number(v);
  return 0;
}

/**
 * The getter of `kp`'s type (`param_get_int`, …): what a read of its sysfs file
 * returns, with the newline.
 */
export function param_get(kp: kernel_param): string {
  if (kp.type === 'bool' || kp.type === 'invbool') {
    const v = kp.type === 'invbool' ? !kp.value : kp.value;
    return v ? 'Y\n' : 'N\n';
  }
  return `${kp.value}\n`;
}

/** `parameq()`: names match with `-` and `_` equal. */
function parameq(a: string, b: string): boolean {
  return a.replace(/-/g, '_') === b.replace(/-/g, '_');
}

/**
 * `next_arg()`: splits one `param[=value]` off `args` (leading spaces already
 * skipped). Double quotes may surround the whole argument or the value; a quote
 * cannot be escaped.
 */
function next_arg(args: string): { param: string; val: string | undefined; rest: string } {
  let s = args;
  let in_quote = false;
  let quoted = false;
  if (s.startsWith('"')) {
    s = s.slice(1);
    in_quote = true;
    quoted = true;
  }
  let i = 0;
  let equals = -1;
  for (; i < s.length; i++) {
    if (/\s/.test(s[i]!) && !in_quote) break;
    if (equals < 0 && s[i] === '=') equals = i;
    if (s[i] === '"') in_quote = !in_quote;
  }
  let arg = s.slice(0, i);
  const rest = s.slice(i + 1).replace(/^\s+/, '');
  let param: string;
  let val: string | undefined;
  // The kernel writes NULs over the closing quote; slicing it off is the same.
  const closing = arg.endsWith('"');
  if (equals < 0) {
    if (quoted && closing) arg = arg.slice(0, -1);
    param = arg;
    val = undefined;
  } else {
    param = arg.slice(0, equals);
    val = arg.slice(equals + 1);
    if (val.startsWith('"')) {
      val = val.slice(1);
      if (closing && val.length > 0) val = val.slice(0, -1);
    } else if (quoted && closing) {
      val = val.slice(0, -1);
    }
  }
  return { param, val, rest };
}

/**
 * `parse_args()` of a module's parameters: sets each parameter named in `args`,
 * warning `<mod>: unknown parameter '<x>' ignored` for names it does not have.
 * A value its setter refuses is reported as ``<mod>: `<val>' invalid for parameter
 * `<name>'`` (``too large`` for -ENOSPC); parsing goes on, and the last error is
 * returned (0 when every value was accepted).
 */
export function parse_module_args(modname: string, args: string, params: kernel_param[]): number {
  let rest = args.replace(/^\s+/, '');
  let err = 0;
  while (rest.length > 0) {
    const arg = next_arg(rest);
    rest = arg.rest;
    if (arg.val === undefined && arg.param === '--') break;
    const kp = params.find((p) => parameq(arg.param, p.name));
    if (!kp) {
      pr_warn("%s: unknown parameter '%s' ignored\n", modname, arg.param);
      continue;
    }
    const ret = param_set(kp, arg.val);
    if (ret === 0) continue;
    if (ret === -ENOSPC) {
      pr_err("%s: `%s' too large for parameter `%s'\n", modname, arg.val ?? '', arg.param);
    } else {
      pr_err("%s: `%s' invalid for parameter `%s'\n", modname, arg.val ?? '', arg.param);
    }
    err = ret;
  }
  return err;
}
