/**
 * debugfs files for single values (fs/debugfs/file.c, fs/libfs.c
 * `simple_attr`): `debugfs_create_u8/u16/u32/u64`, their hex twins `x8`…
 * `x64`, and `bool`. The value lives in the caller's variable — here a
 * `{ value }` reference, C's `u32 *` — and is read and written through it
 * on every access.
 *
 * The formats and parsing are the kernel's: `%llu` for the `u` files,
 * `0x%08llx` (zero-padded to the width) for the `x` files, `Y`/`N` for
 * bool; a write is parsed like `kstrtoull(buf, 0)` (decimal, `0x` hex,
 * leading-`0` octal, an optional trailing newline), only its first 23 bytes
 * are looked at, a bad number is `-EINVAL`, one past 64 bits `-ERANGE`, and
 * the value is truncated to the file's width as the C assignment does.
 * Without write bits in `mode` the file cannot be written (`-EACCES`),
 * without read bits it cannot be read.
 *
 * @example
 * ```ts
 * import { debugfs_create_x32, driver_core_fs_init } from '@rfl/kernel';
 * driver_core_fs_init();
 * const reg = { value: 0xbeef };
 * debugfs_create_x32('reg', 0o600, null, reg);
 * // cat /sys/kernel/debug/reg prints 0x0000beef
 * ```
 *
 * @module
 */

import { EACCES, EFAULT, EINVAL, ERANGE } from '../../errno.js';
import type { dentry, file, file_operations, inode, iov_iter, kiocb } from '../fs.js';
import { copy_from_iter, copy_to_iter } from '../iov_iter.js';
import { generic_file_llseek } from '../libfs.js';
import { debugfs_create_file, type debugfs_parent } from './inode.js';

/** `kstrtoull(s, 0)`: the value, `-EINVAL` or `-ERANGE`. */
export function kstrtoull(text: string, base = 0): bigint | number {
  let s = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (s.startsWith('+')) s = s.slice(1);
  let radix = base;
  if (radix === 0 || radix === 16) {
    if (/^0[xX]/.test(s)) {
      radix = 16;
      s = s.slice(2);
    }
  }
  if (radix === 0) radix = s.startsWith('0') && s.length > 1 ? 8 : 10;
  const digits = radix === 16 ? /^[0-9a-fA-F]+$/ : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!digits.test(s)) return -EINVAL;
  let v = 0n;
  for (const ch of s) {
    v = v * BigInt(radix) + BigInt(Number.parseInt(ch, 16));
    if (v > 0xffffffffffffffffn) return -ERANGE;
  }
  return v;
}

/** `kstrtobool`: y/Y/t/T/1/on → true, n/N/f/F/0/off → false, else `-EINVAL`. */
export function kstrtobool(s: string): boolean | number {
  const c = s[0];
  if (c === undefined) return -EINVAL;
  if ('yYtT1'.includes(c)) return true;
  if ('nNfF0'.includes(c)) return false;
  if (c === 'o' || c === 'O') {
    const d = s[1];
    if (d === 'n' || d === 'N') return true;
    if (d === 'f' || d === 'F') return false;
  }
  return -EINVAL;
}

/** An open value file: the text of the last read at offset 0. */
interface text_file_state {
  text: Uint8Array | null;
}

/**
 * File operations for a text file computed on read and parsed on write:
 * `show()` gives the whole content (or a negative errno) when a read starts
 * at offset 0; `store(text)` gets at most `max_write` written bytes and
 * returns 0 (the write then claims the whole input) or a negative errno.
 * A missing `show`/`store` is `-EACCES`, as `simple_attr` does.
 */
export function debugfs_text_fops(
  show: (() => string | number) | null,
  store: ((text: string) => number) | null,
  max_write = 23,
): file_operations {
  return {
    open: (_node: inode, filp: file) => {
      filp.private_data = { text: null } satisfies text_file_state;
      return 0;
    },
    read_iter: (iocb: kiocb, to: iov_iter) => {
      if (!show) return -EACCES;
      const st = iocb.ki_filp.private_data as text_file_state;
      if (iocb.ki_pos === 0 || st.text === null) {
        const text = show();
        if (typeof text === 'number') return text;
        st.text = new TextEncoder().encode(text);
      }
      if (iocb.ki_pos >= st.text.length || to.count === 0) return 0;
      const n = copy_to_iter(st.text.subarray(iocb.ki_pos), to);
      if (n === 0) return -EFAULT;
      iocb.ki_pos += n;
      return n;
    },
    write_iter: (iocb: kiocb, from: iov_iter) => {
      if (!store) return -EACCES;
      const len = from.count;
      const bytes = copy_from_iter(Math.min(len, max_write), from);
      if (bytes.length === 0 && len > 0) return -EFAULT;
      const ret = store(new TextDecoder().decode(bytes));
      if (ret < 0) return ret;
      iocb.ki_pos += len;
      return len;
    },
    llseek: generic_file_llseek,
  };
}

type num_ref = { value: number };

function value_fops(
  mode: number,
  ref: num_ref,
  bits: number,
  fmt: (v: bigint) => string,
): file_operations {
  const mask = (1n << BigInt(bits)) - 1n;
  const show = () => fmt(BigInt(Math.trunc(ref.value)) & mask);
  const store = (text: string) => {
    const v = kstrtoull(text);
    if (typeof v === 'number') return v;
    ref.value = Number(v & mask);
    return 0;
  };
  return debugfs_text_fops(mode & 0o444 ? show : null, mode & 0o222 ? store : null);
}

const dec = (v: bigint) => `${v}\n`;
const hex = (width: number) => (v: bigint) => `0x${v.toString(16).padStart(width, '0')}\n`;

function create_value(
  name: string,
  mode: number,
  parent: debugfs_parent,
  ref: num_ref,
  bits: number,
  fmt: (v: bigint) => string,
): dentry | number {
  return debugfs_create_file(name, mode, parent, ref, value_fops(mode, ref, bits, fmt));
}

/** `debugfs_create_u8`: `%llu` of the low 8 bits. */
export function debugfs_create_u8(
  name: string,
  mode: number,
  parent: debugfs_parent,
  value: num_ref,
): void {
  create_value(name, mode, parent, value, 8, dec);
}
/** `debugfs_create_u16`. */
export function debugfs_create_u16(
  name: string,
  mode: number,
  parent: debugfs_parent,
  value: num_ref,
): void {
  create_value(name, mode, parent, value, 16, dec);
}
/** `debugfs_create_u32`. */
export function debugfs_create_u32(
  name: string,
  mode: number,
  parent: debugfs_parent,
  value: num_ref,
): void {
  create_value(name, mode, parent, value, 32, dec);
}
/** `debugfs_create_u64` (values up to 2^53 - 1 are exact). */
export function debugfs_create_u64(
  name: string,
  mode: number,
  parent: debugfs_parent,
  value: num_ref,
): void {
  create_value(name, mode, parent, value, 64, dec);
}
/** `debugfs_create_x8`: `0x%02llx`. */
export function debugfs_create_x8(
  name: string,
  mode: number,
  parent: debugfs_parent,
  value: num_ref,
): void {
  create_value(name, mode, parent, value, 8, hex(2));
}
/** `debugfs_create_x16`: `0x%04llx`. */
export function debugfs_create_x16(
  name: string,
  mode: number,
  parent: debugfs_parent,
  value: num_ref,
): void {
  create_value(name, mode, parent, value, 16, hex(4));
}
/** `debugfs_create_x32`: `0x%08llx`. */
export function debugfs_create_x32(
  name: string,
  mode: number,
  parent: debugfs_parent,
  value: num_ref,
): void {
  create_value(name, mode, parent, value, 32, hex(8));
}
/** `debugfs_create_x64`: `0x%016llx`. */
export function debugfs_create_x64(
  name: string,
  mode: number,
  parent: debugfs_parent,
  value: num_ref,
): void {
  create_value(name, mode, parent, value, 64, hex(16));
}

/** `debugfs_create_bool`: `Y`/`N`; a write is parsed by `kstrtobool`. */
export function debugfs_create_bool(
  name: string,
  mode: number,
  parent: debugfs_parent,
  value: { value: boolean },
): void {
  const show = () => (value.value ? 'Y\n' : 'N\n');
  const store = (text: string) => {
    const v = kstrtobool(text);
    if (typeof v === 'number') return v;
    value.value = v;
    return 0;
  };
  const fops = debugfs_text_fops(mode & 0o444 ? show : null, mode & 0o222 ? store : null, 31);
  debugfs_create_file(name, mode, parent, value, fops);
}
