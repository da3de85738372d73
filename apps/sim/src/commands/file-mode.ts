/**
 * What `ls -l` and `stat` share: the mode string (`crw-rw-rw-`), the file type's name,
 * owner names and timestamps.
 *
 * @module
 */

import {
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
  type Stat,
} from '../sys.js';

const TYPE_CHARS = new Map([
  [S_IFREG, '-'],
  [S_IFDIR, 'd'],
  [S_IFCHR, 'c'],
  [S_IFBLK, 'b'],
  [S_IFIFO, 'p'],
  [S_IFLNK, 'l'],
  [S_IFSOCK, 's'],
]);

/** `filemode()` of coreutils: the ten characters of `ls -l`. */
export function modeString(mode: number): string {
  const type = TYPE_CHARS.get(mode & S_IFMT) ?? '?';
  const rwx = (shift: number, special: number, on: string) => {
    const bits = (mode >> shift) & 7;
    const x = bits & 1 ? (mode & special ? on : 'x') : mode & special ? on.toUpperCase() : '-';
    return `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${x}`;
  };
  return type + rwx(6, 0o4000, 's') + rwx(3, 0o2000, 's') + rwx(0, 0o1000, 't');
}

/** `%F` of stat. */
export function fileTypeName(st: Stat): string {
  switch (st.st_mode & S_IFMT) {
    case S_IFREG:
      return st.st_size === 0 ? 'regular empty file' : 'regular file';
    case S_IFDIR:
      return 'directory';
    case S_IFCHR:
      return 'character special file';
    case S_IFBLK:
      return 'block special file';
    case S_IFIFO:
      return 'fifo';
    case S_IFLNK:
      return 'symbolic link';
    case S_IFSOCK:
      return 'socket';
    default:
      return 'weird file';
  }
}

/** The machine has one user and one group, root. */
export function userName(id: number): string {
  return id === 0 ? 'root' : String(id);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS_NS = 15_778_476n * 1_000_000_000n;

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `ls -l`'s date: `Nov 21 07:49`, or `Nov 21  2025` when not within six months of `now`. */
export function lsDate(ns: bigint, now: bigint): string {
  const d = new Date(Number(ns / 1_000_000n));
  const head = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')}`;
  const recent = ns <= now && now - ns < SIX_MONTHS_NS;
  return recent
    ? `${head} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`
    : `${head}  ${d.getUTCFullYear()}`;
}

/** stat's `%y`: `2026-11-21 07:49:02.000000000 +0000` (the machine's clock is UTC). */
export function statDate(ns: bigint): string {
  const d = new Date(Number(ns / 1_000_000n));
  const frac = String(ns % 1_000_000_000n).padStart(9, '0');
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${frac} +0000`
  );
}
