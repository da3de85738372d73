/**
 * The subset of the kernel's `lib/vsprintf.c` that printk formats need:
 * `%d %i %u %x %X %o %c %s %%` with flags, width, precision and the length
 * modifiers (`hh h l ll z t j`), plus the pointer extensions `%px` and `%pK`
 * (the address, sign-extended like a canonical x86-64 kernel address),
 * `%p` (also the address: the simulation does not hash), `%pS`
 * and `%ps` (a function's name) and `%pe` (the errno name of an error pointer).
 *
 * Integers may be numbers or bigints; like C, `%u` and `%x` reinterpret a
 * negative value as unsigned, 32 bits wide without a length modifier and 64
 * bits with `l`/`ll`/`z`.
 *
 * @module
 */

import { errname } from './errno.js';
import { kaddr_hex } from './mm/layout.js';

const SPEC = /%([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d+))?(hh|h|ll|l|z|t|j|L)?([diuxXocsp%])([a-zA-Z]*)/g;

function to_bigint(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'boolean') return v ? 1n : 0n;
  return 0n;
}

function pad(body: string, flags: string, width: number, numeric: boolean): string {
  if (body.length >= width) return body;
  if (flags.includes('-')) return body.padEnd(width, ' ');
  if (numeric && flags.includes('0')) {
    const sign = /^[-+ ]|^0[xX]/.exec(body)?.[0] ?? '';
    return sign + body.slice(sign.length).padStart(width - sign.length, '0');
  }
  return body.padStart(width, ' ');
}

function pointer_ext(ext: string, arg: unknown): [string, number] {
  if (ext.startsWith('S') || ext.startsWith('s')) {
    const name = typeof arg === 'function' ? arg.name || '<anonymous>' : String(arg);
    return [name, 1];
  }
  if (ext.startsWith('e')) {
    const n = Number(arg);
    return [errname(n) !== undefined ? `-${errname(n)}` : String(n), 1];
  }
  const consumed = ext.startsWith('x') || ext.startsWith('K') ? 1 : 0;
  if (typeof arg === 'number' && arg >= 0) return [kaddr_hex(arg), consumed];
  return [BigInt.asUintN(64, to_bigint(arg)).toString(16).padStart(16, '0'), consumed];
}

/**
 * Formats `fmt` with `args` the way the kernel's `vsnprintf` does for the
 * conversions listed above.
 *
 * @example
 * ```ts
 * import { sprintf } from '@rfl/kernel';
 * sprintf('%s: %d bytes at %px', 'foxes', 64, 0x888000001000) // => 'foxes: 64 bytes at ffff888000001000'
 * sprintf('%08x|%-4u|%5s', 0xbeef, 7, 'ab') // => '0000beef|7   |   ab'
 * ```
 */
export function sprintf(fmt: string, ...args: unknown[]): string {
  let next = 0;
  const take = (): unknown => args[next++];
  return fmt.replace(
    SPEC,
    (_m, flags: string, w?: string, p?: string, len?: string, conv?: string, ext?: string) => {
      if (conv === '%') return `%${ext ?? ''}`;
      const width = w === '*' ? Number(take()) : w !== undefined ? Number(w) : 0;
      const prec = p === '*' ? Number(take()) : p !== undefined ? Number(p) : undefined;
      const bits =
        len === 'l' || len === 'll' || len === 'z' || len === 't' || len === 'j' ? 64 : 32;
      const arg = take();
      switch (conv) {
        case 'd':
        case 'i': {
          const v = BigInt.asIntN(bits, to_bigint(arg));
          let s = (v < 0n ? -v : v).toString();
          if (prec !== undefined) s = s.padStart(prec, '0');
          const sign = v < 0n ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
          return pad(sign + s, flags, width, prec === undefined) + (ext ?? '');
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
          const v = BigInt.asUintN(bits, to_bigint(arg));
          const radix = conv === 'u' ? 10 : conv === 'o' ? 8 : 16;
          let s = v.toString(radix);
          if (conv === 'X') s = s.toUpperCase();
          if (prec !== undefined) s = s.padStart(prec, '0');
          if (flags.includes('#') && v !== 0n && radix !== 10)
            s = (radix === 8 ? '0' : `0${conv}`) + s;
          return pad(s, flags, width, prec === undefined) + (ext ?? '');
        }
        case 'c':
          return (
            pad(
              typeof arg === 'number' ? String.fromCharCode(arg) : String(arg),
              flags,
              width,
              false,
            ) + (ext ?? '')
          );
        case 's': {
          let s = arg === null || arg === undefined ? '(null)' : String(arg);
          if (prec !== undefined) s = s.slice(0, prec);
          return pad(s, flags, width, false) + (ext ?? '');
        }
        default: {
          const [s, consumed] = pointer_ext(ext ?? '', arg);
          return pad(s, flags, width, false) + (ext ?? '').slice(consumed);
        }
      }
    },
  );
}
